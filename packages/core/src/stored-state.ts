import type { $ZodType } from 'zod/v4/core';
import { StoredStateError } from './errors.js';
import { type CommitEvent, FrameworkObject } from './framework.js';
import { describeZodIssues, parseSchema } from './schema-parse.js';
import { validateSnapshot } from './snapshot.js';

/** A value stored state can hold: null, booleans, finite numbers, strings, arrays and plain objects. */
export type Storable = null | boolean | number | string | Storable[] | { [key: string]: Storable };

/** The shape of a stored-state object: string keys to {@link Storable} values. */
export type StorableObject = { [key: string]: Storable };

/**
 * What `StoredState` accepts as its type: an object type. (Values are checked at run time to
 * be {@link Storable}; the looser compile-time bound keeps `false` in defaults a `boolean`.)
 */
export type StateShape = { [key: string]: unknown };

/** Options of {@link StoredState}. */
export interface StoredStateOptions<T extends StateShape> {
  /**
   * Validates the stored data (after defaults fill missing keys) when it is first read; a
   * classic `zod` or a `zod/mini` schema.
   * Data that fails, e.g. written by an older version of the charm, goes to `migrate`, or
   * raises {@link StoredStateError} when there is none.
   */
  readonly schema?: $ZodType<T>;
  /** Turn stored data that fails `schema` into the current shape. */
  readonly migrate?: (stored: Readonly<Record<string, unknown>>) => T;
}

/**
 * Typed state of one framework object that persists across dispatches (ops `StoredState`).
 *
 * The data lives under `<owner path>/StoredStateData[<name>]`. It is read lazily, on the
 * first access to {@link StoredState.data}; keys missing from what was stored take their
 * value from `defaults` (ops `set_default`). Mutate `data` in place or assign its keys; at
 * commit the state is saved if it differs from what was loaded. Values must be
 * {@link Storable}; anything else (a `Map`, a `Date`, a class instance, `undefined`,
 * `NaN`) fails the commit with an error naming the key, and nothing is written.
 *
 * On Kubernetes the data lives in the charm container and is lost when the pod is replaced;
 * keep what must survive in a peer relation.
 *
 * @example
 * ```ts
 * class MyCharm extends CharmBase {
 *   readonly state = new StoredState(this, 'state', { installs: 0, seen: [] as string[] });
 *   onInstall(): void { this.state.data.installs += 1; }
 * }
 * ```
 */
export class StoredState<T extends StateShape> extends FrameworkObject {
  static override handleKind = 'StoredStateData';
  readonly #defaults: T;
  readonly #options: StoredStateOptions<T>;
  #data: T | undefined;
  #loadedJson: string | undefined;

  /**
   * @param owner - the object the state belongs to (usually the charm)
   * @param name - the attribute name; must be unique per owner
   * @param defaults - the initial value, and the value of keys missing from stored data
   * @param options - schema validation and migration of older data
   * @throws {DuplicateHandleError} when `owner` already has stored state called `name`
   */
  constructor(
    owner: FrameworkObject,
    name: string,
    defaults: T,
    options: StoredStateOptions<T> = {},
  ) {
    if (name === '') throw new StoredStateError(owner.handle.path, 'stored state needs a name');
    super(owner, name);
    validateSnapshot(this.handle.path, defaults);
    this.#defaults = structuredClone(defaults);
    this.#options = options;
    this.framework.observe(this.framework.on.commit, this, this.onCommit);
  }

  /**
   * The state, loaded from the store on first access.
   *
   * @throws {StoredStateError} when the stored data fails the schema and cannot be migrated
   */
  get data(): T {
    if (this.#data === undefined) this.#data = this.#load();
    return this.#data;
  }

  /** Replace the whole state. */
  set data(value: T) {
    if (this.#data === undefined) this.#load();
    this.#data = value;
  }

  /** Whether the state was read in this process. */
  get loaded(): boolean {
    return this.#data !== undefined;
  }

  /**
   * @internal Saves the state if it changed; observes `framework.on.commit`.
   * @throws {SnapshotDataError} when the state holds a value that cannot be stored
   */
  onCommit(_event: CommitEvent): void {
    if (this.#data === undefined) return;
    validateSnapshot(this.handle.path, this.#data);
    const json = JSON.stringify(this.#data);
    if (json === this.#loadedJson) return;
    this.framework.saveSnapshot(this.handle.path, this.#data);
    this.#loadedJson = json;
  }

  #load(): T {
    const path = this.handle.path;
    const stored = this.framework.store.loadSnapshot(path);
    this.#loadedJson = stored === undefined ? undefined : JSON.stringify(stored);
    const merged: Record<string, unknown> = { ...structuredClone(this.#defaults) };
    if (stored !== undefined) Object.assign(merged, structuredClone(stored));
    const { schema, migrate } = this.#options;
    if (schema === undefined) return merged as T;
    const parsed = parseSchema(schema, merged);
    if (parsed.success) return parsed.data;
    if (migrate !== undefined) {
      let migrated: T;
      try {
        migrated = migrate(merged);
      } catch (err) {
        throw new StoredStateError(path, 'migrating the stored data failed', { cause: err });
      }
      const again = parseSchema(schema, migrated);
      if (!again.success) {
        throw new StoredStateError(
          path,
          `migrated data does not match the schema: ${describeZodIssues(again.error).join('; ')}`,
          { cause: again.error },
        );
      }
      return again.data;
    }
    throw new StoredStateError(
      path,
      `stored data does not match the schema (written by an older version of the charm?): ` +
        `${describeZodIssues(parsed.error).join('; ')}; pass a migrate function to convert it`,
      { cause: parsed.error },
    );
  }
}
