import { describe, expect, it } from 'vitest';
import { pyStrRepr } from '../src/py-repr.js';

describe('pyStrRepr (Python repr of a str)', () => {
  it.each([
    ['need db', "'need db'"],
    ['', "''"],
    ["it's", `"it's"`],
    [`it's "x"`, `'it\\'s "x"'`],
    ['a\\b', "'a\\\\b'"],
    ['line\nnext\ttab', "'line\\nnext\\ttab'"],
    ['\u0001', "'\\x01'"],
    ['café', "'café'"],
  ])('%j → %s', (text, repr) => {
    expect(pyStrRepr(text)).toBe(repr);
  });
});
