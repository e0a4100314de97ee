import { array, type ZodMiniArray } from 'zod/mini';
import { StateStoreError } from '../errors.js';
import { describeZodIssues, parseSchema } from '../schema-parse.js';
import { dumpPyYaml, loadPyYaml, PyTuple } from './py-yaml.js';
import {
  cloneSnapshot,
  type Notice,
  type SnapshotData,
  type StateStore,
  sameNotice,
  stateSchemas,
} from './state-store.js';

/**
 * The three controller-state hook tools the {@link ControllerStateStore} needs. A model
 * backend that runs `state-get <key>`, `state-set --file -` and `state-delete <key>`
 * satisfies it; tests pass an in-memory object.
 */
export interface ControllerStateBackend {
  /** Value of `key`, or `null`/`undefined` when Juju has none (`state-get` printed nothing). */
  stateGet(key: string): string | null | undefined;
  /** Set keys with one `state-set --file -` call (the store passes one key per call, as ops). */
  stateSet(values: Readonly<Record<string, string>>): void;
  /** Delete one key (`state-delete`). */
  stateDelete(key: string): void;
}

/** The controller key under which the notice queue is stored (as in ops). */
export const NOTICES_KEY = '#notices#';

let noticeListSchema: ZodMiniArray<ReturnType<typeof stateSchemas>['noticeTuple']> | undefined;

const EVENT_PATH = /^(|.*\/)on\/[a-zA-Z_]+\[\d+\]$/;

/**
 * A {@link StateStore} kept on the Juju controller with `state-get`/`state-set`/`state-delete`
 * (ops' `JujuStorage`), in ops' format, so that a charm refreshed from Python ops to opsjs (or
 * back) keeps its state: one key per snapshot handle path, each value the YAML that ops'
 * `_JujuStorageBackend` writes (`yaml.dump(value, default_flow_style=None)` with libyaml: keys
 * sorted, flow style for collections of scalars), and the notice queue under `#notices#` as
 * a YAML list of `!!python/tuple [event_path, observer_path, method_name]`. A key `state-get`
 * prints nothing for is absent; a `null` notice list is an empty one. Values are read as
 * PyYAML's safe loader reads them (YAML 1.1 scalars); Python tuples and sets are read as
 * arrays, and bytes are refused.
 *
 * The calls are ops' calls (`state-get <key>`, `state-set --file -` with one key,
 * `state-delete <key>`), with two differences: each key is read at most once per process
 * (ops reads `#notices#` again for every notice operation), and changes are sent at
 * `commit()` rather than as they happen: one `state-set` per changed key or `state-delete` per
 * removed key, in the order the keys were first changed. Keys written
 * and removed within one dispatch (a Juju event that was not deferred) are not sent at all.
 * Juju applies controller state only when the hook exits 0, so the state Juju keeps is the
 * same, except after a `DispatchAbort` (exit 0 without commit), where ops' already-sent
 * changes persist and these do not, as with the local store.
 * `listSnapshots()` covers only the keys this process has read or written, since Juju offers
 * no listing by key prefix.
 */
export class ControllerStateStore implements StateStore {
  readonly #backend: ControllerStateBackend;
  readonly #cache = new Map<string, SnapshotData | undefined>();
  readonly #dirty = new Set<string>();
  // The YAML each key held when read (absent keys: undefined), to skip unchanged writes.
  readonly #readText = new Map<string, string | undefined>();
  // Event snapshots first written by this process: their keys are new (event keys only grow),
  // so dropping one needs no state-delete.
  readonly #freshEvents = new Set<string>();
  #notices: Notice[] | undefined;

  /** @param backend - the hook-tool calls to use */
  constructor(backend: ControllerStateBackend) {
    this.#backend = backend;
  }

  /** @throws {StateStoreError} when the stored value is not YAML of a snapshot map */
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
    this.#dirty.add(NOTICES_KEY);
  }

  dropNotice(notice: Notice): void {
    this.#notices = this.#loadNotices().filter((n) => !sameNotice(n, notice));
    this.#dirty.add(NOTICES_KEY);
  }

  notices(eventPath?: string): Notice[] {
    return this.#loadNotices()
      .filter((n) => eventPath === undefined || n.eventPath === eventPath)
      .map((n) => ({ ...n }));
  }

  /**
   * Send the buffered changes to Juju in the order the keys were first changed: one
   * `state-set` per changed key, one `state-delete` per removed key.
   */
  commit(): void {
    for (const key of this.#dirty) {
      let text: string | undefined;
      if (key === NOTICES_KEY) {
        text = dumpPyYaml(
          (this.#notices ?? []).map(
            (n) => new PyTuple([n.eventPath, n.observerPath, n.methodName]),
          ),
        );
      } else {
        const data = this.#cache.get(key);
        text = data === undefined ? undefined : dumpPyYaml(data);
      }
      if (text !== undefined) {
        // `state-get` adds a newline to what was stored: compare without trailing whitespace.
        if (text.trimEnd() !== this.#readText.get(key)?.trimEnd()) {
          this.#backend.stateSet({ [key]: text });
        }
        this.#readText.set(key, text);
      } else if (!this.#freshEvents.has(key)) {
        this.#backend.stateDelete(key);
        this.#readText.set(key, undefined);
      }
    }
    this.#dirty.clear();
    this.#freshEvents.clear();
  }

  close(): void {}

  #get(key: string): string | undefined {
    const raw = this.#backend.stateGet(key);
    const text = raw === undefined || raw === null || raw.trim() === '' ? undefined : raw;
    this.#readText.set(key, text);
    return text;
  }

  #loadNotices(): Notice[] {
    if (this.#notices === undefined) {
      const text = this.#get(NOTICES_KEY);
      const raw = text === undefined ? null : loadPyYaml(text, `controller state ${NOTICES_KEY}`);
      noticeListSchema ??= array(stateSchemas().noticeTuple);
      const parsed = parseSchema(noticeListSchema, raw ?? []);
      if (!parsed.success) {
        throw new StateStoreError(
          `controller state ${NOTICES_KEY}`,
          `expected a list of [event, observer, method] triples: ${describeZodIssues(parsed.error).join('; ')}`,
          { cause: parsed.error },
        );
      }
      this.#notices = parsed.data.map(([eventPath, observerPath, methodName]) => ({
        eventPath,
        observerPath,
        methodName,
      }));
    }
    return this.#notices;
  }
}

function parseSnapshot(key: string, text: string): SnapshotData {
  const parsed = parseSchema(
    stateSchemas().snapshotData,
    loadPyYaml(text, `controller state ${key}`),
  );
  if (!parsed.success) {
    throw new StateStoreError(
      `controller state ${key}`,
      `the stored value is not a snapshot map: ${describeZodIssues(parsed.error).join('; ')}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
