import { SnapshotDataError } from './errors.js';
import type { SnapshotData } from './storage/state-store.js';

/**
 * @internal Check that `data` holds only null, booleans, finite numbers, strings, arrays and
 * plain objects (no cycles), so it survives a JSON round trip unchanged.
 *
 * @throws {SnapshotDataError} naming the path of the first bad value
 */
export function validateSnapshot(handlePath: string, data: unknown): asserts data is SnapshotData {
  if (!isPlainObject(data)) {
    throw new SnapshotDataError(handlePath, '', `is ${describe(data)}, not a plain object`);
  }
  check(handlePath, data, '', new Set());
}

function check(handlePath: string, value: unknown, at: string, seen: Set<object>): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SnapshotDataError(handlePath, at, `is ${value}`);
    return;
  }
  if (typeof value !== 'object') {
    throw new SnapshotDataError(handlePath, at, `is ${describe(value)}`);
  }
  if (seen.has(value)) throw new SnapshotDataError(handlePath, at, 'is a circular reference');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      check(handlePath, item, `${at}[${i}]`, seen);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      check(handlePath, item, at === '' ? key : `${at}.${key}`, seen);
    }
  } else {
    throw new SnapshotDataError(handlePath, at, `is ${describe(value)}`);
  }
  seen.delete(value);
}

/** @internal Whether `value` is an object literal (or has a null prototype). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** @internal A short description of a value's type, never its content. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const ctor: unknown = Reflect.get(value, 'constructor');
    const name: unknown = typeof ctor === 'function' ? ctor.name : undefined;
    return typeof name === 'string' && name !== '' ? withArticle(name) : 'an object';
  }
  return withArticle(typeof value);
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}
