/** Deep-freezes plain data (objects, arrays) and returns it. @internal */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) {
      deepFreeze(Reflect.get(value, key));
    }
  }
  return value;
}

/** Copies a string → string map, rejecting non-string keys or values. @internal */
export function copyBag(
  bag: Readonly<Record<string, string>> | undefined,
  what: string,
  onError: (message: string) => Error,
): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (bag === undefined) return Object.freeze(out);
  if (Object.isFrozen(bag) && typeof bag === 'object' && bag !== null && !Array.isArray(bag)) {
    // A frozen bag cannot change under us: check it and share it instead of copying.
    for (const [key, value] of Object.entries(bag)) {
      if (typeof value !== 'string') {
        throw onError(`${what}: value of key '${key}' must be a string, got ${typeof value}`);
      }
    }
    return bag;
  }
  if (typeof bag !== 'object' || bag === null || Array.isArray(bag)) {
    throw onError(`${what} must be an object of string values`);
  }
  for (const [key, value] of Object.entries(bag)) {
    if (typeof value !== 'string') {
      throw onError(`${what}: value of key '${key}' must be a string, got ${typeof value}`);
    }
    out[key] = value;
  }
  return Object.freeze(out);
}
