import {
  array,
  boolean,
  lazy,
  number,
  record,
  refine,
  string,
  tuple,
  union,
  type ZodMiniRecord,
  type ZodMiniString,
  type ZodMiniTuple,
  type ZodMiniType,
  null as zNull,
} from 'zod/mini';

/**
 * A value the framework can persist: null, a boolean, a finite number, a string, or an array
 * or plain object of these.
 */
export type SnapshotValue =
  | null
  | boolean
  | number
  | string
  | readonly SnapshotValue[]
  | { readonly [key: string]: SnapshotValue };

/** The persisted form of an event or stored state: a plain map of simple values. */
export type SnapshotData = { readonly [key: string]: SnapshotValue };

/**
 * A deferred notice: the event to re-deliver and the observer method to deliver it to
 * (ops' `(event_path, observer_path, method_name)` triple).
 */
export interface Notice {
  /** The event's handle path, e.g. `MyCharm/on/config_changed[3]`. */
  readonly eventPath: string;
  /** The observer's handle path, e.g. `MyCharm`. */
  readonly observerPath: string;
  /** The observer method name, e.g. `onConfigChanged`. */
  readonly methodName: string;
}

/**
 * Persistence behind the framework: snapshots keyed by handle path and an ordered queue of
 * notices. All changes are pending until {@link StateStore.commit}; a process that ends
 * without committing leaves the previous state in place.
 *
 * Implementations: {@link LocalStateStore} (a file in the charm directory, the default),
 * {@link ControllerStateStore} (Juju's `state-get`/`state-set`) and {@link MemoryStateStore}
 * (tests, `@opsjs/testing`).
 */
export interface StateStore {
  /** The snapshot stored under `handlePath`, or `undefined` when there is none. */
  loadSnapshot(handlePath: string): SnapshotData | undefined;
  /** Store (replace) the snapshot under `handlePath`. */
  saveSnapshot(handlePath: string, data: SnapshotData): void;
  /** Remove the snapshot under `handlePath`; a missing one is not an error. */
  dropSnapshot(handlePath: string): void;
  /** Every handle path that has a snapshot. */
  listSnapshots(): string[];
  /** Append a notice at the end of the queue. */
  saveNotice(notice: Notice): void;
  /** Remove a notice (all identical copies). */
  dropNotice(notice: Notice): void;
  /** The queued notices in insertion order, optionally only those of one event path. */
  notices(eventPath?: string): Notice[];
  /** Make every pending change durable at once. */
  commit(): void;
  /** Release resources; pending changes that were not committed are discarded. */
  close(): void;
}

/** The storage schemas, built on first use: a dispatch on the memory store needs none. */
interface StateSchemas {
  readonly snapshotValue: ZodMiniType<SnapshotValue>;
  readonly snapshotData: ZodMiniRecord<ZodMiniString, ZodMiniType<SnapshotValue>>;
  readonly noticeTuple: ZodMiniTuple<[ZodMiniString, ZodMiniString, ZodMiniString], null>;
}

let schemas: StateSchemas | undefined;

/**
 * @internal zod schemas of a {@link SnapshotValue}, a {@link SnapshotData} map and a
 * {@link Notice} as persisted (`[eventPath, observerPath, methodName]`).
 */
export function stateSchemas(): StateSchemas {
  if (schemas === undefined) {
    const snapshotValue: ZodMiniType<SnapshotValue> = lazy(() =>
      union([
        zNull(),
        boolean(),
        number().check(refine(Number.isFinite, 'expected a finite number')),
        string(),
        array(snapshotValue),
        record(string(), snapshotValue),
      ]),
    );
    schemas = {
      snapshotValue,
      snapshotData: record(string(), snapshotValue),
      noticeTuple: tuple([string(), string(), string()]),
    };
  }
  return schemas;
}

/** @internal Whether two notices are the same triple. */
export function sameNotice(a: Notice, b: Notice): boolean {
  return (
    a.eventPath === b.eventPath &&
    a.observerPath === b.observerPath &&
    a.methodName === b.methodName
  );
}

/**
 * @internal Deep copy of snapshot data, so callers cannot mutate what a store holds.
 */
export function cloneSnapshot(data: SnapshotData): SnapshotData {
  // Snapshots are JSON data (validated before they are saved); a JSON round trip is the
  // cheapest deep copy for the small maps they are.
  for (const _key in data) return JSON.parse(JSON.stringify(data)) as SnapshotData;
  return {};
}

/**
 * @internal A {@link StateStore} that keeps the whole pending state in memory (snapshots by
 * handle path and the notice queue) and leaves `commit()` and `close()` to the subclass.
 * {@link LocalStateStore} and {@link MemoryStateStore} extend it.
 */
export abstract class BufferedStateStore implements StateStore {
  /** Pending snapshots by handle path. */
  protected snapshots = new Map<string, SnapshotData>();
  /** Pending notices, oldest first. */
  protected noticeQueue: Notice[] = [];

  loadSnapshot(handlePath: string): SnapshotData | undefined {
    const data = this.snapshots.get(handlePath);
    return data === undefined ? undefined : cloneSnapshot(data);
  }

  saveSnapshot(handlePath: string, data: SnapshotData): void {
    this.snapshots.set(handlePath, cloneSnapshot(data));
  }

  dropSnapshot(handlePath: string): void {
    this.snapshots.delete(handlePath);
  }

  listSnapshots(): string[] {
    return [...this.snapshots.keys()];
  }

  saveNotice(notice: Notice): void {
    this.noticeQueue.push({ ...notice });
  }

  dropNotice(notice: Notice): void {
    this.noticeQueue = this.noticeQueue.filter((n) => !sameNotice(n, notice));
  }

  notices(eventPath?: string): Notice[] {
    return this.noticeQueue
      .filter((n) => eventPath === undefined || n.eventPath === eventPath)
      .map((n) => ({ ...n }));
  }

  abstract commit(): void;

  abstract close(): void;
}

/**
 * An in-memory {@link StateStore}. `commit()` publishes the pending state to
 * {@link MemoryStateStore.committed}; a new store built from that object continues where the
 * last committed dispatch left off, which is how tests simulate successive processes.
 *
 * @example
 * ```ts
 * const first = new MemoryStateStore();
 * // ... run a dispatch with `first`, which commits ...
 * const second = new MemoryStateStore(first.committed);
 * ```
 */
export class MemoryStateStore extends BufferedStateStore {
  #committed: MemoryStateSnapshot;

  /** @param initial - committed state to start from (e.g. another store's `committed`) */
  constructor(initial?: MemoryStateSnapshot) {
    super();
    this.#committed = initial ?? { snapshots: {}, notices: [] };
    this.snapshots = new Map(
      Object.entries(structuredClone(this.#committed.snapshots)).map(([k, v]) => [k, v]),
    );
    this.noticeQueue = this.#committed.notices.map((n) => ({ ...n }));
  }

  /** The state as of the last `commit()` (or the initial state). */
  get committed(): MemoryStateSnapshot {
    return this.#committed;
  }

  commit(): void {
    this.#committed = {
      snapshots: structuredClone(Object.fromEntries(this.snapshots)),
      notices: this.noticeQueue.map((n) => ({ ...n })),
    };
  }

  close(): void {}
}

/** The committed content of a {@link MemoryStateStore}. */
export interface MemoryStateSnapshot {
  /** Snapshots by handle path. */
  readonly snapshots: Readonly<Record<string, SnapshotData>>;
  /** Notices in queue order. */
  readonly notices: readonly Notice[];
}
