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
import {
  checksumOf,
  readRecords,
  readState,
  stateBody,
  stateFileBytes,
} from './helpers/state-file.js';

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
  const file = () => path.join(dir, LOCAL_STATE_FILE);

  it('creates a 0600 file atomically, removing leftover temp files', () => {
    fs.writeFileSync(path.join(dir, `${LOCAL_STATE_FILE}.tmp-99999`), 'torn{');
    const store = new LocalStateStore(dir);
    expect(store.existed).toBe(false);
    store.saveSnapshot('a', { v: 1 });
    store.commit();
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([LOCAL_STATE_FILE]);
    // Two 4 KiB slots: the record in the first, the second blank; readable text.
    const text = fs.readFileSync(file(), 'utf8');
    expect(text).toHaveLength(8192);
    expect(text.split('\n')[0]).toMatch(/^opsjs-unit-state 1 1 \d+ [0-9a-f]{8}$/);
    expect(readRecords(file())).toEqual([
      { slot: 0, version: 1, seq: 1, body: { snapshots: { a: { v: 1 } }, notices: [] } },
    ]);
    expect(new LocalStateStore(dir).existed).toBe(true);
  });

  it('writes each later state in place, over the slot that does not hold the current one', () => {
    const store = new LocalStateStore(dir);
    store.saveSnapshot('a', { v: 1 });
    store.commit();
    const inode = fs.statSync(file()).ino;
    for (const v of [2, 3]) {
      const next = new LocalStateStore(dir);
      next.saveSnapshot('a', { v });
      next.commit();
    }
    expect(fs.statSync(file()).ino).toBe(inode); // no new file, no rename
    expect(fs.statSync(file()).size).toBe(8192);
    expect(readRecords(file()).map((r) => [r.slot, r.seq, r.body])).toEqual([
      [0, 3, { snapshots: { a: { v: 3 } }, notices: [] }],
      [1, 2, { snapshots: { a: { v: 2 } }, notices: [] }],
    ]);
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 3 });
  });

  it('reads the previous state when the newer slot was torn by a crash', () => {
    const older = stateBody({ a: { v: 1 } });
    const newer = stateBody({ a: { v: 2 } });
    const whole = stateFileBytes({ seq: 1, body: older }, { seq: 2, body: newer });
    // The second slot cut off in the middle of its body, the rest still the old bytes.
    const torn = Buffer.concat([
      whole.subarray(0, 4096 + 40),
      stateFileBytes(null, { seq: 0, body: 'x'.repeat(200) }).subarray(4096 + 40),
    ]);
    fs.writeFileSync(file(), torn);
    const store = new LocalStateStore(dir);
    expect(store.loadSnapshot('a')).toEqual({ v: 1 });
    // The next commit goes over the torn slot; the intact one stays.
    store.saveSnapshot('a', { v: 3 });
    store.commit();
    expect(readRecords(file()).map((r) => [r.slot, r.seq])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(readState(file()).body).toEqual({ snapshots: { a: { v: 3 } }, notices: [] });
  });

  it('takes the record with the higher sequence number, whichever slot holds it', () => {
    fs.writeFileSync(
      file(),
      stateFileBytes({ seq: 8, body: stateBody({ a: { v: 8 } }) }, { seq: 7, body: stateBody() }),
    );
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 8 });
    fs.writeFileSync(
      file(),
      stateFileBytes(
        { seq: 8, body: stateBody(), checksum: '00000000' },
        { seq: 7, body: stateBody({ a: { v: 7 } }) },
      ),
    );
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 7 });
  });

  it.each([
    ['an extra field', 'opsjs-unit-state 1 9 %L %S x'],
    ['a missing field', 'opsjs-unit-state 1 9 %L'],
    ['a number with an exponent', 'opsjs-unit-state 1 9e0 %L %S'],
    ['a signed number', 'opsjs-unit-state 1 +9 %L %S'],
    ['another format name', 'opsjs-unit-stat3 1 9 %L %S'],
    ['a body longer than the slot', 'opsjs-unit-state 1 9 5000 %S'],
  ])('ignores a slot whose header has %s', (_, header) => {
    const body = stateBody({ a: { v: 9 } });
    const good = stateFileBytes({ seq: 1, body: stateBody({ a: { v: 1 } }) });
    const line = header
      .replace('%L', String(Buffer.byteLength(body)))
      .replace('%S', checksumOf(body));
    good.write(`${line}\n${body}\n`, 4096);
    fs.writeFileSync(file(), good);
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 1 });
  });

  it('moves to a bigger file, atomically, when the state outgrows its slot', () => {
    const store = new LocalStateStore(dir);
    store.saveSnapshot('a', { v: 1 });
    store.commit();
    const inode = fs.statSync(file()).ino;
    const big = { text: 'y'.repeat(5000) };
    const next = new LocalStateStore(dir);
    next.saveSnapshot('a', big);
    next.commit();
    expect(fs.statSync(file()).ino).not.toBe(inode);
    expect(fs.statSync(file()).size % 8192).toBe(0);
    expect(fs.statSync(file()).size).toBeGreaterThanOrEqual(4 * 5000);
    expect(readRecords(file()).map((r) => [r.slot, r.seq])).toEqual([[0, 2]]);
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual(big);
    expect(fs.readdirSync(dir)).toEqual([LOCAL_STATE_FILE]);
  });

  it('makes a file that lost its 0600 mode private again on the next commit', () => {
    new LocalStateStore(dir).commit();
    fs.chmodSync(file(), 0o644);
    const store = new LocalStateStore(dir);
    store.saveSnapshot('a', { v: 1 });
    store.commit();
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('writes the file anew when it was removed while the store was open', () => {
    new LocalStateStore(dir).commit();
    const store = new LocalStateStore(dir);
    fs.rmSync(file());
    store.saveSnapshot('a', { v: 1 });
    store.commit();
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 1 });
  });

  it.each([
    ['an empty file', Buffer.alloc(0), '0 bytes, not two slots of a multiple of 4096 bytes'],
    [
      'a truncated file',
      stateFileBytes({ seq: 1, body: stateBody() }).subarray(0, 5000),
      '5000 bytes, not two slots of a multiple of 4096 bytes',
    ],
    [
      'a file of another format (the JSON of earlier versions)',
      Buffer.from('{"format":"opsjs-unit-state","version":1,"snapshots":{},"notices":[]}\n'),
      '70 bytes, not two slots of a multiple of 4096 bytes',
    ],
    [
      'two damaged slots',
      stateFileBytes(
        { seq: 1, body: stateBody(), checksum: '00000000' },
        { seq: 2, body: stateBody(), checksum: 'ffffffff' },
      ),
      '8192 bytes, no intact record',
    ],
    ['two blank slots', stateFileBytes(null, null), '8192 bytes, no intact record'],
  ])('reports %s as corrupted or truncated and leaves it untouched', (_, bytes, detail) => {
    fs.writeFileSync(file(), bytes);
    expect(() => new LocalStateStore(dir)).toThrow(StateStoreError);
    expect(() => new LocalStateStore(dir)).toThrow(
      `${file()}: the unit state file is corrupted or truncated (${detail}); ` +
        'move it away to start from empty state',
    );
    expect(fs.readFileSync(file())).toEqual(bytes);
  });

  it('reports a file written by a newer opsjs, and an intact record that is not JSON', () => {
    fs.writeFileSync(file(), stateFileBytes({ seq: 3, body: stateBody(), version: 2 }));
    expect(() => new LocalStateStore(dir)).toThrow(
      `${file()}: the unit state file has format version 2, newer than the 1 this opsjs reads`,
    );
    fs.writeFileSync(file(), stateFileBytes({ seq: 3, body: '{"snapshots":' }));
    expect(() => new LocalStateStore(dir)).toThrow(
      `${file()}: the unit state file's record 3 is not valid JSON`,
    );
  });

  it.each([
    ['[]', '(root): expected an object, got an Array'],
    ['{"snapshots":[],"notices":[]}', 'snapshots: expected an object, got an Array'],
    ['{"snapshots":{"A/b":5},"notices":[]}', 'snapshots.A/b: is a number, not a plain object'],
    [
      '{"snapshots":{"A/b":{"x":[1,{"y":1e999}]}},"notices":[]}',
      'snapshots.A/b.x[1].y: is Infinity',
    ],
    ['{"snapshots":{},"notices":{}}', 'notices: expected an array, got an Object'],
    [
      '{"snapshots":{},"notices":[["a","b"]]}',
      'notices.0: expected [eventPath, observerPath, methodName], three strings',
    ],
  ])('names where a record of the wrong shape goes wrong: %s', (body, where) => {
    const bytes = stateFileBytes({ seq: 1, body });
    fs.writeFileSync(file(), bytes);
    expect(() => new LocalStateStore(dir)).toThrow(
      `${file()}: the unit state file does not have the expected shape at ${where}`,
    );
    expect(fs.readFileSync(file())).toEqual(bytes);
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
    // And once more after an in-place write.
    again.saveSnapshot('x', { s: 'ü' });
    again.commit();
    expect(new LocalStateStore(dir).loadSnapshot('Charm/StoredStateData[_stored]')).toEqual(data);
    expect(new LocalStateStore(dir).loadSnapshot('x')).toEqual({ s: 'ü' });
  });

  it('keeps the previous state when the write fails', () => {
    const store = new LocalStateStore(dir);
    store.saveSnapshot('a', { v: 1 });
    store.commit();
    // A state too big for its slot needs a new file; a directory where its temporary file must
    // go makes that fail (even as root).
    const blocker = path.join(dir, `${LOCAL_STATE_FILE}.tmp-${process.pid}`);
    fs.mkdirSync(blocker);
    fs.writeFileSync(path.join(blocker, 'x'), '');
    store.saveSnapshot('a', { v: 'z'.repeat(6000) });
    expect(() => store.commit()).toThrow('cannot write the unit state file');
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 1 });
  });

  it('skips the write (and its flush) when the state is unchanged, but always creates the file', () => {
    new LocalStateStore(dir).commit(); // empty state, no file yet: written (ops creates its db too)
    expect(readState(file()).seq).toBe(1);
    const first = new LocalStateStore(dir);
    first.saveSnapshot('a', { v: 1 });
    first.commit();
    expect(readState(file()).seq).toBe(2);
    const same = new LocalStateStore(dir);
    same.saveSnapshot('a', { v: 1 }); // rewritten with equal content
    same.commit();
    same.commit();
    expect(readState(file()).seq).toBe(2); // nothing written
    same.saveSnapshot('a', { v: 2 });
    same.commit();
    expect(readState(file()).seq).toBe(3);
    expect(new LocalStateStore(dir).loadSnapshot('a')).toEqual({ v: 2 });
  });

  it('refuses to commit after close', () => {
    const store = new LocalStateStore(dir);
    store.close();
    expect(() => store.commit()).toThrow('commit after close');
  });
});
