import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Context, EventFactories, Relation, runDispatch, Secret, State } from '@opsjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APP_META, DatabaseCharm, DB_META, WebappCharm } from './fixtures/charms.js';
import { bundleCharm } from './helpers/bundle.js';
import { published, validatePublished } from './helpers/published.js';

let ctx: Context | undefined;
afterEach(() => {
  ctx?.close();
  ctx = undefined;
});

describe('an application using PostgresqlRequirer (Context)', () => {
  it('asks for a database with a bag that validates against the published schema', async () => {
    ctx = new Context(WebappCharm, { meta: APP_META });
    const rel = new Relation({ endpoint: 'database', remoteAppName: 'postgresql-k8s' });
    const out = await ctx.run(
      ctx.on.relationJoined(rel, { remoteUnit: 0 }),
      new State({ relations: [rel], leader: true }),
    );
    const app = out.getRelation(rel.id).localAppData;
    expect(app).toEqual({
      database: 'webapp',
      'requested-secrets': '["username", "password", "tls-ca", "uris", "read-only-uris"]',
    });
    expect(validatePublished(published.requirer, { app: { ...app } })).toEqual([]);
  });

  it('reads credentials from the secret a Python provider granted', async () => {
    ctx = new Context(WebappCharm, { meta: APP_META });
    const user = new Secret({
      trackedContent: { username: 'relation-7', password: 'pw', uris: 'postgresql://x' },
    });
    const tls = new Secret({
      trackedContent: { tls: 'true', 'tls-ca': '-----BEGIN CERTIFICATE-----' },
    });
    const rel = new Relation({
      endpoint: 'database',
      remoteAppName: 'postgresql-k8s',
      remoteAppData: {
        database: 'webapp',
        endpoints: 'postgresql-k8s-primary:5432',
        'secret-user': user.id,
        'secret-tls': tls.id,
      },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(rel),
      new State({ relations: [rel], secrets: [user, tls] }),
    );
    expect(out.unitStatus.message).toBe('relation-7@postgresql-k8s-primary:5432/webapp (tls)');
  });

  it('waits while the secret is not available, and reads plain credentials', async () => {
    ctx = new Context(WebappCharm, { meta: APP_META });
    const rel = new Relation({
      endpoint: 'database',
      remoteAppName: 'pg',
      remoteAppData: {
        database: 'webapp',
        endpoints: 'h:5432',
        'secret-user': 'secret:cjqub6vubg2s77p3nio0',
      },
    });
    const out = await ctx.run(ctx.on.relationChanged(rel), new State({ relations: [rel] }));
    expect(out.unitStatus).toMatchObject({ name: 'waiting' });
    const plain = new Relation({
      endpoint: 'database',
      remoteAppName: 'pg',
      remoteAppData: { database: 'webapp', endpoints: 'h:5432', username: 'u', password: 'p' },
    });
    const out2 = await ctx.run(ctx.on.relationChanged(plain), new State({ relations: [plain] }));
    expect(out2.unitStatus.message).toBe('u@h:5432/webapp');
  });

  it('blocks on a provider bag without endpoints', async () => {
    ctx = new Context(WebappCharm, { meta: APP_META });
    const rel = new Relation({
      endpoint: 'database',
      remoteAppName: 'pg',
      remoteAppData: { database: 'webapp' },
    });
    const out = await ctx.run(ctx.on.relationChanged(rel), new State({ relations: [rel] }));
    expect(out.unitStatus.message).toBe('invalid database data: endpoints');
  });
});

describe('a database charm using PostgresqlProvider (Context)', () => {
  it('sends requested fields in a granted secret and the rest in the bag', async () => {
    ctx = new Context(DatabaseCharm, { meta: DB_META });
    const rel = new Relation({
      endpoint: 'database',
      remoteAppName: 'webapp',
      remoteAppData: { database: 'webapp', 'requested-secrets': '["username", "password"]' },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(rel),
      new State({ relations: [rel], leader: true }),
    );
    const app = out.getRelation(rel.id).localAppData;
    expect(app).toMatchObject({
      database: 'webapp',
      endpoints: 'postgresql-primary:5432',
      uris: expect.stringContaining('postgresql://'),
      version: '16.8',
      'secret-user': expect.stringMatching(/^secret:/),
    });
    expect(app.username).toBeUndefined();
    expect(app.password).toBeUndefined();
    const secret = out.secrets.find((s) => s.id === app['secret-user']);
    expect(secret?.trackedContent).toEqual({
      username: `relation-${rel.id}`,
      password: 'generated-password',
    });
    expect(secret?.label).toBe(`postgresql_client.${rel.id}.user`);
    expect(secret?.remoteGrants[rel.id]).toEqual(['webapp']);
  });

  it('sends everything in the bag to a requirer that requests no secrets', async () => {
    ctx = new Context(DatabaseCharm, { meta: DB_META });
    const rel = new Relation({
      endpoint: 'database',
      remoteAppName: 'old-app',
      remoteAppData: { database: 'legacy', 'requested-secrets': '[]' },
    });
    const out = await ctx.run(
      ctx.on.relationChanged(rel),
      new State({ relations: [rel], leader: true }),
    );
    const app = out.getRelation(rel.id).localAppData;
    expect(app).toMatchObject({ username: `relation-${rel.id}`, password: 'generated-password' });
    expect(validatePublished(published.provider, { app: { ...app } })).toEqual([]);
    expect(out.secrets).toEqual([]);
  });
});

describe('the charms as real processes (runDispatch)', () => {
  const on = new EventFactories();
  let webapp: string | undefined;
  let database: string | undefined;
  beforeAll(async () => {
    webapp = await bundleCharm('webapp-main.ts');
    database = await bundleCharm('database-main.ts');
  });
  afterAll(() => {
    for (const f of [webapp, database])
      if (f !== undefined) rmSync(dirname(f), { recursive: true, force: true });
  });

  it('the database charm creates the secret through secret-add and secret-grant', async () => {
    const rel = new Relation({
      endpoint: 'database',
      remoteAppName: 'webapp',
      remoteAppData: { database: 'webapp', 'requested-secrets': '["username", "password"]' },
    });
    const out = await runDispatch({
      entry: defined(database),
      meta: DB_META,
      event: on.relationChanged(rel),
      state: new State({ relations: [rel], leader: true }),
      charmClassName: 'DatabaseCharm',
    });
    expect(out.exitCode).toBe(0);
    const tools = out.hookToolCalls.map((c) => c[0]);
    expect(tools).toEqual(expect.arrayContaining(['secret-add', 'secret-grant', 'relation-set']));
    const app = out.state.getRelation(rel.id).localAppData;
    expect(app['secret-user']).toMatch(/^secret:/);
    expect(app.password).toBeUndefined();
  });

  it('the application reads the granted secret through secret-get', async () => {
    const user = new Secret({ trackedContent: { username: 'relation-3', password: 'pw' } });
    const rel = new Relation({
      endpoint: 'database',
      remoteAppName: 'postgresql',
      remoteAppData: { database: 'webapp', endpoints: 'pg:5432', 'secret-user': user.id },
    });
    const out = await runDispatch({
      entry: defined(webapp),
      meta: APP_META,
      event: on.relationChanged(rel),
      state: new State({ relations: [rel], secrets: [user] }),
      charmClassName: 'WebappCharm',
    });
    expect(out.state.unitStatus.message).toBe('relation-3@pg:5432/webapp');
    expect(out.hookToolCalls.map((c) => c[0])).toContain('secret-get');
  });
});

function defined(entry: string | undefined): string {
  if (entry === undefined) throw new Error('the charm was not bundled (see beforeAll)');
  return entry;
}
