import { Context, Relation, State } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AskerCharm,
  GreeterCharm,
  PROVIDER_META,
  REQUIRER_META,
  TwiceCharm,
  WrongRoleCharm,
} from './fixtures/greeting-charm.js';

let ctx: Context | undefined;
afterEach(() => {
  ctx?.close();
  ctx = undefined;
});

function asker(): Context {
  ctx = new Context(AskerCharm, { meta: REQUIRER_META });
  return ctx;
}

function events(state: State, owner = 'AskerCharm'): unknown {
  const stored = state.storedStates.find(
    (s) => s.name === 'seen' && (s.ownerPath === undefined || s.ownerPath === owner),
  );
  return stored?.content.events ?? [];
}

describe('InterfaceRequirer at Context level', () => {
  it('emits ready with typed, decoded data and keeps unknown fields', async () => {
    const c = asker();
    const rel = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'greeter',
      remoteAppData: {
        message: 'hi',
        details: '{"lang": "fr", "words": 1}',
        extra: 'kept',
      },
    });
    const out = await c.run(c.on.relationChanged(rel), new State({ relations: [rel] }));
    expect(events(out)).toEqual(['ready:hi:fr:kept']);
    expect(out.unitStatus.message).toBe('hi');
    expect(c.emittedEvents.map((e) => e.name)).toContain('ready');
  });

  it('emits changed after ready, and ready again after invalid', async () => {
    const c = asker();
    const rel = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'greeter',
      remoteAppData: { message: 'one' },
    });
    let out = await c.run(c.on.relationChanged(rel), new State({ relations: [rel] }));
    const rel2 = new Relation({ ...relInit(rel), remoteAppData: { message: 'two' } });
    out = await c.run(c.on.relationChanged(rel2), out.with({ relations: [rel2] }));
    expect(events(out)).toEqual(['ready:one:-:-', 'changed:two']);
    const bad = new Relation({ ...relInit(rel), remoteAppData: { details: '{' } });
    out = await c.run(c.on.relationChanged(bad), out.with({ relations: [bad] }));
    const good = new Relation({ ...relInit(rel), remoteAppData: { message: 'three' } });
    out = await c.run(c.on.relationChanged(good), out.with({ relations: [good] }));
    expect(events(out)).toEqual([
      'ready:one:-:-',
      'changed:two',
      'invalid:app greeter|message|invalid_type,app greeter|details|custom',
      'ready:three:-:-',
    ]);
  });

  it('turns invalid JSON, a missing field and a huge value into an invalid event, not an error', async () => {
    const c = asker();
    const rel = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'greeter',
      remoteAppData: { message: 'x'.repeat(2 * 1024 * 1024) },
    });
    const out = await c.run(c.on.relationChanged(rel), new State({ relations: [rel] }));
    expect(events(out)).toEqual(['invalid:app greeter|message|too_big_value']);
    expect(out.unitStatus.name).toBe('blocked');
    const noMessage = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'greeter',
      remoteAppData: { details: 'not json' },
    });
    const out2 = await c.run(
      c.on.relationChanged(noMessage),
      new State({ relations: [noMessage] }),
    );
    expect(events(out2)).toEqual([
      'invalid:app greeter|message|invalid_type,app greeter|details|custom',
    ]);
  });

  it('emits nothing while the remote side has not written its data', async () => {
    const c = asker();
    const rel = new Relation({ endpoint: 'greeting', remoteAppName: 'greeter' });
    const out = await c.run(
      c.on.relationJoined(rel, { remoteUnit: 0 }),
      new State({ relations: [rel] }),
    );
    expect(events(out)).toEqual([]);
  });

  it('rejects a relation over the endpoint limit (two providers on one endpoint)', async () => {
    const c = asker();
    const first = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'greeter-a',
      remoteAppData: { message: 'a' },
    });
    const second = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'greeter-b',
      remoteAppData: { message: 'b' },
    });
    const state = new State({ relations: [first, second] });
    const out = await c.run(c.on.relationChanged(second), state);
    expect(events(out)).toEqual(['invalid:relation||too_many_relations']);
    const out2 = await c.run(c.on.relationChanged(first), state);
    expect(events(out2)).toEqual(['ready:a:-:-']);
  });

  it('defers a ready event and re-reads the remote data when it is re-emitted', async () => {
    const c = asker();
    const rel = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'greeter',
      remoteAppData: { message: 'first' },
    });
    const out = await c.run(
      c.on.relationChanged(rel),
      new State({ relations: [rel], config: { defer: true } }),
    );
    expect(out.deferred.map((d) => [d.name, d.observer])).toEqual([['ready', 'onReady']]);
    const later = new Relation({ ...relInit(rel), remoteAppData: { message: 'second' } });
    const out2 = await c.run(
      c.on.updateStatus(),
      out.with({ relations: [later], config: { defer: false } }),
    );
    expect(out2.deferred).toEqual([]);
    expect(events(out2)).toEqual(['ready:second:-:-']);
    const broken = new Relation({ ...relInit(rel), remoteAppData: { details: '{' } });
    await expect(
      c.run(c.on.updateStatus(), out.with({ relations: [broken], config: { defer: false } })),
    ).rejects.toThrow(/the remote data of greeting:\d+ is no longer valid \(invalid\)/);
  });

  it('emits gone on relation-broken', async () => {
    const c = asker();
    const rel = new Relation({ endpoint: 'greeting', remoteAppName: 'greeter' });
    const out = await c.run(c.on.relationBroken(rel), new State({ relations: [rel] }));
    expect(events(out)).toEqual([`gone:${rel.id}`]);
  });

  it('writes the app bag as leader and the unit bag, JSON-encoded as Python does', async () => {
    const c = asker();
    const rel = new Relation({ endpoint: 'greeting', remoteAppName: 'greeter' });
    const out = await c.run(c.on.configChanged(), new State({ relations: [rel], leader: true }));
    const written = out.getRelation(rel.id);
    expect(written.localAppData).toEqual({ name: '"asker"' });
    expect(written.localUnitData.host).toBe('"asker-0.local"');
  });

  it('refuses to write the app bag when not leader, with a clear error', async () => {
    const c = asker();
    const rel = new Relation({ endpoint: 'greeting', remoteAppName: 'greeter' });
    await expect(
      c.run(c.on.configChanged(), new State({ relations: [rel], leader: false })),
    ).rejects.toThrow(
      /asker\/0 is not the leader and cannot write the application databag of greeting:\d+/,
    );
  });
});

describe('InterfaceProvider at Context level', () => {
  it('validates requirer app and unit bags and publishes its app bag', async () => {
    ctx = new Context(GreeterCharm, { meta: PROVIDER_META });
    const rel = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'asker',
      remoteAppData: { name: '"asker"' },
      remoteUnitsData: {
        0: { host: '"asker-0.local"', 'ingress-address': '10.0.0.1' },
        1: { 'ingress-address': '10.0.0.2' },
      },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(rel, { remoteUnit: 0 }),
      new State({ relations: [rel], leader: true }),
    );
    expect(events(out, 'GreeterCharm')).toEqual(['ready:asker:asker-0.local']);
    expect(out.getRelation(rel.id).localAppData).toEqual({
      message: 'hello asker',
      details: '{"lang": "en", "words": 2}',
    });
  });

  it('reports an invalid unit bag and a non-leader write', async () => {
    ctx = new Context(GreeterCharm, { meta: PROVIDER_META });
    const bad = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'asker',
      remoteAppData: { name: '"asker"' },
      remoteUnitsData: { 0: { host: 'unquoted' } },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(bad, { remoteUnit: 0 }),
      new State({ relations: [bad] }),
    );
    expect(events(out, 'GreeterCharm')).toEqual(['invalid:custom']);
    const good = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'asker',
      remoteAppData: { name: '"asker"' },
    });
    const out2 = await ctx.run(
      ctx.on.relationChanged(good),
      new State({ relations: [good], leader: false }),
    );
    expect(events(out2, 'GreeterCharm')).toEqual(['ready:asker:', 'error:NotLeaderError']);
    expect(out2.getRelation(good.id).localAppData).toEqual({});
  });
});

describe('endpoint construction errors', () => {
  it('rejects two interface objects on one endpoint', async () => {
    ctx = new Context(TwiceCharm, { meta: REQUIRER_META });
    await expect(ctx.run(ctx.on.install(), new State())).rejects.toThrow(
      /endpoint "greeting": already has an interface object/,
    );
  });

  it('rejects a provider on a requires endpoint', async () => {
    ctx = new Context(WrongRoleCharm, { meta: REQUIRER_META });
    await expect(ctx.run(ctx.on.install(), new State())).rejects.toThrow(
      /endpoint "greeting": is a requires endpoint; a greeting provider needs a provides endpoint/,
    );
  });
});

function relInit(rel: Relation): { endpoint: string; id: number; remoteAppName: string } {
  return { endpoint: rel.endpoint, id: rel.id, remoteAppName: rel.remoteAppName };
}
