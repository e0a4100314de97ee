import type { ModelBackend } from './backend/model-backend.js';
import { UnknownNameError } from './errors.js';

/** The charm's resources: `fetch(name)` gives the local path (`resource-get`, cached). */
export class Resources {
  readonly #backend: ModelBackend;
  readonly #paths = new Map<string, string | undefined>();

  /** @internal Built by {@link Model}. */
  constructor(backend: ModelBackend, names: readonly string[]) {
    this.#backend = backend;
    for (const n of names) this.#paths.set(n, undefined);
  }

  /**
   * The path of a resource file on disk.
   *
   * @throws {UnknownNameError} If the resource is not declared in metadata.
   * @throws {ModelError} If Juju cannot provide it (e.g. never uploaded).
   */
  fetch(name: string): string {
    if (!this.#paths.has(name)) throw new UnknownNameError(`invalid resource name: ${name}`);
    let p = this.#paths.get(name);
    if (p === undefined) {
      p = this.#backend.resourceGet(name);
      this.#paths.set(name, p);
    }
    return p;
  }
}
