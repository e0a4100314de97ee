/**
 * Serialise a JSON value exactly as Python's `json.dumps(value)` does with its defaults
 * (`ensure_ascii=True`, separators `', '` and `': '`), so that a databag field written by an
 * opsjs charm is byte for byte what a Python charm writes for the same value.
 *
 * Differences that cannot be avoided: JavaScript has one number type, so a Python float with
 * an integral value (`1.0`) is written as `1`; non-finite numbers are rejected (Python writes
 * `NaN`, which is not JSON).
 *
 * @example
 * ```ts
 * pythonJsonDumps({ url: 'http://a/ü' }); // '{"url": "http://a/\\u00fc"}'
 * ```
 * @throws {TypeError} for values JSON cannot hold (functions, symbols, bigints, NaN, cycles)
 */
export function pythonJsonDumps(value: unknown): string {
  return dump(value, new Set());
}

function dump(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot encode ${value} as JSON`);
      return JSON.stringify(value);
    case 'string':
      return quote(value);
    case 'object':
      break;
    default:
      throw new TypeError(`cannot encode a ${typeof value} as JSON`);
  }
  if (seen.has(value)) throw new TypeError('cannot encode a cyclic structure as JSON');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((v: unknown) => dump(v === undefined ? null : v, seen)).join(', ')}]`;
    }
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      parts.push(`${quote(k)}: ${dump(v, seen)}`);
    }
    return `{${parts.join(', ')}}`;
  } finally {
    seen.delete(value);
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    const code = s.charCodeAt(i);
    const escaped = ESCAPES[ch];
    if (escaped !== undefined) out += escaped;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
