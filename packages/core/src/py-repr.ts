/**
 * Python's `repr()` of a `str`, for log lines and messages that must read as ops' do: single
 * quotes unless the text holds a `'` and no `"`, backslash escapes for the quote, `\\`, and
 * control characters.
 */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/**
 * Python's `json.dumps()` of a `str` (default `ensure_ascii=True`): short escapes for `"`, `\`,
 * backspace, form feed, newline, carriage return and tab, and every other character outside
 * printable ASCII as a lowercase `\uXXXX` of its UTF-16 code units (so a character outside the
 * BMP becomes a surrogate pair, as in Python).
 */
export function pyJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * Python's `json.dumps()` of a JSON-like value with the default settings: `", "` and `": "`
 * separators, non-ASCII escaped ({@link pyJsonString}), object keys in insertion order; like
 * `JSON.stringify`, `toJSON()` is honoured, `undefined` object members are left out and
 * `undefined` array items become `null`. Non-finite numbers are written as Python does
 * (`NaN`, `Infinity`, `-Infinity`).
 */
export function pyJsonDumps(value: unknown): string {
  const v =
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'toJSON') === 'function'
      ? Reflect.apply(Reflect.get(value, 'toJSON'), value, [])
      : value;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return pyJsonString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map((item: unknown) => pyJsonDumps(item)).join(', ')}]`;
  if (typeof v === 'object') {
    const members = Object.entries(v)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${pyJsonString(key)}: ${pyJsonDumps(item)}`);
    return `{${members.join(', ')}}`;
  }
  return 'null';
}
