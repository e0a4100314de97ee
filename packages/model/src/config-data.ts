import type { ModelBackend } from './backend/model-backend.js';
import type { ConfigValue } from './backend/types.js';
import type { ConfigOptionMeta } from './charm-meta.js';
import { ConfigTypeError } from './errors.js';

function check(meta: ConfigOptionMeta | undefined, key: string, value: ConfigValue): void {
  if (meta === undefined) return;
  const ok =
    meta.type === 'int'
      ? typeof value === 'number' && Number.isInteger(value)
      : meta.type === 'float'
        ? typeof value === 'number'
        : meta.type === 'boolean'
          ? typeof value === 'boolean'
          : typeof value === 'string';
  if (!ok) {
    throw new ConfigTypeError(
      key,
      `config option "${key}": expected ${meta.type}, got ${typeof value} from config-get`,
    );
  }
}

/**
 * The charm's config (`config-get`, read once on first use): options that are set or have a
 * default. Values are checked against the option types in metadata (int/float → number,
 * boolean, string; secret options hold a secret URI string).
 */
export class ConfigData implements Iterable<[string, ConfigValue]> {
  readonly #backend: ModelBackend;
  readonly #meta: Readonly<Record<string, ConfigOptionMeta>>;
  #data: Map<string, ConfigValue> | undefined;

  /** @internal Built by {@link Model}. */
  constructor(backend: ModelBackend, meta: Readonly<Record<string, ConfigOptionMeta>>) {
    this.#backend = backend;
    this.#meta = meta;
  }

  #load(): Map<string, ConfigValue> {
    if (this.#data === undefined) {
      const raw = this.#backend.configGet();
      for (const [k, v] of Object.entries(raw)) check(this.#meta[k], k, v);
      this.#data = new Map(Object.entries(raw));
    }
    return this.#data;
  }

  /**
   * The value of an option, or `undefined` when unset with no default.
   *
   * @throws {ConfigTypeError} If Juju returned a value of the wrong type for an option.
   */
  get(key: string): ConfigValue | undefined {
    return this.#load().get(key);
  }

  /** Whether the option has a value. */
  has(key: string): boolean {
    return this.#load().has(key);
  }

  /** The number of options with a value. */
  get size(): number {
    return this.#load().size;
  }

  /** The options with a value. */
  keys(): IterableIterator<string> {
    return this.#load().keys();
  }

  /** `[option, value]` pairs. */
  entries(): IterableIterator<[string, ConfigValue]> {
    return this.#load().entries();
  }

  /** Iterate over `[option, value]` pairs. */
  [Symbol.iterator](): IterableIterator<[string, ConfigValue]> {
    return this.entries();
  }

  /** A plain-object copy. */
  toObject(): Record<string, ConfigValue> {
    return Object.fromEntries(this.entries());
  }

  /** @internal Drop the cache so the next read runs `config-get` again. */
  invalidate(): void {
    this.#data = undefined;
  }
}
