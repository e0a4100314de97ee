import type { CharmMeta, Model } from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import {
  DeferError,
  DuplicateHandleError,
  InvalidHandlePathError,
  NoTypeError,
  ObserveError,
  SnapshotDataError,
  StateStoreError,
} from '../src/errors.js';
import {
  EventBase,
  Framework,
  FrameworkObject,
  ObjectEvents,
  toCamelCase,
  toSnakeCase,
} from '../src/framework.js';
import { Handle } from '../src/handle.js';
import { MemoryStateStore, type SnapshotData } from '../src/storage/state-store.js';
import { makeFramework } from './helpers/framework.js';

class DbReadyEvent extends EventBase {
  url = '';
  attempt = 0;
  constructor(handle: Handle, url: string, attempt = 0) {
    super(handle);
    this.url = url;
    this.attempt = attempt;
  }
  override snapshot(): SnapshotData {
    return { url: this.url, attempt: this.attempt };
  }
  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.url = String(snapshot.url);
    this.attempt = Number(snapshot.attempt);
  }
}

class PingEvent extends EventBase {}

class DbEvents extends ObjectEvents.define({ dbReady: DbReadyEvent, ping: PingEvent }) {}

class Db extends FrameworkObject {
  readonly on = new DbEvents(this);
}

class Recorder extends FrameworkObject {
  readonly seen: string[] = [];
  deferUntil = 0;
  constructor(parent: Framework | FrameworkObject, key: string) {
    super(parent, key);
  }
  onDbReady(event: DbReadyEvent): void {
    this.seen.push(`${this.handle.key}:${event.url}:${event.handle.path}`);
    if (this.seen.length <= this.deferUntil) event.defer();
  }
  onPing(event: PingEvent): void {
    this.seen.push(`${this.handle.key}:ping:${event.handle.path}`);
  }
}

describe('Handle', () => {
  it('builds paths from parent, kind and key, as ops does', () => {
    const root = new Handle(null, 'MyCharm', null);
    expect(root.path).toBe('MyCharm');
    expect(root.nest('on', null).nest('config_changed', '5').path).toBe(
      'MyCharm/on/config_changed[5]',
    );
    expect(new Handle(null, 'StoredStateData', '_stored').path).toBe('StoredStateData[_stored]');
    expect(new Handle(root, 'Webapp', '').path).toBe('MyCharm/Webapp');
  });

  it('parses paths back segment by segment', () => {
    const h = Handle.fromPath('MyCharm/Db[main]/on/db_ready[9]');
    expect(h.kind).toBe('db_ready');
    expect(h.key).toBe('9');
    expect(h.parent?.path).toBe('MyCharm/Db[main]/on');
    expect(h.parent?.parent?.key).toBe('main');
    expect(h.equals(Handle.fromPath(h.path))).toBe(true);
    expect(String(h)).toBe('MyCharm/Db[main]/on/db_ready[9]');
  });

  it('rejects malformed paths', () => {
    for (const bad of ['a/b[3', 'a[1][2]', 'a//b', '']) {
      expect(() => Handle.fromPath(bad)).toThrow(InvalidHandlePathError);
    }
    expect(() => Handle.fromPath('a/b[3')).toThrow(
      'attempted to restore invalid handle path a/b[3',
    );
  });
});

describe('names', () => {
  it('converts between event property names and kinds', () => {
    expect(toSnakeCase('dbRelationChanged')).toBe('db_relation_changed');
    expect(toSnakeCase('install')).toBe('install');
    expect(toCamelCase('db-relation-changed')).toBe('dbRelationChanged');
    expect(toCamelCase('receive_ca_cert_relation_broken')).toBe('receiveCaCertRelationBroken');
  });
});

describe('FrameworkObject', () => {
  it('derives handles from the class name or handleKind', () => {
    const { framework } = makeFramework();
    class Custom extends FrameworkObject {
      static override handleKind = 'custom-kind';
    }
    const db = new Db(framework, 'main');
    expect(db.handle.path).toBe('Db[main]');
    expect(db.on.handle.path).toBe('Db[main]/on');
    expect(new Custom(db, 'x').handle.path).toBe('Db[main]/custom-kind[x]');
    expect(framework.on.handle.path).toBe('on');
    expect(framework.objectAt('Db[main]')).toBe(db);
  });

  it('rejects two live objects with the same path', () => {
    const { framework } = makeFramework();
    new Db(framework, 'main');
    expect(() => new Db(framework, 'main')).toThrow(DuplicateHandleError);
    expect(() => new Db(framework, 'main')).toThrow(
      'two objects claiming to be Db[main] have been created',
    );
  });
});

describe('emit and observe', () => {
  it('runs observers in registration order with events restored from their snapshot', async () => {
    const { framework, store } = makeFramework();
    const db = new Db(framework, 'main');
    const a = new Recorder(framework, 'a');
    const b = new Recorder(framework, 'b');
    b.observe(db.on.dbReady, b.onDbReady);
    a.observe(db.on.dbReady, a.onDbReady);
    await db.on.dbReady.emit('pg://one');
    expect(b.seen).toEqual(['b:pg://one:Db[main]/on/db_ready[1]']);
    expect(a.seen).toEqual(['a:pg://one:Db[main]/on/db_ready[1]']);
    // Nothing deferred: no notice and no snapshot remain.
    expect(store.notices()).toEqual([]);
    expect(store.loadSnapshot('Db[main]/on/db_ready[1]')).toBeUndefined();
    expect(framework.eventCount).toBe(1);
  });

  it('hands handlers a restored copy, not the emitted object', async () => {
    const { framework } = makeFramework();
    const db = new Db(framework, 'main');
    class Keeper extends FrameworkObject {
      got: DbReadyEvent[] = [];
      onDbReady(event: DbReadyEvent): void {
        this.got.push(event);
      }
    }
    const k = new Keeper(framework, 'k');
    k.observe(db.on.dbReady, k.onDbReady);
    await db.on.dbReady.emit('x', 3);
    expect(k.got[0]).toBeInstanceOf(DbReadyEvent);
    expect(k.got[0]?.attempt).toBe(3);
    expect(k.got[0]?.framework).toBe(framework);
  });

  it('awaits async handlers one at a time and nests custom emissions', async () => {
    const { framework } = makeFramework();
    const db = new Db(framework, 'main');
    const order: string[] = [];
    class Async extends FrameworkObject {
      async onDbReady(event: DbReadyEvent): Promise<void> {
        order.push(`start ${event.url}`);
        await new Promise((r) => setImmediate(r));
        await db.on.ping.emit();
        order.push(`end ${event.url}`);
      }
      async onPing(): Promise<void> {
        await Promise.resolve();
        order.push('ping');
      }
      onDbReadySecond(event: DbReadyEvent): void {
        order.push(`second ${event.url}`);
      }
    }
    const o = new Async(framework, 'o');
    o.observe(db.on.dbReady, o.onDbReady);
    o.observe(db.on.ping, o.onPing);
    o.observe(db.on.dbReady, o.onDbReadySecond);
    await db.on.dbReady.emit('u');
    expect(order).toEqual(['start u', 'ping', 'end u', 'second u']);
  });

  it('accepts a function stored in a property: it is found by name in a later process', async () => {
    const { framework } = makeFramework();
    const db = new Db(framework, 'main');
    class WithField extends FrameworkObject {
      readonly seen: string[] = [];
      readonly onReady = (event: DbReadyEvent): void => {
        this.seen.push(event.url);
      };
    }
    const w = new WithField(framework, 'w');
    w.observe(db.on.dbReady, w.onReady);
    await db.on.dbReady.emit('u');
    expect(w.seen).toEqual(['u']);
  });

  it('accepts a method name, and rejects handlers that cannot be found again', () => {
    const { framework } = makeFramework();
    const db = new Db(framework, 'main');
    const r = new Recorder(framework, 'r');
    framework.observe(db.on.dbReady, r, 'onDbReady');
    expect(() => r.observe(db.on.dbReady, (e) => r.onDbReady(e))).toThrow(ObserveError);
    expect(() => r.observe(db.on.dbReady, r.onDbReady.bind(r))).toThrow(
      'is not a method of Recorder[r]',
    );
    expect(() => framework.observe(db.on.dbReady, r, 'nope')).toThrow(
      'Recorder[r] has no method "nope"',
    );
    class TwoArgs extends FrameworkObject {
      handle2(_e: DbReadyEvent, _extra: number): void {}
    }
    const t = new TwoArgs(framework, 't');
    expect(() => framework.observe(db.on.dbReady, t, 'handle2')).toThrow(
      'TwoArgs.handle2 must be callable with only the event',
    );
  });

  it('rejects observing an event of another framework', () => {
    const one = makeFramework();
    const two = makeFramework();
    const db = new Db(one.framework, 'main');
    const r = new Recorder(two.framework, 'r');
    expect(() => r.observe(db.on.dbReady, r.onDbReady)).toThrow(
      'cannot observe Db[main]/on/db_ready: it belongs to another framework',
    );
  });

  it('rejects invalid or clashing event definitions', () => {
    const { framework } = makeFramework();
    const db = new Db(framework, 'main');
    expect(() => db.on.defineEvent('db-ready', DbReadyEvent)).toThrow('not a valid identifier');
    expect(() => db.on.defineEvent('dbReady', DbReadyEvent)).toThrow('overlaps');
    expect(() => db.on.defineEvent('events', DbReadyEvent)).toThrow('overlaps');
    const extra = db.on.defineEvent('dbGone', PingEvent);
    expect(extra.kind).toBe('db_gone');
    expect(db.on.get('db_gone')).toBe(extra);
    expect([...db.on.events().keys()]).toEqual(['db_ready', 'ping', 'db_gone']);
    expect([...db.on.prefixed('db').keys()]).toEqual(['ready', 'gone']);
  });

  it('rejects event snapshots that are not simple data', async () => {
    const { framework } = makeFramework();
    class BadEvent extends EventBase {
      override snapshot(): SnapshotData {
        return { when: new Date() as unknown as string };
      }
    }
    const db = new Db(framework, 'main');
    const bad = db.on.defineEvent('bad', BadEvent);
    const r = new Recorder(framework, 'r');
    r.observe(bad, r.onPing);
    await expect(bad.emit()).rejects.toThrow(SnapshotDataError);
    await expect(bad.emit()).rejects.toThrow('when is a Date');
  });
});

describe('defer and re-emission', () => {
  function charmLike(committed?: Parameters<typeof makeFramework>[0]) {
    const t = makeFramework(committed);
    const db = new Db(t.framework, 'main');
    const r = new Recorder(t.framework, 'r');
    r.observe(db.on.dbReady, r.onDbReady);
    return { ...t, db, r };
  }

  it('keeps a deferred event across processes and re-emits it oldest first', async () => {
    const p1 = charmLike();
    p1.r.deferUntil = 2;
    await p1.db.on.dbReady.emit('first');
    await p1.db.on.dbReady.emit('second');
    await p1.framework.commit();
    expect(p1.store.committed.notices.map((n) => n.eventPath)).toEqual([
      'Db[main]/on/db_ready[1]',
      'Db[main]/on/db_ready[2]',
    ]);

    const p2 = charmLike(p1.store.committed);
    await p2.framework.reemit();
    expect(p2.r.seen).toEqual([
      'r:first:Db[main]/on/db_ready[1]',
      'r:second:Db[main]/on/db_ready[2]',
    ]);
    expect(p2.logs).toContainEqual([
      'DEBUG',
      'Re-emitting deferred event <DbReadyEvent via Db[main]/on/db_ready[1]> (1 of 2 in queue).',
    ]);
    expect(p2.store.notices()).toEqual([]);
    expect(p2.store.listSnapshots()).not.toContain('Db[main]/on/db_ready[1]');
  });

  it('keeps the place of an event deferred again', async () => {
    const p1 = charmLike();
    p1.r.deferUntil = 2;
    await p1.db.on.dbReady.emit('first');
    await p1.db.on.dbReady.emit('second');
    await p1.framework.commit();

    const p2 = charmLike(p1.store.committed);
    p2.r.deferUntil = 1; // 'first' defers again, 'second' succeeds
    await p2.framework.reemit();
    await p2.db.on.dbReady.emit('third');
    await p2.framework.commit();

    const p3 = charmLike(p2.store.committed);
    await p3.framework.reemit();
    expect(p3.r.seen).toEqual(['r:first:Db[main]/on/db_ready[1]']);
  });

  it('continues keys from the persisted counter', async () => {
    const p1 = charmLike();
    await p1.db.on.dbReady.emit('a');
    await p1.framework.commit(); // keys 2 and 3 go to preCommit and commit
    expect(p1.store.committed.snapshots['StoredStateData[_stored]']).toEqual({ event_count: 3 });
    const p2 = charmLike(p1.store.committed);
    await p2.db.on.dbReady.emit('b');
    expect(p2.r.seen).toEqual(['r:b:Db[main]/on/db_ready[4]']);
  });

  it('skips a new notice identical to a queued one', async () => {
    const p1 = charmLike();
    p1.r.deferUntil = 10;
    await p1.db.on.ping.emit(); // no observer: nothing stored
    const other = new Recorder(p1.framework, 'o');
    other.observe(p1.db.on.ping, other.onPing);
    await p1.db.on.dbReady.emit('same');
    await p1.db.on.dbReady.emit('same');
    await p1.db.on.dbReady.emit('different');
    expect(p1.r.seen).toHaveLength(2);
    expect(p1.logs).toContainEqual([
      'INFO',
      'Skipping notice (Db[main]/on/db_ready[3]/Recorder[r]/onDbReady) - already in the queue.',
    ]);
    expect(p1.store.notices()).toHaveLength(2);
  });

  it('can store duplicates when skipping is off', async () => {
    const t = makeFramework(undefined, { skipDuplicateEvents: false });
    const db = new Db(t.framework, 'main');
    const r = new Recorder(t.framework, 'r');
    r.deferUntil = 10;
    r.observe(db.on.dbReady, r.onDbReady);
    await db.on.dbReady.emit('same');
    await db.on.dbReady.emit('same');
    expect(t.store.notices()).toHaveLength(2);
  });

  it("drops a notice whose observer no longer exists, with ops' warning", async () => {
    const p1 = charmLike();
    p1.r.deferUntil = 1;
    await p1.db.on.dbReady.emit('x');
    await p1.framework.commit();

    const p2 = makeFramework(p1.store.committed);
    // Touching the event registers its type (as attribute access does in ops); nobody observes.
    void new Db(p2.framework, 'main').on.dbReady;
    await p2.framework.reemit();
    expect(p2.store.notices()).toEqual([]);
    expect(p2.logs).toContainEqual([
      'WARNING',
      'Reference to ops.Object at path Recorder[r] has been garbage collected between when the ' +
        'charm was initialised and when the event was emitted. Make sure sure you store a ' +
        'reference to the observer.',
    ]);
  });

  it('re-emits to an observer without the method as ops does: logged, then dropped', async () => {
    const p1 = charmLike();
    p1.r.deferUntil = 1;
    await p1.db.on.dbReady.emit('x');
    await p1.framework.commit();

    const p2 = makeFramework(p1.store.committed);
    class OtherRecorder extends FrameworkObject {
      static override handleKind = 'Recorder';
      onPing(_event: PingEvent): void {}
    }
    const db = new Db(p2.framework, 'main');
    const other = new OtherRecorder(p2.framework, 'r');
    other.observe(db.on.ping, other.onPing);
    void db.on.dbReady;
    await p2.framework.reemit();
    expect(p2.store.notices()).toEqual([]);
    expect(p2.logs).toContainEqual([
      'DEBUG',
      'Re-emitting deferred event <DbReadyEvent via Db[main]/on/db_ready[1]> (1 of 1 in queue).',
    ]);
    expect(p2.logs.filter(([level]) => level === 'WARNING')).toEqual([]);
  });

  it('drops a notice whose event type is no longer registered', async () => {
    const p1 = charmLike();
    p1.r.deferUntil = 1;
    await p1.db.on.dbReady.emit('x');
    await p1.framework.commit();
    const p2 = makeFramework(p1.store.committed);
    await p2.framework.reemit();
    expect(p2.store.notices()).toEqual([]);
  });

  it('leaves the committed state alone when a re-emitted handler throws', async () => {
    const p1 = charmLike();
    p1.r.deferUntil = 1;
    await p1.db.on.dbReady.emit('x');
    await p1.framework.commit();
    const before = p1.store.committed;

    const p2 = makeFramework(before);
    const db = new Db(p2.framework, 'main');
    class Thrower extends FrameworkObject {
      onDbReady(): void {
        throw new Error('boom');
      }
    }
    const t = new Thrower(p2.framework, 'r');
    // Same path as the original observer, different class: the notice reaches it.
    Object.defineProperty(t, 'handle', { value: new Handle(null, 'Recorder', 'r') });
    p2.framework.observe(db.on.dbReady, t, 'onDbReady');
    await expect(p2.framework.reemit()).rejects.toThrow('boom');
    expect(p2.store.committed).toBe(before);
    const p3 = charmLike(p2.store.committed);
    await p3.framework.reemit();
    expect(p3.r.seen).toEqual(['r:x:Db[main]/on/db_ready[1]']);
  });

  it('refuses to defer lifecycle events', async () => {
    const { framework } = makeFramework();
    class Committer extends FrameworkObject {
      onCommit(event: EventBase): void {
        event.defer();
      }
    }
    const c = new Committer(framework, 'c');
    c.observe(framework.on.commit, c.onCommit);
    const err = await framework.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeferError);
    expect(err).toHaveProperty('message', 'cannot defer lifecycle events');
    expect(err).toHaveProperty('eventPath', 'on/commit[2]');
  });

  it('emits preCommit before commit, then persists', async () => {
    const { framework, store } = makeFramework();
    const order: string[] = [];
    class Watcher extends FrameworkObject {
      onPreCommit(): void {
        order.push(`pre ${store.committed.snapshots['StoredStateData[_stored]'] === undefined}`);
      }
      onCommit(): void {
        order.push('commit');
      }
    }
    const w = new Watcher(framework, 'w');
    w.observe(framework.on.commit, w.onCommit);
    w.observe(framework.on.preCommit, w.onPreCommit);
    await framework.commit();
    expect(order).toEqual(['pre true', 'commit']);
    expect(store.committed.snapshots['StoredStateData[_stored]']).toEqual({ event_count: 2 });
  });

  it('reports a notice that points to a missing snapshot', async () => {
    const p1 = charmLike();
    p1.store.saveNotice({
      eventPath: 'Db[main]/on/db_ready[7]',
      observerPath: 'Recorder[r]',
      methodName: 'onDbReady',
    });
    await expect(p1.framework.reemit()).rejects.toThrow(StateStoreError);
    expect(() => p1.framework.loadSnapshot(Handle.fromPath('Nope/on/x[1]'))).toThrow(NoTypeError);
  });

  it('removes event snapshots no notice refers to', () => {
    const { framework, store } = makeFramework();
    store.saveSnapshot('MyCharm/on/install[1]', {});
    store.saveSnapshot('on/commit[2]', {});
    store.saveSnapshot('MyCharm/StoredStateData[s]', { a: 1 });
    framework.removeUnreferencedEvents();
    expect(store.listSnapshots()).toEqual(['MyCharm/StoredStateData[s]']);
  });

  it('rejects a malformed stored counter', () => {
    const { store } = makeFramework();
    store.saveSnapshot('StoredStateData[_stored]', { event_count: 'x' });
    store.commit();
    expect(() => makeFramework(store.committed)).toThrow(
      'StoredStateData[_stored]: event_count is not a non-negative integer',
    );
  });
});

describe('event logging', () => {
  it('logs deferrals and custom events emitted while handling a Juju event', async () => {
    const t = makeFramework(undefined, { eventName: 'install' });
    const db = new Db(t.framework, 'main');
    const r = new Recorder(t.framework, 'r');
    r.deferUntil = 1;
    r.observe(db.on.dbReady, r.onDbReady);
    await db.on.dbReady.emit('x');
    expect(t.logs).toEqual([
      ['DEBUG', 'Emitting custom event <DbReadyEvent via Db[main]/on/db_ready[1]>.'],
      ['DEBUG', 'Deferring <DbReadyEvent via Db[main]/on/db_ready[1]>.'],
    ]);
  });

  it('reports each emitted and re-emitted event to onEmit once', async () => {
    const seen: string[] = [];
    const p1 = makeFramework();
    const db1 = new Db(p1.framework, 'main');
    const r1 = new Recorder(p1.framework, 'r');
    r1.deferUntil = 1;
    r1.observe(db1.on.dbReady, r1.onDbReady);
    await db1.on.dbReady.emit('x');
    await p1.framework.commit();
    const store = new MemoryStateStore(p1.store.committed);
    const framework = new Framework({
      store,
      model: {} as Model,
      meta: {} as CharmMeta,
      charmDir: '/x',
      onEmit: (event, info) => seen.push(`${event.handle.path} ${info.reemitted}`),
    });
    const db = new Db(framework, 'main');
    const r = new Recorder(framework, 'r');
    r.observe(db.on.dbReady, r.onDbReady);
    await framework.reemit();
    await db.on.ping.emit();
    expect(seen).toEqual(['Db[main]/on/db_ready[1] true', 'Db[main]/on/ping[4] false']);
    expect(framework.emitted).toEqual(['Db[main]/on/ping[4]']);
  });
});
