import { describe, expect, it } from 'vitest';
import { pythonJsonDumps } from '../src/python-json.js';

describe('pythonJsonDumps', () => {
  it("uses Python's default separators", () => {
    expect(pythonJsonDumps({ url: 'http://foo.bar:80/m-a/0', n: [1, 2, { a: null }] })).toBe(
      '{"url": "http://foo.bar:80/m-a/0", "n": [1, 2, {"a": null}]}',
    );
    expect(pythonJsonDumps([])).toBe('[]');
    expect(pythonJsonDumps({})).toBe('{}');
    expect(pythonJsonDumps(true)).toBe('true');
    expect(pythonJsonDumps(4242)).toBe('4242');
  });

  it('escapes as ensure_ascii=True does', () => {
    expect(pythonJsonDumps('ü\n"\\\u007f😀\u0001/')).toBe(
      '"\\u00fc\\n\\"\\\\\\u007f\\ud83d\\ude00\\u0001/"',
    );
  });

  it('rejects what JSON cannot hold', () => {
    expect(() => pythonJsonDumps(Number.NaN)).toThrow(TypeError);
    expect(() => pythonJsonDumps(() => 1)).toThrow(/cannot encode a function/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => pythonJsonDumps(cyclic)).toThrow(/cyclic/);
  });
});
