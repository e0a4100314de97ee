import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SnapshotDataError, StoredStateError } from '../src/errors.js';
import { FrameworkObject } from '../src/framework.js';
import { StoredState } from '../src/stored-state.js';
import { makeFramework } from './helpers/framework.js';

class Owner extends FrameworkObject {}

const PATH = 'Owner[o]/StoredStateData[state]';

describe('StoredState', () => {
  it('starts from the defaults and persists changes at commit', async () => {
    const p1 = makeFramework();
    const owner = new Owner(p1.framework, 'o');
    const state = new StoredState(owner, 'state', { count: 0, names: [] as string[] });
    expect(state.handle.path).toBe(PATH);
    state.data.count += 1;
    state.data.names.push('a');
    expect(p1.store.loadSnapshot(PATH)).toBeUndefined();
    await p1.framework.commit();
    expect(p1.store.committed.snapshots[PATH]).toEqual({ count: 1, names: ['a'] });

    const p2 = makeFramework(p1.store.committed);
    const again = new StoredState(new Owner(p2.framework, 'o'), 'state', {
      count: 0,
      names: [] as string[],
    });
    expect(again.data).toEqual({ count: 1, names: ['a'] });
  });

  it('restores lazily and writes nothing when unchanged or unread', async () => {
    const p1 = makeFramework();
    const s1 = new StoredState(new Owner(p1.framework, 'o'), 'state', { count: 5 });
    await p1.framework.commit();
    expect(s1.loaded).toBe(false);
    expect(p1.store.committed.snapshots[PATH]).toBeUndefined();

    p1.store.saveSnapshot(PATH, { count: 7 });
    p1.store.commit();
    const p2 = makeFramework(p1.store.committed);
    const s2 = new StoredState(new Owner(p2.framework, 'o'), 'state', { count: 0 });
    p2.store.saveSnapshot(PATH, { count: 8 }); // read happens only now
    expect(s2.data.count).toBe(8);
    const saved: string[] = [];
    const original = p2.store.saveSnapshot.bind(p2.store);
    p2.store.saveSnapshot = (path, data) => {
      saved.push(path);
      original(path, data);
    };
    await p2.framework.commit();
    expect(saved).not.toContain(PATH);
  });

  it('fills keys missing from stored data with defaults', () => {
    const p1 = makeFramework();
    p1.store.saveSnapshot(PATH, { count: 2 });
    const s = new StoredState(new Owner(p1.framework, 'o'), 'state', { count: 0, added: 'new' });
    expect(s.data).toEqual({ count: 2, added: 'new' });
  });

  it('rejects values that cannot be stored, naming the key, and commits nothing', async () => {
    const p1 = makeFramework();
    const s = new StoredState(new Owner(p1.framework, 'o'), 'state', {
      nested: { ok: 1 } as Record<string, unknown>,
    } as never);
    (s.data as { nested: Record<string, unknown> }).nested.bad = new Map();
    const err = await p1.framework.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnapshotDataError);
    expect(err).toHaveProperty(
      'message',
      expect.stringContaining(`unable to save the data for ${PATH}: nested.bad is a Map`),
    );
    expect(p1.store.committed.snapshots).toEqual({});
    expect(
      () => new StoredState(new Owner(p1.framework, 'p'), 'x', { u: undefined } as never),
    ).toThrow('u is undefined');
  });

  it('validates with a schema and reports data from an older charm clearly', () => {
    const schema = z.object({ port: z.number(), hosts: z.array(z.string()) });
    const p1 = makeFramework();
    p1.store.saveSnapshot(PATH, { port: '8080', hosts: [] });
    const s = new StoredState(
      new Owner(p1.framework, 'o'),
      'state',
      { port: 0, hosts: [] },
      {
        schema,
      },
    );
    expect(() => s.data).toThrow(StoredStateError);
    expect(() => s.data).toThrow(
      `${PATH}: stored data does not match the schema (written by an older version of the charm?): port:`,
    );
  });

  it('migrates older data when given a migrate function', async () => {
    const schema = z.object({ port: z.number() });
    const p1 = makeFramework();
    p1.store.saveSnapshot(PATH, { port: '8080' });
    const s = new StoredState(
      new Owner(p1.framework, 'o'),
      'state',
      { port: 0 },
      {
        schema,
        migrate: (old) => ({ port: Number(old.port) }),
      },
    );
    expect(s.data.port).toBe(8080);
    await p1.framework.commit();
    expect(p1.store.committed.snapshots[PATH]).toEqual({ port: 8080 });

    const bad = makeFramework();
    bad.store.saveSnapshot(PATH, { port: 'x' });
    const s2 = new StoredState(
      new Owner(bad.framework, 'o'),
      'state',
      { port: 0 },
      {
        schema,
        migrate: () => {
          throw new Error('cannot');
        },
      },
    );
    expect(() => s2.data).toThrow(`${PATH}: migrating the stored data failed`);
  });

  it('can replace the whole value', async () => {
    const p1 = makeFramework();
    const s = new StoredState(new Owner(p1.framework, 'o'), 'state', { a: 1 });
    s.data = { a: 2 };
    await p1.framework.commit();
    expect(p1.store.committed.snapshots[PATH]).toEqual({ a: 2 });
  });

  it('refuses two stored states with one name on one owner', () => {
    const p1 = makeFramework();
    const owner = new Owner(p1.framework, 'o');
    new StoredState(owner, 'state', {});
    expect(() => new StoredState(owner, 'state', {})).toThrow(
      `two objects claiming to be ${PATH} have been created`,
    );
    expect(() => new StoredState(owner, '', {})).toThrow('stored state needs a name');
  });
});
