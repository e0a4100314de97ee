import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActiveStatus, BlockedStatus, MaintenanceStatus, WaitingStatus } from '@opsjs/model';
import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../src/context.js';
import {
  ActionFailed,
  AlreadyEmittedError,
  ContextSetupError,
  InconsistentScenarioError,
  NoObserverError,
  UncaughtCharmError,
} from '../src/errors.js';
import { CheckInfo, Container, Exec, Notice } from '../src/state/container.js';
import { DeferredEvent, Port, Storage, StoredState } from '../src/state/misc.js';
import { PeerRelation, Relation } from '../src/state/relation.js';
import { Secret } from '../src/state/secret.js';
import { State } from '../src/state/state.js';
import { SampleCharm } from './fixtures/sample-charm.js';
import { SAMPLE_META } from './fixtures/sample-meta.js';

let ctx: Context<typeof SampleCharm>;
afterEach(() => ctx.close());

function newContext(
  options: ConstructorParameters<typeof Context>[1] = {},
): Context<typeof SampleCharm> {
  ctx = new Context(SampleCharm, { meta: SAMPLE_META, ...options });
  return ctx;
}

describe('Context.run', () => {
  it('runs install and returns the output state', async () => {
    newContext();
    const out = await ctx.run(ctx.on.install(), new State());
    expect(out.unitStatus).toEqual(new ActiveStatus());
    expect(out.workloadVersion).toBe('1.0');
    // As Scenario: the unset initial version is not history.
    expect(ctx.workloadVersionHistory).toEqual([]);
    await ctx.run(ctx.on.install(), out);
    expect(ctx.workloadVersionHistory).toEqual(['1.0']);
    expect(ctx.unitStatusHistory.slice(0, 2)).toEqual([
      expect.objectContaining({ name: 'unknown' }),
      new MaintenanceStatus('installing'),
    ]);
    expect(out.getStoredState('_stored').content).toEqual({ configChanges: 0, seen: ['install'] });
    expect(ctx.emittedEvents.map((e) => e.name)).toContain('install');
    expect(ctx.jujuLog).toContainEqual({ level: 'DEBUG', message: 'Emitting Juju event install.' });
  });

  it('writes local relation data and opens ports on config-changed', async () => {
    newContext();
    const db = new Relation({
      endpoint: 'db',
      remoteAppName: 'pg',
      remoteAppData: { host: 'pg.local' },
    });
    const state = new State({ config: { port: 9000, debug: true }, relations: [db], leader: true });
    const out = await ctx.run(ctx.on.configChanged(), state);
    expect(out.getRelation(db.id).localUnitData.port).toBe('9000');
    expect(out.openedPorts).toEqual([Port.tcp(9000)]);
    expect(out.unitStatus).toEqual(new BlockedStatus('debug mode'));
    expect(out.getStoredState().content).toMatchObject({ configChanges: 1 });
    expect(state.getRelation(db.id).localUnitData.port).toBeUndefined();
  });

  it('defers events into the output state and re-emits them first', async () => {
    newContext({ captureDeferredEvents: true });
    const out = await ctx.run(ctx.on.configChanged(), new State({ config: { port: 0 } }));
    expect(out.deferred).toHaveLength(1);
    expect(out.deferred[0]).toMatchObject({ owner: 'SampleCharm', observer: 'onConfigChanged' });
    expect(out.deferred[0]?.name).toBe('config_changed');
    const again = await ctx.run(ctx.on.updateStatus(), out.with({ config: { port: 80 } }));
    expect(again.deferred).toEqual([]);
    expect(again.getStoredState().content).toMatchObject({ configChanges: 1 });
    expect(ctx.emittedEvents.slice(-2).map((e) => [e.name, e.origin])).toEqual([
      ['config_changed', 'deferred'],
      ['update_status', 'juju'],
    ]);
  });

  it('seeds deferred events from the state', async () => {
    newContext();
    const deferred = ctx.on
      .configChanged()
      .deferred('onConfigChanged', { owner: 'SampleCharm', eventId: 4 });
    const out = await ctx.run(
      ctx.on.start(),
      new State({
        deferred: [deferred],
        storedStates: [new StoredState({ content: { configChanges: 5, seen: [] } })],
      }),
    );
    expect(out.deferred).toEqual([]);
    expect(out.getStoredState().content).toEqual({ configChanges: 6, seen: ['start'] });
    expect(deferred).toBeInstanceOf(DeferredEvent);
  });

  it('reads remote relation data in relation-changed', async () => {
    newContext();
    const db = new Relation({ endpoint: 'db', remoteAppName: 'pg', remoteAppData: { host: 'h1' } });
    const out = await ctx.run(
      ctx.on.relationChanged(db, { remoteUnit: 0 }),
      new State({ relations: [db], leader: true }),
    );
    expect(out.getRelation(db.id).localAppData).toEqual({ 'seen-host': 'h1' });
  });

  it('passes the departing unit of relation-departed', async () => {
    newContext();
    const db = new Relation({
      endpoint: 'db',
      remoteAppName: 'pg',
      remoteUnitsData: { 0: {}, 1: {} },
    });
    const out = await ctx.run(
      ctx.on.relationDeparted(db, { remoteUnit: 1, departingUnit: 1 }),
      new State({ relations: [db] }),
    );
    expect(out.getStoredState().content).toMatchObject({ seen: ['departed:pg/1'] });
  });

  it('runs actions with results and logs, and raises ActionFailed on fail()', async () => {
    newContext();
    const output = await ctx.runWithOutput(ctx.on.action('backup', { target: '/b' }), new State());
    expect(output.actionResults).toEqual({ target: '/b', size: { bytes: '42' } });
    expect(ctx.actionLogs).toEqual(['backing up to /b']);
    const failing = ctx.run(ctx.on.action('backup', { target: '/forbidden' }), new State());
    await expect(failing).rejects.toThrow(ActionFailed);
    await expect(
      ctx.run(ctx.on.action('backup', { target: '/forbidden' }), new State()),
    ).rejects.toMatchObject({
      failureMessage: 'not allowed',
      output: { logs: ['backing up to /forbidden'] },
    });
  });

  it('serves containers with a real fake Pebble: layers, services, files and exec', async () => {
    newContext();
    const workload = new Container({
      name: 'workload',
      canConnect: true,
      execs: [new Exec({ commandPrefix: ['hostname'], stdout: 'box\n' })],
    });
    const out = await ctx.run(ctx.on.pebbleReady(workload), new State({ containers: [workload] }));
    expect(ctx.unitStatusHistory.at(-1)).toEqual(new ActiveStatus('host box'));
    const container = out.getContainer('workload');
    expect(Object.keys(container.layers)).toEqual(['sample']);
    expect(container.plan.services?.web?.command).toBe('/bin/web');
    expect(container.serviceStatuses).toEqual({ web: 'active' });
    expect(readFileSync(join(ctx.containerRoot('workload'), 'etc/sample.conf'), 'utf8')).toBe(
      'port=8080\n',
    );
    expect(ctx.execHistory.workload?.[0]?.command).toEqual(['hostname']);
  });

  it('delivers notices and check events', async () => {
    newContext();
    const notice = new Notice({ key: 'example.com/ping' });
    const check = new CheckInfo({ name: 'up', status: 'down', failures: 3 });
    const workload = new Container({
      name: 'workload',
      canConnect: true,
      notices: [notice],
      checkInfos: [check],
      layers: { base: { checks: { up: { override: 'replace', tcp: { port: 1 } } } } },
    });
    const state = new State({ containers: [workload] });
    const out = await ctx.run(ctx.on.pebbleCustomNotice(workload, notice), state);
    expect(out.getStoredState().content).toMatchObject({ seen: ['notice:example.com/ping'] });
    const out2 = await ctx.run(ctx.on.pebbleCheckFailed(workload, check), state);
    expect(out2.unitStatus).toEqual(new ActiveStatus());
    expect(ctx.unitStatusHistory.at(-1)).toEqual(new WaitingStatus('check up failed'));
  });

  it('handles storage and secrets', async () => {
    newContext();
    const data = new Storage({ name: 'data', index: 0 });
    const out = await ctx.run(ctx.on.storageAttached(data), new State({ storages: [data] }));
    expect(out.getStoredState().content).toMatchObject({
      seen: [`storage:${ctx.storageRoot('data', 0)}`],
    });
    const secret = new Secret({ trackedContent: { a: '1' }, latestContent: { a: '2', b: '3' } });
    const out2 = await ctx.run(ctx.on.secretChanged(secret), new State({ secrets: [secret] }));
    expect(out2.getSecret({ id: secret.id }).trackedContent).toEqual({ a: '2', b: '3' });
    const owned = new Secret({
      trackedContent: { a: '1' },
      latestContent: { a: '2' },
      owner: 'app',
      latestRevision: 3,
    });
    await ctx.run(
      ctx.on.secretRemove(owned, { revision: 1 }),
      new State({ secrets: [owned], leader: true }),
    );
    expect(ctx.removedSecretRevisions).toEqual([1]);
  });

  it('rejects inconsistent input, unknown events and charm errors', async () => {
    newContext();
    await expect(ctx.run(ctx.on.install(), new State({ config: { nope: 1 } }))).rejects.toThrow(
      InconsistentScenarioError,
    );
    await expect(ctx.run(ctx.on.custom('no_such_event'), new State())).rejects.toThrow(
      NoObserverError,
    );
    const db = new Relation({ endpoint: 'db', remoteUnitsData: { 0: {} } });
    // A relation event for a relation that is not db's own endpoint's shape still runs; errors come from charm code:
    const peers = new PeerRelation({ endpoint: 'cluster' });
    const out = await ctx.run(ctx.on.relationCreated(peers), new State({ relations: [peers, db] }));
    expect(out.getStoredState().content).toMatchObject({ seen: ['cluster_relation_created'] });
    await expect(
      ctx.run(ctx.on.configChanged(), new State({ config: { port: 70000 } })),
    ).rejects.toThrow(UncaughtCharmError);
  });

  it('records emitted events, with framework events on request', async () => {
    newContext({ captureFrameworkEvents: true });
    await ctx.run(ctx.on.start(), new State());
    expect(ctx.emittedEvents.map((e) => [e.name, e.origin])).toEqual([
      ['start', 'juju'],
      ['collect_unit_status', 'framework'],
      ['pre_commit', 'framework'],
      ['commit', 'framework'],
    ]);
    expect(ctx.emittedEvents[0]?.handlePath).toMatch(/^SampleCharm\/on\/start\[\d+\]$/);
    newContext();
    await ctx.run(ctx.on.start(), new State());
    expect(ctx.emittedEvents.map((e) => e.name)).toEqual(['start']);
  });

  it('gives a manager access to the live charm, once', async () => {
    newContext();
    const seen: number[] = [];
    const mgr = ctx.manager(ctx.on.configChanged(), new State({ config: { port: 99 } }), {
      beforeEmit: (charm) => seen.push(charm.stored.data.configChanges),
    });
    expect(() => mgr.charm).toThrow(ContextSetupError);
    const out = await mgr.run();
    expect(seen).toEqual([0]);
    expect(mgr.charm.stored.data.configChanges).toBe(1);
    expect(out.openedPorts).toEqual([Port.tcp(99)]);
    expect(mgr.output.state).toBe(out);
    await expect(mgr.run()).rejects.toThrow(AlreadyEmittedError);
  });

  it('runs on the in-memory backend too', async () => {
    newContext({ backend: 'memory' });
    const db = new Relation({ endpoint: 'db' });
    const out = await ctx.run(
      ctx.on.configChanged(),
      new State({ relations: [db], config: { port: 5 } }),
    );
    expect(out.getRelation(db.id).localUnitData.port).toBe('5');
  });

  it('gives credential-get a cloud spec only when the app is trusted', async () => {
    const { ModelInfo } = await import('../src/state/misc.js');
    const state = new State({
      model: new ModelInfo({ type: 'lxd', cloudSpec: { type: 'lxd', name: 'home' } }),
    });
    newContext({ appTrusted: true });
    const trusted = await ctx
      .manager(ctx.on.start(), state, {
        beforeEmit: (charm) => {
          expect(charm.model.getCloudSpec().name).toBe('home');
        },
      })
      .run();
    expect(trusted).toBeInstanceOf(State);
    ctx.close();
    newContext();
    let error: unknown;
    await ctx
      .manager(ctx.on.start(), state, {
        beforeEmit: (charm) => {
          try {
            charm.model.getCloudSpec();
          } catch (e) {
            error = e;
          }
        },
      })
      .run();
    expect(String(error)).toContain('cannot access cloud credentials');
  });

  it("routes core's process-wide logger to the run's juju-log, only during the run", async () => {
    const { CharmBase, logger } = await import('@opsjs/core');
    class Chatty extends CharmBase {
      constructor(framework: import('@opsjs/core').Framework) {
        super(framework);
        this.observe(this.on.start, this.onStart);
      }
      onStart(): void {
        logger.info('hello from the charm');
      }
    }
    const chatty = new Context(Chatty, { meta: { name: 'chatty' } });
    await chatty.run(chatty.on.start(), new State());
    expect(chatty.jujuLog).toContainEqual({ level: 'INFO', message: 'hello from the charm' });
    const count = chatty.jujuLog.length;
    logger.info('outside any run');
    expect(chatty.jujuLog).toHaveLength(count);
    chatty.close();
    newContext();
  });

  it('runs collect-status events as the dispatched event', async () => {
    newContext({ captureFrameworkEvents: true });
    const out = await ctx.run(ctx.on.collectUnitStatus(), new State({ config: { debug: true } }));
    expect(out.unitStatus).toEqual(new BlockedStatus('debug mode'));
    expect(ctx.emittedEvents[0]).toMatchObject({
      name: 'collect_unit_status',
      origin: 'framework',
    });
    await ctx.run(ctx.on.collectAppStatus(), new State({ leader: true }));
  });

  it('reports consistency warnings, exposes container filesystems and simulates old-Juju secret owners', async () => {
    newContext();
    const db = new Relation({ endpoint: 'db', remoteAppName: 'pg' });
    const output = await ctx.runWithOutput(
      ctx.on.relationChanged(db),
      new State({ relations: [db] }),
    );
    expect(output.consistencyWarnings).toEqual([
      'db_relation_changed uses remote unit 0 implicitly; pass { remoteUnit } to be explicit.',
    ]);
    const workload = new Container({
      name: 'workload',
      canConnect: true,
      execs: [new Exec({ commandPrefix: ['hostname'] })],
    });
    await ctx.run(ctx.on.pebbleReady(workload), new State({ containers: [workload] }));
    expect(readFileSync(join(workload.getFilesystem(ctx), 'etc/sample.conf'), 'utf8')).toBe(
      'port=8080\n',
    );
    const secret = new Secret({
      trackedContent: { a: '1' },
      latestContent: { a: '2' },
      owner: 'unit',
    });
    for (const [jujuVersion, expected] of [
      ['3.1.6', '2'],
      ['3.1.7', '1'],
      ['3.3.0', '2'],
      ['3.6.14', '1'],
    ] as const) {
      const old = new Context(SampleCharm, { meta: SAMPLE_META, jujuVersion });
      let seen = '';
      await old
        .manager(old.on.start(), new State({ secrets: [secret] }), {
          beforeEmit: (charm) => {
            seen = charm.model.getSecret({ id: secret.id }).getContent().a ?? '';
          },
        })
        .run();
      expect([jujuVersion, seen]).toEqual([jujuVersion, expected]);
      old.close();
    }
  });

  it('honours OPSJS_BARE_CHARM_ERRORS and OPSJS_SKIP_CONSISTENCY_CHECKS', async () => {
    newContext();
    process.env.OPSJS_BARE_CHARM_ERRORS = '1';
    process.env.OPSJS_SKIP_CONSISTENCY_CHECKS = '1';
    try {
      const error = await ctx
        .run(ctx.on.configChanged(), new State({ config: { port: 70000 } }))
        .catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(UncaughtCharmError);
      expect(String(error)).toContain('invalid port range or protocol');
      // An undeclared config key passes the (skipped) checker and reaches the charm.
      await expect(
        ctx.run(ctx.on.install(), new State({ config: { undeclared: 'x' } })),
      ).resolves.toBeInstanceOf(State);
      // As Scenario: '0', 'false' and '' leave the switches off.
      process.env.OPSJS_BARE_CHARM_ERRORS = '0';
      process.env.OPSJS_SKIP_CONSISTENCY_CHECKS = '';
      await expect(
        ctx.run(ctx.on.configChanged(), new State({ config: { port: 70000 } })),
      ).rejects.toThrow(UncaughtCharmError);
      await expect(
        ctx.run(ctx.on.install(), new State({ config: { undeclared: 'x' } })),
      ).rejects.toThrow(InconsistentScenarioError);
      process.env.OPSJS_BARE_CHARM_ERRORS = 'True';
      await expect(
        ctx.run(ctx.on.configChanged(), new State({ config: { port: 70000 } })),
      ).rejects.not.toThrow(UncaughtCharmError);
    } finally {
      delete process.env.OPSJS_BARE_CHARM_ERRORS;
      delete process.env.OPSJS_SKIP_CONSISTENCY_CHECKS;
    }
  });

  it('seeds service statuses and reads them back from the fake Pebble', async () => {
    newContext();
    const workload = new Container({
      name: 'workload',
      canConnect: true,
      layers: {
        base: {
          services: {
            db: { override: 'replace', command: '/bin/db' },
            web: { override: 'replace', command: '/bin/web', startup: 'enabled' },
          },
        },
      },
      serviceStatuses: { db: 'error' },
    });
    const out = await ctx.run(ctx.on.updateStatus(), new State({ containers: [workload] }));
    expect(out.getContainer('workload').serviceStatuses).toEqual({ db: 'error', web: 'inactive' });
  });

  it('reuses a container server across runs, reset for each, and hides it when not connectable', async () => {
    newContext();
    const up = new Container({
      name: 'workload',
      canConnect: true,
      execs: [new Exec({ commandPrefix: ['hostname'] })],
    });
    const first = await ctx.run(ctx.on.pebbleReady(up), new State({ containers: [up] }));
    expect(Object.keys(first.getContainer('workload').layers)).toEqual(['sample']);
    let probe: Promise<boolean> | undefined;
    const down = new Container({ name: 'workload' });
    await ctx
      .manager(ctx.on.updateStatus(), new State({ containers: [down] }), {
        beforeEmit: (charm) => {
          // Awaited below: the server stays hidden until the next run starts.
          probe = charm.unit.getContainer('workload').canConnect();
        },
      })
      .run();
    expect(await probe).toBe(false);
    const fresh = new Container({ name: 'workload', canConnect: true });
    const again = await ctx.run(ctx.on.updateStatus(), new State({ containers: [fresh] }));
    expect(again.getContainer('workload').layers).toEqual({});
    expect(readFileSync(join(ctx.containerRoot('workload'), 'etc/sample.conf'), 'utf8')).toBe(
      'port=8080\n',
    );
  });
});
