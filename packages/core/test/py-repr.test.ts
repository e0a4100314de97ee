import { describe, expect, it } from 'vitest';
import { securityEvent } from '../src/dispatch.js';
import { pyJsonDumps, pyJsonString, pyStrRepr } from '../src/py-repr.js';

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

describe('pyJsonString (Python json.dumps of a str)', () => {
  it.each([
    ['plain', '"plain"'],
    ['café', '"caf\\u00e9"'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ['a\nb\tc\r\b\f', '"a\\nb\\tc\\r\\b\\f"'],
    ['\u0001\u007f', '"\\u0001\\u007f"'],
    ['😀', '"\\ud83d\\ude00"'],
  ])('%j → %s', (text, json) => {
    expect(pyJsonString(text)).toBe(json);
  });
});

describe('securityEvent (ops _log_security_event line)', () => {
  it('is Python json.dumps: ", " and ": " separators, non-ASCII escaped', () => {
    const line = securityEvent(
      'WARN',
      'sys_crash:Error',
      "Uncaught exception in charm code: Error('café').",
      { modelUuid: 'm', unitName: 'u/0' },
      new Date('2026-07-01T10:00:00.123Z'),
    );
    expect(line).toBe(
      '{"datetime": "2026-07-01T10:00:00.123000+00:00", "level": "WARN", "type": "security", ' +
        '"appid": "m-u/0", "event": "sys_crash:Error", ' +
        '"description": "Uncaught exception in charm code: Error(\'caf\\u00e9\')."}',
    );
  });
});

describe('pyJsonDumps (Python json.dumps defaults)', () => {
  it.each([
    [{ hosts: ['a', 'b'], port: 5432 }, '{"hosts": ["a", "b"], "port": 5432}'],
    [
      { name: 'café', ok: true, none: null, skip: undefined },
      '{"name": "caf\\u00e9", "ok": true, "none": null}',
    ],
    [[1.5, undefined, Number.NaN, -Infinity], '[1.5, null, NaN, -Infinity]'],
    [new Date('2026-07-01T10:00:00.000Z'), '"2026-07-01T10:00:00.000Z"'],
    [[], '[]'],
    [{}, '{}'],
  ])('%j → %s', (value, json) => {
    expect(pyJsonDumps(value)).toBe(json);
  });
});
