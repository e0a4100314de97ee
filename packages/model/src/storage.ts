import type { ModelBackend } from './backend/model-backend.js';
import { InvalidArgumentError, UnknownNameError } from './errors.js';

/** One attached storage instance. */
export class Storage {
  /** The storage name from metadata. */
  readonly name: string;
  /** The instance index. */
  readonly index: number;
  readonly #backend: ModelBackend;
  #location: string | undefined;

  /** @internal Use `model.storages.get(name)`. */
  constructor(backend: ModelBackend, name: string, index: number, location?: string) {
    this.#backend = backend;
    this.name = name;
    this.index = index;
    this.#location = location;
  }

  /** `<name>/<index>`, as Juju names it. */
  get fullId(): string {
    return `${this.name}/${this.index}`;
  }

  /** Where the storage is mounted (`storage-get`, once), or the block device path. */
  get location(): string {
    if (this.#location === undefined) {
      this.#location = this.#backend.storageGet(this.fullId).location;
    }
    return this.#location;
  }

  /** @internal Set the location known from the event. */
  set location(value: string) {
    this.#location = value;
  }
}

/** The storage instances of each storage name in metadata (`storage-list`, cached). */
export class StorageMapping {
  readonly #backend: ModelBackend;
  readonly #names: readonly string[];
  readonly #cache = new Map<string, Storage[]>();

  /** @internal Built by {@link Model}. */
  constructor(backend: ModelBackend, names: readonly string[]) {
    this.#backend = backend;
    this.#names = names;
  }

  #check(name: string): void {
    if (!this.#names.includes(name)) {
      const meant = this.#names.map((n) => `'${n}'`).join(', or ');
      throw new UnknownNameError(`Storage '${name}' not found. Did you mean ${meant}?`);
    }
  }

  /**
   * The attached instances of a storage.
   *
   * @throws {UnknownNameError} If the name is not in the metadata.
   */
  get(name: string): Storage[] {
    this.#check(name);
    let list = this.#cache.get(name);
    if (list === undefined) {
      list = this.#backend.storageList(name).map((i) => new Storage(this.#backend, name, i));
      this.#cache.set(name, list);
    }
    return list;
  }

  /** Whether the name is declared in metadata. */
  has(name: string): boolean {
    return this.#names.includes(name);
  }

  /** The storage names from metadata. */
  keys(): string[] {
    return [...this.#names];
  }

  /**
   * Ask Juju for more instances (`storage-add`); they arrive later as attached events.
   *
   * @throws {UnknownNameError} If the name is not in the metadata.
   * @throws {InvalidArgumentError} If count is not a positive integer.
   */
  request(name: string, count = 1): void {
    if (!this.#names.includes(name)) {
      throw new UnknownNameError(
        `cannot add storage '${name}': it is not present in the charm metadata`,
      );
    }
    if (!Number.isInteger(count) || count < 1) {
      throw new InvalidArgumentError(`storage count must be a positive integer, got ${count}`);
    }
    this.#backend.storageAdd(name, count);
  }

  /** @internal Forget the cached instances of a storage. */
  invalidate(name: string): void {
    this.#cache.delete(name);
  }
}
