import { describe, expect, it } from 'vitest';
import { tsKey, tsLiteral, tsString, tsUnionType } from '../src/ts-literal.js';

describe('TypeScript literals in Biome style', () => {
  it('quotes strings with single quotes unless that needs escapes', () => {
    expect(tsString('plain')).toBe("'plain'");
    expect(tsString("it's")).toBe('"it\'s"');
    expect(tsString(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(tsString('back\\slash\nnew\tline')).toBe("'back\\\\slash\\nnew\\tline'");
    expect(tsString('\u0001')).toBe("'\\u0001'");
  });

  it('leaves identifier keys bare and quotes the rest', () => {
    expect(tsKey('port')).toBe('port');
    expect(tsKey('log-level')).toBe("'log-level'");
    expect(tsKey('2fa')).toBe("'2fa'");
  });

  it('expands objects and keeps short arrays on one line', () => {
    expect(tsLiteral({ a: 1, 'b-c': [true, null], d: {}, e: [], skip: undefined }, 0)).toBe(
      "{\n  a: 1,\n  'b-c': [true, null],\n  d: {},\n  e: [],\n}",
    );
    const long = Array.from({ length: 12 }, (_, i) => `value-number-${i}`);
    const text = tsLiteral({ list: long }, 0);
    expect(text.split('\n')[1]).toBe('  list: [');
    expect(text.split('\n')[2]).toBe("    'value-number-0',");
  });

  it('breaks a long union over lines with leading bars', () => {
    expect(tsUnionType('A', ["'x'", "'y'"], 'Doc.')).toBe(
      "/** Doc. */\nexport type A = 'x' | 'y';",
    );
    expect(tsUnionType('None', [], 'Doc.')).toBe('/** Doc. */\nexport type None = never;');
    const members = Array.from({ length: 10 }, (_, i) => `'relation-endpoint-${i}'`);
    const text = tsUnionType('Many', members, 'Doc.');
    expect(text.split('\n').slice(0, 3)).toEqual([
      '/** Doc. */',
      'export type Many =',
      "  | 'relation-endpoint-0'",
    ]);
    expect(text.endsWith("  | 'relation-endpoint-9';")).toBe(true);
  });
});
