import { array } from 'zod';
import { StateStoreError } from '../errors.js';
import {
  cloneSnapshot,
  type Notice,
  NoticeTupleSchema,
  type SnapshotData,
  SnapshotDataSchema,
  type StateStore,
  sameNotice,
} from './state-store.js';

/**
 * The three controller-state hook tools the {@link ControllerStateStore} needs. A model
 * backend that runs `state-get <key>`, `state-set --file -` and `state-delete <key>`
 * satisfies it; tests pass an in-memory object.
 */
export interface ControllerStateBackend {
  /** Value of `key`, or `null`/`undefined` when Juju has none (`state-get` printed nothing). */
  stateGet(key: string): string | null | undefined;
  /** Set several keys in one `state-set --file -` call. */
  stateSet(values: Readonly<Record<string, string>>): void;
  /** Delete one key (`state-delete`). */
  stateDelete(key: string): void;
}

/** The controller key under which the notice queue is stored (as in ops). */
export const NOTICES_KEY = '#notices#';

const NoticeListSchema = array(NoticeTupleSchema);

const EVENT_PATH = /^(|.*\/)on\/[a-zA-Z_]+\[\d+\]$/;

/**
 * A {@link StateStore} kept on the Juju controller with `state-get`/`state-set`/`state-delete`
 * (ops' `JujuStorage`): one key per snapshot handle path, plus the notice queue under
 * `#notices#`. Values are JSON text.
 *
 * Reads happen lazily, one `state-get` per key on first use. Differs from ops, which calls
 * `state-set`/`state-delete` on every change: this store buffers changes and sends them at
 * `commit()` (one `state-set` with every changed key, then one `state-delete` per removed key).
 * Juju applies controller state only when the hook exits 0, so the outcome is the same.
 * `listSnapshots()` covers only the keys this process has read or written, since Juju offers
 * no listing by key prefix.
 */
export class ControllerStateStore implements StateStore {
  readonly #backend: ControllerStateBackend;
  readonly #cache = new Map<string, SnapshotData | undefined>();
  readonly #dirty = new Set<string>();
  // Event snapshots first written by this process: their keys are new (event keys only grow),
  // so dropping one needs no state-delete.
  readonly #freshEvents = new Set<string>();
  #notices: Notice[] | undefined;
  #noticesDirty = false;
  #noticesJson = '[]';

  /** @param backend - the hook-tool calls to use */
  constructor(backend: ControllerStateBackend) {
    this.#backend = backend;
  }

  /** @throws {StateStoreError} when the stored value is not valid snapshot JSON */
  loadSnapshot(handlePath: string): SnapshotData | undefined {
    if (!this.#cache.has(handlePath)) {
      const text = this.#get(handlePath);
      this.#cache.set(handlePath, text === undefined ? undefined : parseSnapshot(handlePath, text));
    }
    const data = this.#cache.get(handlePath);
    return data === undefined ? undefined : cloneSnapshot(data);
  }

  saveSnapshot(handlePath: string, data: SnapshotData): void {
    if (!this.#cache.has(handlePath) && EVENT_PATH.test(handlePath)) {
      this.#freshEvents.add(handlePath);
    }
    this.#cache.set(handlePath, cloneSnapshot(data));
    this.#dirty.add(handlePath);
  }

  dropSnapshot(handlePath: string): void {
    this.#cache.set(handlePath, undefined);
    this.#dirty.add(handlePath);
  }

  listSnapshots(): string[] {
    return [...this.#cache].filter(([, v]) => v !== undefined).map(([k]) => k);
  }

  saveNotice(notice: Notice): void {
    this.#loadNotices().push({ ...notice });
    this.#noticesDirty = true;
  }

  dropNotice(notice: Notice): void {
    this.#notices = this.#loadNotices().filter((n) => !sameNotice(n, notice));
    this.#noticesDirty = true;
  }

  notices(eventPath?: string): Notice[] {
    return this.#loadNotices()
      .filter((n) => eventPath === undefined || n.eventPath === eventPath)
      .map((n) => ({ ...n }));
  }

  /** Send the buffered changes to Juju. */
  commit(): void {
    const set: Record<string, string> = {};
    const deleted: string[] = [];
    for (const key of this.#dirty) {
      const data = this.#cache.get(key);
      if (data !== undefined) set[key] = JSON.stringify(data);
      else if (!this.#freshEvents.has(key)) deleted.push(key);
    }
    if (this.#noticesDirty && this.#notices !== undefined) {
      const json = JSON.stringify(
        this.#notices.map((n) => [n.eventPath, n.observerPath, n.methodName]),
      );
      if (json !== this.#noticesJson) set[NOTICES_KEY] = json;
      this.#noticesJson = json;
    }
    if (Object.keys(set).length > 0) this.#backend.stateSet(set);
    for (const key of deleted) this.#backend.stateDelete(key);
    this.#dirty.clear();
    this.#freshEvents.clear();
    this.#noticesDirty = false;
  }

  close(): void {}

  #get(key: string): string | undefined {
    const text = this.#backend.stateGet(key);
    return text === undefined || text === null || text.trim() === '' ? undefined : text;
  }

  #loadNotices(): Notice[] {
    if (this.#notices === undefined) {
      const text = this.#get(NOTICES_KEY);
      if (text === undefined) {
        this.#notices = [];
      } else {
        const raw = parseJson(NOTICES_KEY, text);
        this.#noticesJson = JSON.stringify(raw);
        const parsed = NoticeListSchema.safeParse(raw);
        if (!parsed.success) {
          throw new StateStoreError(
            `controller state ${NOTICES_KEY}`,
            'expected a list of [event, observer, method] triples',
            { cause: parsed.error },
          );
        }
        this.#notices = parsed.data.map(([eventPath, observerPath, methodName]) => ({
          eventPath,
          observerPath,
          methodName,
        }));
      }
    }
    return this.#notices;
  }
}

function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StateStoreError(`controller state ${key}`, 'the stored value is not valid JSON', {
      cause: err,
    });
  }
}

function parseSnapshot(key: string, text: string): SnapshotData {
  const parsed = SnapshotDataSchema.safeParse(parseJson(key, text));
  if (!parsed.success) {
    throw new StateStoreError(`controller state ${key}`, 'the stored value is not a snapshot map', {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
