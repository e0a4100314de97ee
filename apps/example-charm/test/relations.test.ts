// The optional `ingress` and `database` relations, through @opsjs/interface-ingress and
// @opsjs/interface-postgresql, with the bags Python charms (traefik-k8s, postgresql-k8s) write.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActiveStatus, BlockedStatus, WaitingStatus } from '@opsjs/core';
import { Context, EventFactories, Relation, runDispatch, Secret, State } from '@opsjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_NAME, ExampleCharm, paths } from '../src/example-charm.js';
import { type PackedCharm, packAndUnpack } from './helpers/packed.js';
import { charmRoot, sharedToken, useTempDirs, webContainer } from './helpers/state.js';

const tempDir = useTempDirs();

/** What traefik-k8s publishes once it routes the app. */
function traefik(url = 'http://proxy.example/demo-example-charm'): Relation {
  return new Relation({
    endpoint: 'ingress',
    remoteAppName: 'traefik',
    remoteAppData: { ingress: JSON.stringify({ url }) },
  });
}

/** What postgresql-k8s publishes: plain fields, credentials in a secret it granted. */
function postgresql(): { relation: Relation; secret: Secret } {
  const secret = new Secret({
    trackedContent: { username: 'relation-9', password: 'pg-password', uris: 'postgresql://x' },
  });
  const relation = new Relation({
    endpoint: 'database',
    remoteAppName: 'postgresql-k8s',
    remoteAppData: {
      database: DATABASE_NAME,
      endpoints: 'postgresql-k8s-primary:5432',
      'secret-user': secret.id,
    },
  });
  return { relation, secret };
}

describe('ingress and database (Context/State)', () => {
  const ctx = new Context(ExampleCharm, { charmRoot });
  afterEach(() => {
    ctx.close();
  });

  it('stays Active without either relation', async () => {
    const { secret, peers } = sharedToken();
    const out = await ctx.run(
      ctx.on.updateStatus(),
      new State({ relations: [peers], secrets: [secret], containers: [webContainer(tempDir())] }),
    );
    expect(out.unitStatus).toEqual(new ActiveStatus('serving on port 8080'));
  });

  it('asks for ingress with the bags traefik reads, and shows the URL it serves', async () => {
    const { secret, peers } = sharedToken();
    const rel = new Relation({ endpoint: 'ingress', remoteAppName: 'traefik' });
    const state = new State({
      leader: true,
      relations: [peers, rel],
      secrets: [secret],
      containers: [webContainer(tempDir())],
    });
    const joined = await ctx.run(ctx.on.relationJoined(rel, { remoteUnit: 0 }), state);
    const written = joined.getRelation(rel.id);
    expect(written.localAppData).toEqual({
      model: JSON.stringify(joined.model.name),
      name: '"example-charm"',
      port: '8080',
    });
    expect(written.localUnitData.host).toBe(
      `"example-charm-0.example-charm-endpoints.${joined.model.name}.svc.cluster.local"`,
    );
    const served = traefik();
    const ready = await ctx.runWithOutput(
      ctx.on.relationChanged(served),
      joined.with({ relations: [peers, served] }),
    );
    expect(ready.jujuLog.map((l) => l.message)).toContain(
      'ingress: the proxy serves this app at http://proxy.example/demo-example-charm',
    );
    expect(ready.state.unitStatus).toEqual(
      new ActiveStatus('serving on port 8080, http://proxy.example/demo-example-charm'),
    );
  });

  it('is blocked by malformed ingress data', async () => {
    const { secret, peers } = sharedToken();
    const bad = new Relation({
      endpoint: 'ingress',
      remoteAppName: 'traefik',
      remoteAppData: { ingress: '{"url": 5}' },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(bad),
      new State({
        relations: [peers, bad],
        secrets: [secret],
        containers: [webContainer(tempDir())],
      }),
    );
    expect(out.unitStatus).toEqual(new BlockedStatus('invalid ingress data: ingress.url'));
  });

  it('requests the database as leader, waits for credentials, then pushes them to the workload', async () => {
    const { secret, peers } = sharedToken();
    const host = tempDir();
    const empty = new Relation({ endpoint: 'database', remoteAppName: 'postgresql-k8s' });
    const state = new State({
      leader: true,
      relations: [peers, empty],
      secrets: [secret],
      containers: [webContainer(host)],
    });
    const joined = await ctx.run(ctx.on.relationJoined(empty, { remoteUnit: 0 }), state);
    expect(joined.getRelation(empty.id).localAppData).toEqual({
      database: DATABASE_NAME,
      'requested-secrets': '["username", "password", "tls-ca", "uris", "read-only-uris"]',
    });
    expect(joined.unitStatus).toEqual(new WaitingStatus('waiting for database credentials'));
    const pg = postgresql();
    const ready = await ctx.run(
      ctx.on.relationChanged(pg.relation),
      joined.with({ relations: [peers, pg.relation], secrets: [...joined.secrets, pg.secret] }),
    );
    expect(ready.unitStatus).toEqual(new ActiveStatus('serving on port 8080'));
    const pushed: unknown = JSON.parse(readFileSync(join(host, 'etc', 'database.json'), 'utf8'));
    expect(pushed).toMatchObject({
      database: DATABASE_NAME,
      endpoints: 'postgresql-k8s-primary:5432',
      username: 'relation-9',
      password: 'pg-password',
    });
    const config: unknown = JSON.parse(readFileSync(join(host, 'etc', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ databaseFile: paths.database });
  });

  it('is blocked by a database bag without endpoints', async () => {
    const { secret, peers } = sharedToken();
    const bad = new Relation({
      endpoint: 'database',
      remoteAppName: 'postgresql-k8s',
      remoteAppData: { database: DATABASE_NAME, username: 'u', password: 'p' },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(bad),
      new State({
        relations: [peers, bad],
        secrets: [secret],
        containers: [webContainer(tempDir())],
      }),
    );
    expect(out.unitStatus.name).toBe('blocked');
    expect(out.unitStatus.message).toMatch(/^invalid database data: .*endpoints/);
  });
});

describe('ingress and database (the packed charm as a process)', () => {
  const on = new EventFactories();
  let packed: PackedCharm | undefined;
  beforeAll(async () => {
    packed = await packAndUnpack();
  });
  afterAll(() => {
    packed?.remove();
  });

  it('writes its requests through relation-set and reads the answers', async () => {
    if (packed === undefined) throw new Error('the charm was not packed');
    const { secret, peers } = sharedToken();
    const host = tempDir();
    const ingress = traefik('https://web.example/m-example-charm');
    const pg = postgresql();
    const out = await runDispatch({
      charmDir: packed.charmDir,
      event: on.relationChanged(pg.relation),
      state: new State({
        leader: true,
        relations: [peers, ingress, pg.relation],
        secrets: [secret, pg.secret],
        containers: [webContainer(host)],
      }),
      charmClassName: 'ExampleCharm',
    });
    expect(out.state.unitStatus).toEqual(
      new ActiveStatus('serving on port 8080, https://web.example/m-example-charm'),
    );
    expect(readFileSync(join(host, 'etc', 'database.json'), 'utf8')).toContain('"relation-9"');
    const joined = await runDispatch({
      charmDir: packed.charmDir,
      event: on.relationJoined(out.state.getRelation(ingress.id), { remoteUnit: 0 }),
      state: out.state,
      charmClassName: 'ExampleCharm',
    });
    expect(joined.hookToolCalls.map((c) => c.slice(0, 3))).toContainEqual([
      'relation-set',
      '-r',
      `ingress:${ingress.id}`,
    ]);
    expect(joined.state.getRelation(ingress.id).localAppData.port).toBe('8080');
  });
});
