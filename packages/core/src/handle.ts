import { InvalidHandlePathError } from './errors.js';

/**
 * The hierarchical name of a framework object or event: `parent/kind[key]`, or `kind[key]`
 * at the root, with `[key]` left out when there is no key.
 *
 * Paths are the keys of persisted state (snapshots and deferred notices), so their format
 * is the same as in Python ops (`MyCharm/on/config_changed[5]`).
 *
 * @example
 * ```ts
 * const h = new Handle(null, 'MyCharm', null).nest('on', null).nest('install', '3');
 * h.path; // 'MyCharm/on/install[3]'
 * ```
 */
export class Handle {
  /** The handle this one sits under, or `null` at the root. */
  readonly parent: Handle | null;
  /** The namespace of the object under its parent, e.g. a class name or an event kind. */
  readonly kind: string;
  /** The key that makes the object unique under its parent and kind, or `null`. */
  readonly key: string | null;
  /** The full path, e.g. `MyCharm/on/install[3]`. */
  readonly path: string;

  /**
   * @param parent - the parent handle, or `null` for a root handle
   * @param kind - the kind (class name or event kind)
   * @param key - the key, or `null` (an empty string counts as no key, as in ops)
   */
  constructor(parent: Handle | null, kind: string, key: string | null) {
    this.parent = parent;
    this.kind = kind;
    this.key = key === '' ? null : key;
    const own = this.key === null ? kind : `${kind}[${this.key}]`;
    this.path = parent === null ? own : `${parent.path}/${own}`;
  }

  /** Create a child handle of this one. */
  nest(kind: string, key: string | null): Handle {
    return new Handle(this, kind, key);
  }

  /** Whether `other` names the same object. */
  equals(other: Handle): boolean {
    return this.path === other.path;
  }

  /** The handle's path. */
  toString(): string {
    return this.path;
  }

  /**
   * Parse a path back into a handle, segment by segment.
   *
   * @throws {InvalidHandlePathError} when a segment is not `kind` or `kind[key]`
   */
  static fromPath(path: string): Handle {
    let handle: Handle | null = null;
    for (const segment of path.split('/')) {
      const [kind = '', rest, ...more] = segment.split('[');
      let key: string | null = null;
      if (rest !== undefined) {
        if (more.length > 0 || !rest.endsWith(']')) throw new InvalidHandlePathError(path);
        key = rest.slice(0, -1);
      }
      if (kind === '') throw new InvalidHandlePathError(path);
      handle = new Handle(handle, kind, key);
    }
    if (handle === null) throw new InvalidHandlePathError(path);
    return handle;
  }
}
