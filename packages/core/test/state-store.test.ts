import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../src/errors.js';
import {
  type ControllerStateBackend,
  ControllerStateStore,
} from '../src/storage/controller-state-store.js';
import { LOCAL_STATE_FILE, LocalStateStore } from '../src/storage/local-state-store.js';
import { MemoryStateStore, type StateStore } from '../src/storage/state-store.js';

const notice = (n: number) => ({
  eventPath: `MyCharm/on/config_changed[${n}]`,
  observerPath: 'MyCharm',
  methodName: 'onConfigChanged',
});

function contract(name: string, open: () => { store: StateStore; reopen: () => StateStore }) {
  describe(`${name} (StateStore contract)`, () => {
    it('saves, loads, lists and drops snapshots; committed data survives a reopen', () => {
      const { store, reopen } = open();
      expect(store.loadSnapshot('a')).toBeUndefined();
      store.saveSnapshot('a', { x: 1, y: ['z'] });
      store.saveSnapshot('b', {});
      store.dropSnapshot('b');
      store.dropSnapshot('missing');
      expect(store.loadSnapshot('a')).toEqual({ x: 1, y: ['z'] });
      expect(store.listSnapshots()).toEqual(['a']);
      store.commit();
      const again = reopen();
      expect(again.loadSnapshot('a')).toEqual({ x: 1, y: ['z'] });
    });

    it('keeps notices in insertion order and filters by event path', () => {
      const { store, reopen } = open();
      store.saveNotice(notice(3));
      store.saveNotice(notice(1));
      store.saveNotice({ ...notice(3), methodName: 'other' });
      expect(store.notices().map((n) => n.eventPath)).toEqual([
        notice(3).eventPath,
        notice(1).eventPath,
        notice(3).eventPath,
      ]);
      expect(store.notices(notice(3).eventPath)).toHaveLength(2);
      store.dropNotice(notice(3));
      store.commit();
      expect(reopen().notices()).toEqual([notice(1), { ...notice(3), methodName: 'other' }]);
    });

    it('discards what was not committed', () => {
      const { store, reopen } = open();
      store.saveSnapshot('kept', { v: 1 });
      store.commit();
      store.saveSnapshot('lost', { v: 2 });
      store.saveNotice(notice(9));
      store.close();
      const again = reopen();
      expect(again.loadSnapshot('lost')).toBeUndefined();
      expect(again.notices()).toEqual([]);
      expect(again.loadSnapshot('kept')).toEqual({ v: 1 });
    });

    it('returns copies, not its own objects', () => {
      const { store } = open();
      const data = { list: [1] };
      store.saveSnapshot('a', data);
      data.list.push(2);
      const loaded = store.loadSnapshot('a');
      expect(loaded).toEqual({ list: [1] });
    });
  });
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-store-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

contract('MemoryStateStore', () => {
  const store = new MemoryStateStore();
  return { store, reopen: () => new MemoryStateStore(store.committed) };
});

contract('LocalStateStore', () => {
  const store = new LocalStateStore(dir);
  return { store, reopen: () => new LocalStateStore(dir) };
});

class FakeControllerState implements ControllerStateBackend {
  readonly committed = new Map<string, string>();
  readonly calls: string[] = [];
  pending = new Map<string, string | undefined>();
  stateGet(key: string): string | null {
    this.calls.push(`state-get ${key}`);
    return this.committed.get(key) ?? null;
  }
  stateSet(values: Readonly<Record<string, string>>): void {
    this.calls.push(`state-set ${Object.keys(values).join(',')}`);
    for (const [k, v] of Object.entries(values)) this.committed.set(k, v);
  }
  stateDelete(key: string): void {
    this.calls.push(`state-delete ${key}`);
    this.committed.delete(key);
  }
}

contract('ControllerStateStore', () => {
  const fake = new FakeControllerState();
  return { store: new ControllerStateStore(fake), reopen: () => new ControllerStateStore(fake) };
});

describe('LocalStateStore', () => {
  it('writes a 0600 file atomically and removes leftover temp files', () => {
    fs.writeFileSync(path.join(dir, `${LOCAL_STATE_FILE}.tmp-99999`), 'torn{');
    const store = new LocalStateStore(dir);
    expect(store.existed).toBe(false);
    store.saveSnapshot('a', { v: 1 });
    store.commit();
    const file = path.join(dir, LOCAL_STATE_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([LOCAL_STATE_FILE]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({
      format: 'opsjs-unit-state',
      version: 1,
      snapshots: { a: { v: 1 } },
      notices: [],
    });
    expect(new LocalStateStore(dir).existed).toBe(true);
  });

  it('reports a truncated file clearly and leaves it untouched', () => {
    const file = path.join(dir, LOCAL_STATE_FILE);
    fs.writeFileSync(file, '{"format":"opsjs-unit-state","version":1,"snaps');
    expect(() => new LocalStateStore(dir)).toThrow(StateStoreError);
    expect(() => new LocalStateStore(dir)).toThrow(
      `${file}: the unit state file is corrupted or truncated (47 bytes, not valid JSON)`,
    );
    expect(fs.readFileSync(file, 'utf8')).toHaveLength(47);
  });

  it('reports a file of the wrong shape or a newer format', () => {
    const file = path.join(dir, LOCAL_STATE_FILE);
    fs.writeFileSync(
      file,
      JSON.stringify({ format: 'opsjs-unit-state', version: 1, snapshots: {}, notices: [[1]] }),
    );
    expect(() => new LocalStateStore(dir)).toThrow('does not have the expected shape at notices.0');
    fs.writeFileSync(
      file,
      JSON.stringify({ format: 'opsjs-unit-state', version: 2, snapshots: {}, notices: [] }),
    );
    expect(() => new LocalStateStore(dir)).toThrow('format version 2, newer than the 1');
  });

  it.each([
    ['[]', '(root): expected an object, got an Array'],
    [
      '{"format":"other","version":1,"snapshots":{},"notices":[]}',
      'format: expected "opsjs-unit-state"',
    ],
    [
      '{"format":"opsjs-unit-state","version":"1","snapshots":{},"notices":[]}',
      'version: expected an integer, got a string',
    ],
    [
      '{"format":"opsjs-unit-state","version":1,"snapshots":[],"notices":[]}',
      'snapshots: expected an object, got an Array',
    ],
    [
      '{"format":"opsjs-unit-state","version":1,"snapshots":{"A/b":5},"notices":[]}',
      'snapshots.A/b: is a number, not a plain object',
    ],
    [
      '{"format":"opsjs-unit-state","version":1,"snapshots":{"A/b":{"x":[1,{"y":1e999}]}},"notices":[]}',
      'snapshots.A/b.x[1].y: is Infinity',
    ],
    [
      '{"format":"opsjs-unit-state","version":1,"snapshots":{},"notices":{}}',
      'notices: expected an array, got an Object',
    ],
    [
      '{"format":"opsjs-unit-state","version":1,"snapshots":{},"notices":[["a","b"]]}',
      'notices.0: expected [eventPath, observerPath, methodName], three strings',
    ],
  ])('names where a state file of the wrong shape goes wrong: %s', (text, where) => {
    const file = path.join(dir, LOCAL_STATE_FILE);
    fs.writeFileSync(file, text);
    expect(() => new LocalStateStore(dir)).toThrow(
      `${file}: the unit state file does not have the expected shape at ${where}`,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('reads back every kind of value a snapshot holds, and the notices in order', () => {
    const store = new LocalStateStore(dir);
    const data = { n: null, b: false, i: -3, f: 0.5, s: 'é\u0000', a: [1, [2], { c: 'd' }], o: {} };
    store.saveSnapshot('Charm/StoredStateData[_stored]', data);
    store.saveNotice({ eventPath: 'Charm/on/start[1]', observerPath: 'Charm', methodName: 'a' });
    store.saveNotice({ eventPath: 'Charm/on/start[2]', observerPath: 'Charm', methodName: 'b' });
    store.commit();
    const again = new LocalStateStore(dir);
    expect(again.loadSnapshot('Charm/StoredStateData[_stored]')).toEqual(data);
    expect(again.notices().map((n) => n.methodName)).toEqual(['a', 'b']);
  });

  it('keeps the old file when the write fails', () => {
    const store = new LocalStateStore(dir);
    store.saveSnapshot('a', { v: 1 });
    store.commit();
    // A directory where the temporary file must go makes the write fail (even as root).
    const blocker = path.join(dir, `${LOCAL_STATE_FILE}.tmp-${process.pid}`);
    fs.mkdirSync(blocker);
    fs.writeFileSync(path.join(blocker, 'x'), '');
    store.saveSnapshot('a', { v: 2 });
    expect(() => store.commit()).toThrow('cannot write the unit state file');
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 1 });
  });

  it('skips the write (and its fsyncs) when the state is unchanged, but always creates the file', () => {
    const file = path.join(dir, LOCAL_STATE_FILE);
    new LocalStateStore(dir).commit(); // empty state, no file yet: written (ops creates its db too)
    expect(fs.existsSync(file)).toBe(true);
    const first = new LocalStateStore(dir);
    first.saveSnapshot('a', { v: 1 });
    first.commit();
    const inode = fs.statSync(file).ino;
    const same = new LocalStateStore(dir);
    same.saveSnapshot('a', { v: 1 }); // rewritten with equal content
    same.commit();
    expect(fs.statSync(file).ino).toBe(inode); // not replaced
    same.saveSnapshot('a', { v: 2 });
    same.commit();
    expect(fs.statSync(file).ino).not.toBe(inode); // replaced by rename
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 2 });
  });

  it('refuses to commit after close', () => {
    const store = new LocalStateStore(dir);
    store.close();
    expect(() => store.commit()).toThrow('commit after close');
  });
});
