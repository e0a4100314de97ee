import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { postgresqlClientV0, secretGroupOf } from '../src/index.js';
import { published, validatePublished } from './helpers/published.js';

const examples = JSON.parse(
  readFileSync(new URL('./fixtures/example-bags.json', import.meta.url), 'utf8'),
);

describe('postgresql_client v0 against the published schemas', () => {
  it('parses the published example bags', () => {
    expect(postgresqlClientV0.provider.app.parse(examples.providerPlain).ok).toBe(true);
    expect(postgresqlClientV0.provider.app.parse(examples.providerWithSecrets)).toMatchObject({
      ok: true,
      data: { database: 'myappB', 'secret-user': expect.stringMatching(/^secret:/) },
    });
    expect(postgresqlClientV0.requirer.app.parse(examples.requirer)).toEqual({
      ok: true,
      data: { database: 'myappA', 'requested-secrets': ['username', 'password', 'tls-ca', 'uris'] },
    });
  });

  it('writes requirer bags that validate against the published schema, as Python writes them', () => {
    const app = postgresqlClientV0.requirer.app.encode({
      database: 'myappA',
      'requested-secrets': ['username', 'password', 'tls-ca', 'uris'],
    });
    expect(Object.fromEntries(Object.entries(app).filter(([, v]) => v !== ''))).toEqual(
      examples.requirer,
    );
    expect(validatePublished(published.requirer, { app: examples.requirer })).toEqual([]);
  });

  it('writes plain provider bags that validate against the published schema', () => {
    const app = postgresqlClientV0.provider.app.encode(examples.providerPlain);
    const written = Object.fromEntries(Object.entries(app).filter(([, v]) => v !== ''));
    expect(written).toEqual(examples.providerPlain);
    expect(validatePublished(published.provider, { app: written })).toEqual([]);
  });

  it('accepts bags with credentials in secrets, which the published schema (stale there) rejects', () => {
    expect(postgresqlClientV0.provider.app.parse(examples.providerWithSecrets).ok).toBe(true);
    expect(
      validatePublished(published.provider, { app: examples.providerWithSecrets }).sort(),
    ).toEqual([
      "/app: must have required property 'password'",
      "/app: must have required property 'username'",
    ]);
  });

  it('rejects what the published schema rejects', () => {
    const noDb = postgresqlClientV0.requirer.app.parse({ 'requested-secrets': '["username"]' });
    expect(noDb.ok).toBe(false);
    const badSecrets = postgresqlClientV0.requirer.app.parse({
      database: 'x',
      'requested-secrets': 'username',
    });
    expect(badSecrets.ok).toBe(false);
    expect(postgresqlClientV0.provider.app.parse({ database: 'x' }).ok).toBe(false);
  });

  it('declares every published field, with the same required lists except the secret credentials', () => {
    const ours = postgresqlClientV0.jsonSchemas();
    for (const side of ['provider', 'requirer'] as const) {
      const pubApp = (
        published[side].properties as Record<string, { properties: object; required: string[] }>
      ).app;
      const ourApp = (
        ours[side].properties as Record<string, { properties: object; required: string[] }>
      ).app;
      for (const field of Object.keys(pubApp?.properties ?? {})) {
        expect(Object.keys(ourApp?.properties ?? {})).toContain(field);
      }
      const expected = (pubApp?.required ?? []).filter((f) => f !== 'username' && f !== 'password');
      expect([...(ourApp?.required ?? [])].sort()).toEqual(expected.sort());
    }
  });

  it('groups secret fields as the interface README describes', () => {
    expect(['username', 'password', 'tls-ca', 'uris', 'other'].map(secretGroupOf)).toEqual([
      'user',
      'user',
      'tls',
      'user',
      'extra',
    ]);
  });
});
