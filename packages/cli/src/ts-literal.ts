const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const LINE_WIDTH = 100;

/** A TypeScript string literal in the repo's Biome style (single quotes unless that needs escapes). @internal */
export function tsString(value: string): string {
  const useDouble = value.includes("'") && !value.includes('"');
  const quote = useDouble ? '"' : "'";
  let out = '';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch === '\u2028' || ch === '\u2029') {
      out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${quote}${out}${quote}`;
}

/** A property key: bare when it is an identifier, else a string literal. @internal */
export function tsKey(key: string): string {
  return IDENTIFIER.test(key) ? key : tsString(key);
}

/**
 * A TypeScript expression for a JSON-like value, formatted as Biome formats it: objects
 * expanded one property per line, arrays on one line when they fit in 100 columns.
 *
 * @internal
 */
export function tsLiteral(value: unknown, indent: number, column = indent): string {
  if (value === null || value === undefined) return value === null ? 'null' : 'undefined';
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inline = `[${value.map((v) => tsLiteral(v, indent)).join(', ')}]`;
    if (!inline.includes('\n') && column + inline.length <= LINE_WIDTH) return inline;
    const items = value.map((v) => `${pad}${tsLiteral(v, indent + 2)},`);
    return `[\n${items.join('\n')}\n${' '.repeat(indent)}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([k, v]) => {
      const prefix = `${pad}${tsKey(k)}: `;
      return `${prefix}${tsLiteral(v, indent + 2, prefix.length)},`;
    });
    return `{\n${lines.join('\n')}\n${' '.repeat(indent)}}`;
  }
  return 'undefined';
}

/** `export type Name = A | B;`, broken over lines as Biome does when too long. @internal */
export function tsUnionType(name: string, members: readonly string[], doc: string): string {
  const head = `/** ${doc} */\nexport type ${name} =`;
  if (members.length === 0) return `${head} never;`;
  const inline = `export type ${name} = ${members.join(' | ')};`;
  if (inline.length <= LINE_WIDTH) return `/** ${doc} */\n${inline}`;
  return `${head}\n${members.map((m) => `  | ${m}`).join('\n')};`;
}
