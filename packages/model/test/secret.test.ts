import { beforeEach, describe, expect, it } from 'vitest';
import { CharmMeta } from '../src/charm-meta.js';
import { InvalidArgumentError, SecretContentError, SecretNotFoundError } from '../src/errors.js';
import { Model } from '../src/model.js';
import { MemoryBackend } from './helpers/memory-backend.js';

const meta = CharmMeta.fromYaml('name: demo\nrequires:\n  db: {interface: pg}\n');
let backend: MemoryBackend;
let seen: string[];
let model: Model;

beforeEach(() => {
  backend = new MemoryBackend();
  backend.relations = [{ endpoint: 'db', id: 7, remoteApp: 'pg', remoteUnits: ['pg/0'], data: {} }];
  seen = [];
  model = new Model({
    meta,
    backend,
    unitName: 'demo/0',
    modelUuid: 'uuid-9',
    onSecretContent: (values) => seen.push(...values),
  });
});

describe('Model.getSecret', () => {
  it('canonicalises ids and fetches content at once', () => {
    backend.secrets = [{ id: 'cjm2bb5q4i3jq7kf9m9g', content: { password: 'pw' }, revision: 1 }];
    const secret = model.getSecret({ id: ' cjm2bb5q4i3jq7kf9m9g ', label: 'db-pass' });
    expect(secret.id).toBe('secret://uuid-9/cjm2bb5q4i3jq7kf9m9g');
    expect(secret.uniqueIdentifier).toBe('cjm2bb5q4i3jq7kf9m9g');
    expect(secret.label).toBe('db-pass');
    expect(backend.calls).toEqual([
      ['secretGet', { id: 'secret://uuid-9/cjm2bb5q4i3jq7kf9m9g', label: 'db-pass' }],
    ]);
    expect(secret.getContent()).toEqual({ password: 'pw' });
    expect(backend.calls).toHaveLength(1);
    expect(seen).toEqual(['pw']);
    expect(String(secret)).toBe(
      "<Secret id='secret://uuid-9/cjm2bb5q4i3jq7kf9m9g' label='db-pass'>",
    );
  });

  it('keeps secret: ids, needs an id or label, and reports missing secrets', () => {
    backend.secrets = [{ id: 'secret:abc', label: 'x', content: { aaa: 'v' }, revision: 1 }];
    expect(model.getSecret({ id: 'secret:abc' }).uniqueIdentifier).toBe('abc');
    expect(model.getSecret({ label: 'x' }).id).toBeUndefined();
    expect(() => model.getSecret({})).toThrow(InvalidArgumentError);
    expect(() => model.getSecret({ label: 'missing' })).toThrow(SecretNotFoundError);
  });
});

describe('Secret', () => {
  it('refresh, peek, info, set, grant, revoke, remove; label-only secrets resolve their id', () => {
    backend.secrets = [{ id: 'sid', label: 'lbl', content: { key: 'v1' }, revision: 4 }];
    const secret = model.getSecret({ label: 'lbl' });
    backend.calls = [];
    expect(secret.getContent({ refresh: true })).toEqual({ key: 'v1' });
    expect(secret.peekContent()).toEqual({ key: 'v1' });
    expect(secret.getInfo()).toMatchObject({
      id: 'secret://uuid-9/sid',
      label: 'lbl',
      revision: 4,
    });
    secret.setContent({ key: 'v2' });
    expect(secret.id).toBe('secret://uuid-9/sid');
    secret.setInfo({
      description: 'd',
      rotate: 'weekly',
      expire: new Date('2030-01-01T00:00:00Z'),
    });
    const rel = model.getRelation('db');
    if (rel === null) throw new Error('no relation');
    secret.grant(rel);
    secret.grant(rel, { unit: model.getUnit('pg/0') });
    secret.revoke(rel, { unit: model.getUnit('pg/0') });
    secret.removeRevision(3);
    secret.removeAllRevisions();
    const id = 'secret://uuid-9/sid';
    expect(backend.calls.filter((c) => !String(c[0]).startsWith('relation'))).toEqual([
      ['secretGet', { id: undefined, label: 'lbl', refresh: true }],
      ['secretGet', { id: undefined, label: 'lbl', peek: true }],
      ['secretInfoGet', { label: 'lbl' }],
      ['secretInfoGet', { label: 'lbl' }],
      ['secretSet', id, { content: { key: 'v2' } }],
      [
        'secretSet',
        id,
        {
          label: undefined,
          description: 'd',
          expire: new Date('2030-01-01T00:00:00Z'),
          rotate: 'weekly',
        },
      ],
      ['secretGrant', id, 7, undefined],
      ['secretGrant', id, 7, 'pg/0'],
      ['secretRevoke', id, 7, 'pg/0'],
      ['secretRemove', id, 3],
      ['secretRemove', id, undefined],
    ]);
    expect(seen).toEqual(['v1', 'v1', 'v1', 'v2']);
  });

  it('validates content and metadata before any tool call, never showing values', () => {
    backend.secrets = [{ id: 'sid', content: { key: 'v1' }, revision: 1 }];
    const secret = model.getSecret({ id: 'sid' });
    backend.calls = [];
    expect(() => secret.setContent({})).toThrow('Secret content must not be empty');
    expect(() => secret.setContent({ A: 'x' })).toThrow(SecretContentError);
    expect(() => secret.setContent({ ab: 'x', AB: 'y' })).toThrow(
      "Invalid secret keys: ['ab', 'AB']. Keys should be lowercase letters and digits, at least 3 characters long, start with a letter, and not start or end with a hyphen.",
    );
    const bad: Record<string, string> = JSON.parse('{"token": 12345}');
    let err: unknown;
    try {
      secret.setContent(bad);
    } catch (e) {
      err = e;
    }
    expect(String(err)).toContain(
      "Invalid secret values for keys: ['token']. Values should be of type str, not int.",
    );
    expect(String(err)).not.toContain('12345');
    expect(() => secret.setInfo({})).toThrow(InvalidArgumentError);
    expect(() => secret.setInfo({ rotate: 'sometimes' as 'daily' })).toThrow(
      /rotate: expected one of/,
    );
    expect(() => secret.setInfo({ expire: new Date('nope') })).toThrow(/invalid Date/);
    expect(() => secret.removeRevision(0)).toThrow(InvalidArgumentError);
    expect(backend.calls).toEqual([]);
  });

  it('addSecret for app and unit owners, with expiry as a duration', () => {
    const before = Date.now();
    const s = model.app.addSecret({ password: 'pw' }, { label: 'l', expire: 3_600_000 });
    const u = model.unit.addSecret({ token: 'tk' });
    expect(s.id).toBe('secret:s1');
    expect(s.getContent()).toEqual({ password: 'pw' });
    expect(u.id).toBe('secret:s2');
    const [, , args] = backend.calls[0] ?? [];
    expect(args).toMatchObject({ owner: 'application', label: 'l' });
    const expire = (args as { expire: Date }).expire.getTime();
    expect(expire).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(backend.calls[1]?.[2]).toMatchObject({ owner: 'unit' });
    expect(() => model.unit.addSecret({ x: 'y' })).toThrow(SecretContentError);
    expect(backend.calls).toHaveLength(2);
    expect(seen).toEqual(['pw', 'tk']);
  });
});
