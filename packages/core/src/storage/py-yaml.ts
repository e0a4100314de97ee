/**
 * @internal The YAML that Python ops keeps in controller state (`state-get`/`state-set`):
 * values written as `yaml.dump(value, Dumper=CSafeDumper + tuples, default_flow_style=None)`
 * (libyaml's emitter, keys sorted, 80 columns, ASCII only) and read with PyYAML's safe
 * loader plus `!!python/tuple`. {@link dumpPyYaml} reproduces that emitter's output byte for
 * byte for the values the framework stores; {@link loadPyYaml} resolves plain scalars with
 * PyYAML's YAML 1.1 rules (so `1e3` stays a string and `yes` is `true`, as in Python).
 */
import type { Document, Node } from 'yaml';
import { StateStoreError } from '../errors.js';
import yaml from './yaml-module.cjs';

/** A Python tuple (ops stores each notice as `(event_path, observer_path, method_name)`). */
export class PyTuple {
  /** The tuple's members. */
  readonly items: readonly PyValue[];

  /** @param items - the tuple's members */
  constructor(items: readonly PyValue[]) {
    this.items = items;
  }
}

/** A value {@link dumpPyYaml} writes. */
export type PyValue =
  | null
  | boolean
  | number
  | string
  | PyTuple
  | readonly PyValue[]
  | { readonly [key: string]: PyValue };

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const TUPLE_TAG = 'tag:yaml.org,2002:python/tuple';

// PyYAML's implicit resolvers (yaml/resolver.py), which decide whether a plain scalar is a
// string. A string matching one of them must be quoted.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

type Implicit = 'bool' | 'float' | 'int' | 'null' | 'timestamp' | 'merge' | 'value' | 'str';

/** The type PyYAML gives `text` as a plain scalar (first match in registration order). */
function resolvePlain(text: string): Implicit {
  const first = text.charAt(0);
  if ('yYnNtTfFoO'.includes(first) && first !== '' && BOOL.test(text)) return 'bool';
  if ('-+0123456789.'.includes(first) && first !== '' && FLOAT.test(text)) return 'float';
  if ('-+0123456789'.includes(first) && first !== '' && INT.test(text)) return 'int';
  if (text === '<<') return 'merge';
  if (['~', 'n', 'N', ''].includes(first) && NULL.test(text)) return 'null';
  if ('0123456789'.includes(first) && first !== '' && TIMESTAMP.test(text)) return 'timestamp';
  if (text === '=') return 'value';
  return 'str';
}

interface ScalarAnalysis {
  readonly multiline: boolean;
  readonly flowPlain: boolean;
  readonly blockPlain: boolean;
  readonly singleQuoted: boolean;
}

const isBreak = (ch: string): boolean =>
  ch === '\n' || ch === '\r' || ch === '\x85' || ch === '\u2028' || ch === '\u2029';
const isBlankZ = (ch: string | undefined): boolean =>
  ch === undefined || ch === ' ' || ch === '\t' || ch === '\0' || isBreak(ch);

/** libyaml's `yaml_emitter_analyze_scalar` with `unicode` off (PyYAML's default). */
function analyze(chars: readonly string[]): ScalarAnalysis {
  if (chars.length === 0) {
    return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true };
  }
  let block = false;
  let flow = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  const text = chars.join('');
  if (text.startsWith('---') || text.startsWith('...')) {
    block = true;
    flow = true;
  }
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    const followedByWhitespace = isBlankZ(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flow = true;
        block = true;
      }
      if (ch === '?' || ch === ':') {
        flow = true;
        if (followedByWhitespace) block = true;
      }
      if (ch === '-' && followedByWhitespace) {
        flow = true;
        block = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flow = true;
      if (ch === ':') {
        flow = true;
        if (followedByWhitespace) block = true;
      }
      if (ch === '#' && precededByWhitespace) {
        flow = true;
        block = true;
      }
    }
    // Without `allow_unicode`, anything outside printable ASCII needs double quotes.
    if (!(ch === '\n' || (ch >= ' ' && ch <= '~'))) special = true;
    if (isBreak(ch)) lineBreaks = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(ch);
  }
  let flowPlain = true;
  let blockPlain = true;
  let singleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    flowPlain = false;
    blockPlain = false;
  }
  if (breakSpace) {
    flowPlain = false;
    blockPlain = false;
    singleQuoted = false;
  }
  if (spaceBreak || special) {
    flowPlain = false;
    blockPlain = false;
    singleQuoted = false;
  }
  if (lineBreaks) {
    flowPlain = false;
    blockPlain = false;
  }
  if (flow) flowPlain = false;
  if (block) blockPlain = false;
  return { multiline: lineBreaks, flowPlain, blockPlain, singleQuoted };
}

/** Python's `repr(float)` as PyYAML writes it (`1e-05` becomes `1.0e-05`). */
function floatText(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (n === Number.POSITIVE_INFINITY) return '.inf';
  if (n === Number.NEGATIVE_INFINITY) return '-.inf';
  const [mantissa = '0', exp = '0'] = n.toExponential().split('e');
  const exponent = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exponent < -4 || exponent >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.0`;
    const e = Math.abs(exponent).toString().padStart(2, '0');
    text = `${m}e${exponent < 0 ? '-' : '+'}${e}`;
  } else if (exponent < 0) {
    text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else {
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const frac = digits.slice(exponent + 1);
    text = `${whole}.${frac === '' ? '0' : frac}`;
  }
  return negative ? `-${text}` : text;
}

/** Python's string order (by code point), which `sort_keys` uses. */
function comparePy(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

type Ctx = { readonly simpleKey: boolean; readonly mapping: boolean };

/** libyaml's emitter, reduced to what PyYAML's representer produces for {@link PyValue}. */
class Emitter {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent = -1;
  readonly indents: number[] = [];
  flowLevel = 0;

  put(text: string): void {
    this.out += text;
    this.column += [...text].length;
  }

  lineBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.lineBreak();
    }
    if (this.column < indent) this.put(' '.repeat(indent - this.column));
    this.whitespace = true;
    this.indention = true;
  }

  indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean) {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(text);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  node(value: PyValue, ctx: Ctx): void {
    if (value instanceof PyTuple) this.sequence(value.items, '!!python/tuple', ctx);
    else if (isList(value)) this.sequence(value, undefined, ctx);
    else if (value !== null && typeof value === 'object') this.mapping(value);
    else this.scalar(value, ctx);
  }

  /** Whether the representer made this collection flow style (all members scalars). */
  static isFlow(members: readonly PyValue[]): boolean {
    return members.every((m) => m === null || typeof m !== 'object');
  }

  sequence(items: readonly PyValue[], tag: string | undefined, ctx: Ctx): void {
    if (tag !== undefined) this.indicator(tag, true, false, false);
    if (this.flowLevel > 0 || Emitter.isFlow(items)) {
      this.indicator('[', true, true, false);
      this.increaseIndent(true, false);
      this.flowLevel++;
      items.forEach((item, i) => {
        if (i > 0) this.indicator(',', false, false, false);
        if (this.column > BEST_WIDTH) this.writeIndent();
        this.node(item, { simpleKey: false, mapping: false });
      });
      this.flowLevel--;
      this.popIndent();
      this.indicator(']', false, false, false);
      return;
    }
    this.increaseIndent(false, ctx.mapping && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.indicator('-', true, false, true);
      this.node(item, { simpleKey: false, mapping: false });
    }
    this.popIndent();
  }

  mapping(map: { readonly [key: string]: PyValue }): void {
    const keys = Object.keys(map).sort(comparePy);
    const flow = this.flowLevel > 0 || Emitter.isFlow(keys.map((k) => map[k] ?? null));
    if (flow) {
      this.indicator('{', true, true, false);
      this.increaseIndent(true, false);
      this.flowLevel++;
    } else {
      this.increaseIndent(false, false);
    }
    keys.forEach((key, i) => {
      const value = map[key] ?? null;
      const simple = isSimpleKey(key);
      if (flow) {
        if (i > 0) this.indicator(',', false, false, false);
        if (this.column > BEST_WIDTH) this.writeIndent();
        if (!simple) this.indicator('?', true, false, false);
      } else {
        this.writeIndent();
        if (!simple) this.indicator('?', true, false, true);
      }
      this.node(key, { simpleKey: simple, mapping: true });
      if (simple) {
        this.indicator(':', false, false, false);
      } else if (flow) {
        if (this.column > BEST_WIDTH) this.writeIndent();
        this.indicator(':', true, false, false);
      } else {
        this.writeIndent();
        this.indicator(':', true, false, true);
      }
      this.node(value, { simpleKey: false, mapping: true });
    });
    if (flow) {
      this.flowLevel--;
      this.popIndent();
      this.indicator('}', false, false, false);
    } else {
      this.popIndent();
    }
  }

  scalar(value: null | boolean | number | string, ctx: Ctx): void {
    let text: string;
    let isString = false;
    if (value === null) text = 'null';
    else if (typeof value === 'boolean') text = value ? 'true' : 'false';
    else if (typeof value === 'number') {
      text = Number.isSafeInteger(value) ? String(value) : floatText(value);
    } else {
      text = value;
      isString = true;
    }
    const chars = [...text];
    const a = analyze(chars);
    let style: 'plain' | 'single' | 'double' = 'plain';
    if (ctx.simpleKey && a.multiline) style = 'double';
    if (style === 'plain') {
      if ((this.flowLevel > 0 && !a.flowPlain) || (this.flowLevel === 0 && !a.blockPlain)) {
        style = 'single';
      }
      if (chars.length === 0 && (this.flowLevel > 0 || ctx.simpleKey)) style = 'single';
      if (isString && resolvePlain(text) !== 'str') style = 'single';
    }
    if (style === 'single' && !a.singleQuoted) style = 'double';
    this.increaseIndent(true, false);
    const breaks = !ctx.simpleKey;
    if (style === 'plain') this.plain(chars, breaks);
    else if (style === 'single') this.singleQuoted(chars, breaks);
    else this.doubleQuoted(chars, breaks);
    this.popIndent();
  }

  plain(chars: readonly string[], allowBreaks: boolean): void {
    if (!this.whitespace && (chars.length > 0 || this.flowLevel > 0)) this.put(' ');
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] ?? '';
      if (ch === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') {
          this.writeIndent();
        } else {
          this.put(ch);
        }
        spaces = true;
      } else {
        this.put(ch);
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  singleQuoted(chars: readonly string[], allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] ?? '';
      if (ch === ' ') {
        if (
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i !== 0 &&
          i !== chars.length - 1 &&
          chars[i + 1] !== ' '
        ) {
          this.writeIndent();
        } else {
          this.put(ch);
        }
        spaces = true;
      } else if (ch === '\n') {
        if (!breaks) this.lineBreak();
        this.lineBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(ch === "'" ? "''" : ch);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    if (breaks) this.writeIndent();
    this.indicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  doubleQuoted(chars: readonly string[], allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i] ?? '';
      const code = ch.codePointAt(0) ?? 0;
      if (!(ch >= ' ' && ch <= '~') || ch === '"' || ch === '\\') {
        const escaped = ESCAPES[ch];
        if (escaped !== undefined) this.put(`\\${escaped}`);
        else if (code <= 0xff) this.put(`\\x${code.toString(16).toUpperCase().padStart(2, '0')}`);
        else if (code <= 0xffff) {
          this.put(`\\u${code.toString(16).toUpperCase().padStart(4, '0')}`);
        } else this.put(`\\U${code.toString(16).toUpperCase().padStart(8, '0')}`);
        spaces = false;
      } else if (ch === ' ') {
        if (
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i !== 0 &&
          i !== chars.length - 1
        ) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.put('\\');
        } else {
          this.put(ch);
        }
        spaces = true;
      } else {
        this.put(ch);
        spaces = false;
      }
    }
    this.indicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }
}

function isList(value: PyValue): value is readonly PyValue[] {
  return Array.isArray(value);
}

/** libyaml's `check_simple_key` for a string key: one line and at most 128 bytes. */
function isSimpleKey(key: string): boolean {
  return !analyze([...key]).multiline && Buffer.byteLength(key, 'utf8') <= 128;
}

/**
 * @internal `yaml.dump(value, Dumper=ops' _SimpleDumper, default_flow_style=None)` as Python
 * ops with libyaml writes it, for a mapping or sequence at the root.
 */
export function dumpPyYaml(value: PyValue): string {
  const emitter = new Emitter();
  emitter.node(value, { simpleKey: false, mapping: false });
  emitter.writeIndent();
  return emitter.out;
}

/**
 * @internal Read YAML as ops' `_SimpleLoader` (PyYAML's safe loader plus tuples) would, into
 * JSON-like values: tuples and sets become arrays; binary data, timestamps and other Python
 * types are refused.
 *
 * @param location - what is read, for error messages (`controller state <key>`)
 * @throws {StateStoreError} when the text is not YAML or holds a value JSON cannot represent
 */
export function loadPyYaml(text: string, location: string): unknown {
  const fail = (detail: string): never => {
    throw new StateStoreError(
      location,
      `the stored value is not YAML that ops or opsjs writes: ${detail}`,
    );
  };
  const doc = yaml
    .yamlModule()
    .parseDocument(text, { schema: 'failsafe', version: '1.1', uniqueKeys: false });
  const error = doc.errors[0];
  // The parser's code and position only: its messages can quote the stored text.
  if (error !== undefined) {
    fail(`not valid YAML (${error.code} at line ${error.linePos?.[0].line ?? '?'})`);
  }
  return construct(doc.contents, doc, fail);
}

function construct(node: Node | null, doc: Document, fail: (detail: string) => never): unknown {
  if (node === null) return null;
  // Loaded by loadPyYaml already.
  const { isAlias, isMap, isScalar, isSeq } = yaml.yamlModule();
  if (isAlias(node)) return construct(node.resolve(doc) ?? null, doc, fail);
  const tag = node.tag;
  if (isSeq(node)) {
    if (tag !== undefined && tag !== 'tag:yaml.org,2002:seq' && tag !== TUPLE_TAG) {
      fail(`unsupported tag ${tag}`);
    }
    return node.items.map((item) => construct(item as Node | null, doc, fail));
  }
  if (isMap(node)) {
    const entries = node.items.map((pair) => {
      const key = construct(pair.key as Node | null, doc, fail);
      if (key !== null && typeof key === 'object') {
        fail('a mapping key is a collection');
      }
      return [String(key), construct(pair.value as Node | null, doc, fail)] as const;
    });
    // A Python set is a mapping of its members to null.
    if (tag === 'tag:yaml.org,2002:set') return entries.map(([k]) => k);
    if (tag !== undefined && tag !== 'tag:yaml.org,2002:map') {
      fail(`unsupported tag ${tag}`);
    }
    return Object.fromEntries(entries);
  }
  if (!isScalar(node)) fail('unexpected YAML node');
  const text = String(node.value);
  let kind: Implicit;
  if (tag !== undefined) {
    const name = tag.replace('tag:yaml.org,2002:', '');
    if (!['bool', 'float', 'int', 'null', 'str'].includes(name)) {
      fail(`unsupported tag ${tag}`);
    }
    kind = name as Implicit;
  } else {
    kind = node.type === 'PLAIN' ? resolvePlain(text) : 'str';
  }
  switch (kind) {
    case 'str':
      return text;
    case 'null':
      return null;
    case 'bool':
      return ['yes', 'true', 'on'].includes(text.toLowerCase());
    case 'int':
      return constructInt(text);
    case 'float':
      return constructFloat(text);
    default:
      fail(`a plain scalar resolves to ${kind}, which has no JSON form`);
  }
}

function sexagesimal(digits: string): number {
  return digits.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

function constructInt(raw: string): number {
  let text = raw.replaceAll('_', '');
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    if (text.startsWith('-')) sign = -1;
    text = text.slice(1);
  }
  if (text === '0') return 0;
  if (text.startsWith('0b')) return sign * Number.parseInt(text.slice(2), 2);
  if (text.startsWith('0x')) return sign * Number.parseInt(text.slice(2), 16);
  if (text.startsWith('0')) return sign * Number.parseInt(text, 8);
  if (text.includes(':')) return sign * sexagesimal(text);
  return sign * Number(text);
}

function constructFloat(raw: string): number {
  let text = raw.replaceAll('_', '').toLowerCase();
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    if (text.startsWith('-')) sign = -1;
    text = text.slice(1);
  }
  if (text === '.inf') return sign * Number.POSITIVE_INFINITY;
  if (text === '.nan') return Number.NaN;
  if (text.includes(':')) return sign * sexagesimal(text);
  return sign * Number(text);
}
