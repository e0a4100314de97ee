import { SnapshotDataError } from './errors.js';
import type { SnapshotData } from './storage/state-store.js';

/**
 * @internal Check that `data` holds only null, booleans, finite numbers, strings, arrays and
 * plain objects (no cycles), so it survives a JSON round trip unchanged.
 *
 * @throws {SnapshotDataError} naming the path of the first bad value
 */
export function validateSnapshot(handlePath: string, data: unknown): asserts data is SnapshotData {
  const bad = snapshotProblem(data);
  if (bad !== undefined) throw new SnapshotDataError(handlePath, bad.at, bad.problem);
}

/**
 * @internal Where (`a.b[2]`, `''` for the whole) and what the first value is that a snapshot
 * cannot hold, or `undefined` when `data` is snapshot data (see {@link validateSnapshot}).
 */
export function snapshotProblem(data: unknown): { at: string; problem: string } | undefined {
  if (!isPlainObject(data)) return { at: '', problem: `is ${describe(data)}, not a plain object` };
  return check(data, '', new Set());
}

function check(
  value: unknown,
  at: string,
  seen: Set<object>,
): { at: string; problem: string } | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { at, problem: `is ${value}` };
  }
  if (typeof value !== 'object') return { at, problem: `is ${describe(value)}` };
  if (seen.has(value)) return { at, problem: 'is a circular reference' };
  seen.add(value);
  let bad: { at: string; problem: string } | undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      bad = check(item, `${at}[${i}]`, seen);
      if (bad !== undefined) break;
    }
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      bad = check(item, at === '' ? key : `${at}.${key}`, seen);
      if (bad !== undefined) break;
    }
  } else {
    bad = { at, problem: `is ${describe(value)}` };
  }
  seen.delete(value);
  return bad;
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
