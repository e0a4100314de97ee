import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Context, EventFactories, Relation, runDispatch, State } from '@opsjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROXY_META, ProxyCharm, WEB_META, WebCharm } from './fixtures/charms.js';
import { bundleCharm } from './helpers/bundle.js';
import { published, validatePublished } from './helpers/published.js';

let ctx: Context | undefined;
afterEach(() => {
  ctx?.close();
  ctx = undefined;
});

describe('a web charm using IngressRequirer (Context)', () => {
  it('asks for ingress on joined, with bags a Python provider reads', async () => {
    ctx = new Context(WebCharm, { meta: WEB_META });
    const rel = new Relation({ endpoint: 'ingress', remoteAppName: 'traefik' });
    const out = await ctx.run(
      ctx.on.relationJoined(rel, { remoteUnit: 0 }),
      new State({ relations: [rel], leader: true }),
    );
    const written = out.getRelation(rel.id);
    expect(written.localAppData).toEqual({
      model: expect.stringMatching(/^".+"$/),
      name: '"web"',
      port: '8080',
    });
    expect(written.localUnitData.host).toBe('"web-0.web-endpoints"');
    const {
      'ingress-address': _a,
      'private-address': _p,
      'egress-subnets': _e,
      ...unit
    } = written.localUnitData;
    expect(
      validatePublished(published.requirer, { app: { ...written.localAppData }, unit }),
    ).toEqual([]);
    expect(out.unitStatus.name).toBe('waiting');
  });

  it('publishes only its unit bag when not leader', async () => {
    ctx = new Context(WebCharm, { meta: WEB_META });
    const rel = new Relation({ endpoint: 'ingress', remoteAppName: 'traefik' });
    const out = await ctx.run(
      ctx.on.relationJoined(rel, { remoteUnit: 0 }),
      new State({ relations: [rel] }),
    );
    expect(out.getRelation(rel.id).localAppData).toEqual({});
    expect(out.getRelation(rel.id).localUnitData.host).toBe('"web-0.web-endpoints"');
  });

  it('shows the URL a Python provider published, and blocks on a malformed one', async () => {
    ctx = new Context(WebCharm, { meta: WEB_META });
    const rel = new Relation({
      endpoint: 'ingress',
      remoteAppName: 'traefik',
      remoteAppData: { ingress: '{"url": "http://foo.bar:80/model_name-app_name/0"}' },
    });
    const out = await ctx.run(ctx.on.relationChanged(rel), new State({ relations: [rel] }));
    expect(out.unitStatus.message).toBe('serving at http://foo.bar:80/model_name-app_name/0');
    const bad = new Relation({
      endpoint: 'ingress',
      remoteAppName: 'traefik',
      remoteAppData: { ingress: '{"url": 5}' },
    });
    const out2 = await ctx.run(ctx.on.relationChanged(bad), new State({ relations: [bad] }));
    expect(out2.unitStatus.message).toBe('invalid ingress data: ingress.url');
  });
});

describe('a proxy charm using IngressProvider (Context)', () => {
  it('routes a Python requirer and publishes its URL', async () => {
    ctx = new Context(ProxyCharm, { meta: PROXY_META });
    const rel = new Relation({
      endpoint: 'ingress',
      remoteAppName: 'remote',
      remoteAppData: { model: '"bar"', port: '42', name: '"remote"' },
      remoteUnitsData: { 0: { host: '"0.0.0.42"' } },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(rel, { remoteUnit: 0 }),
      new State({ relations: [rel], leader: true }),
    );
    const app = out.getRelation(rel.id).localAppData;
    expect(app).toEqual({ ingress: '{"url": "http://proxy.local/bar-remote"}' });
    expect(validatePublished(published.provider, { app: { ...app } })).toEqual([]);
    expect(out.unitStatus.message).toBe('routing remote:42 to 1 unit(s)');
  });

  it('publishes nothing for the invalid bags of the upstream interface tests', async () => {
    ctx = new Context(ProxyCharm, { meta: PROXY_META });
    const rel = new Relation({
      endpoint: 'ingress',
      remoteAppName: 'remote',
      remoteAppData: { model: 'bar', port: '42', name: 'true' },
      remoteUnitsData: { 0: { host: '0.0.0.42' } },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(rel, { remoteUnit: 0 }),
      new State({ relations: [rel], leader: true }),
    );
    expect(out.getRelation(rel.id).localAppData).toEqual({});
  });
});

describe('the charms as real processes (runDispatch)', () => {
  const on = new EventFactories();
  let web: string | undefined;
  let proxy: string | undefined;
  beforeAll(async () => {
    web = await bundleCharm('web-main.ts');
    proxy = await bundleCharm('proxy-main.ts');
  });
  afterAll(() => {
    for (const f of [web, proxy])
      if (f !== undefined) rmSync(dirname(f), { recursive: true, force: true });
  });

  it('the web charm writes its request through relation-set and reads the URL', async () => {
    const rel = new Relation({ endpoint: 'ingress', remoteAppName: 'traefik' });
    const joined = await runDispatch({
      entry: defined(web),
      meta: WEB_META,
      event: on.relationJoined(rel, { remoteUnit: 0 }),
      state: new State({ relations: [rel], leader: true }),
      charmClassName: 'WebCharm',
    });
    expect(joined.exitCode).toBe(0);
    expect(joined.state.getRelation(rel.id).localAppData).toMatchObject({
      name: '"web"',
      port: '8080',
    });
    expect(joined.hookToolCalls.map((c) => c[0])).toContain('relation-set');
    const served = new Relation({
      endpoint: 'ingress',
      id: rel.id,
      remoteAppName: 'traefik',
      remoteAppData: { ingress: '{"url": "https://web.example/m-web"}' },
    });
    const changed = await runDispatch({
      entry: defined(web),
      meta: WEB_META,
      event: on.relationChanged(served),
      state: joined.state.with({ relations: [served] }),
      charmClassName: 'WebCharm',
    });
    expect(changed.state.unitStatus.message).toBe('serving at https://web.example/m-web');
  });

  it('the proxy charm publishes the URL through relation-set', async () => {
    const rel = new Relation({
      endpoint: 'ingress',
      remoteAppName: 'web',
      remoteAppData: { model: '"m"', port: '8080', name: '"web"' },
      remoteUnitsData: { 0: { host: '"web-0"' } },
    });
    const out = await runDispatch({
      entry: defined(proxy),
      meta: PROXY_META,
      event: on.relationChanged(rel, { remoteUnit: 0 }),
      state: new State({ relations: [rel], leader: true }),
      charmClassName: 'ProxyCharm',
    });
    expect(out.state.getRelation(rel.id).localAppData).toEqual({
      ingress: '{"url": "http://proxy.local/m-web"}',
    });
  });
});

function defined(entry: string | undefined): string {
  if (entry === undefined) throw new Error('the charm was not bundled (see beforeAll)');
  return entry;
}
