// dumpPyYaml against PyYAML 6.0.3 `yaml.dump(value, Dumper=CSafeDumper + tuples,
// default_flow_style=None)` (ops' _JujuStorageBackend.set): expected texts produced by PyYAML.
import { describe, expect, it } from 'vitest';
import { dumpPyYaml, loadPyYaml, PyTuple, type PyValue } from '../src/storage/py-yaml.js';

const CASES: ReadonlyArray<[PyValue, string]> = [
  [{ event_count: 3 }, '{event_count: 3}\n'],
  [{ configChanges: 1, installed: true }, '{configChanges: 1, installed: true}\n'],
  [{}, '{}\n'],
  [[], '[]\n'],
  [{ a: [1, 2], b: 'x' }, 'a: [1, 2]\nb: x\n'],
  [{ a: { b: [1], c: 2 } }, 'a:\n  b: [1]\n  c: 2\n'],
  [{ a: { c: 2 } }, 'a: {c: 2}\n'],
  [[[1, [2]], { a: 1, b: [1] }], '- - 1\n  - [2]\n- a: 1\n  b: [1]\n'],
  [
    {
      s: [
        '',
        'yes',
        'no',
        'on',
        'null',
        '~',
        '3',
        '3.5',
        '1e3',
        '0x10',
        '010',
        '-',
        '- a',
        'a: b',
        'a:b',
        '#x',
        'a #x',
        'a#x',
        '[x]',
        'x[1]',
        'DemoCharm/on/config_changed[1]',
        '---',
        '...',
        "'q'",
        '"d"',
        'caf\u00e9',
        'tab\there',
        'line\nbreak',
        'trail ',
        ' lead',
        'a\n',
        '2001-12-14',
        '<<',
        '=',
        'True',
        '1_000',
        '.inf',
        '-.inf',
        '.nan',
        '?x',
        '? x',
        '!x',
        '&x',
        '*x',
        '%x',
        '@x',
        '`x',
        '|x',
        '>x',
        'x|y',
        '1:20',
        '0b101',
        '+1',
        '-1',
        '+',
        '.',
        '0o7',
        '\ud83d\ude00',
      ],
    },
    "s: ['', 'yes', 'no', 'on', 'null', '~', '3', '3.5', 1e3, '0x10', '010', '-', '- a',\n  'a: b', 'a:b', '#x', 'a #x', a#x, '[x]', 'x[1]', 'DemoCharm/on/config_changed[1]',\n  '---', '...', '''q''', '\"d\"', \"caf\\xE9\", \"tab\\there\", 'line\n\n    break', 'trail ', ' lead', 'a\n\n    ', '2001-12-14', '<<', '=', 'True', '1_000', '.inf', '-.inf', '.nan', '?x', '?\n    x', '!x', '&x', '*x', '%x', '@x', '`x', '|x', '>x', x|y, '1:20', '0b101', '+1',\n  '-1', +, ., 0o7, \"\\U0001F600\"]\n",
  ],
  [
    {
      long: 'word word word word word word word word word word word word word word word word word word word word',
    },
    '{long: word word word word word word word word word word word word word word word\n    word word word word word}\n',
  ],
  [
    {
      list: [
        'aaaaaaaaaa',
        'bbbbbbbbbb',
        'cccccccccc',
        'dddddddddd',
        'eeeeeeeeee',
        'ffffffffff',
        'gggggggggg',
        'hhhhhhhhhh',
      ],
    },
    'list: [aaaaaaaaaa, bbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, gggggggggg,\n  hhhhhhhhhh]\n',
  ],
  [
    { pem: '-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n' },
    "{pem: '-----BEGIN CERTIFICATE-----\n\n    MIIB\n\n    AAAA\n\n    -----END CERTIFICATE-----\n\n    '}\n",
  ],
  [{ multi: 'a\n\nb\n c' }, '{multi: "a\\n\\nb\\n c"}\n'],
  [
    { nested: { x: { y: { z: [1, { w: null }] } } } },
    'nested:\n  x:\n    y:\n      z:\n      - 1\n      - {w: null}\n',
  ],
  [
    { b: false, n: null, z: 'Z', A: 1, _: 2, a: 3 },
    '{A: 1, _: 2, a: 3, b: false, n: null, z: Z}\n',
  ],
  [
    { 'key with space': 1, 'k:': 2, '-k': 3, '': 4 },
    "{'': 4, -k: 3, 'k:': 2, key with space: 1}\n",
  ],
  [{ u: '\u0000\u0007\u001b\u0085\u00a0\u2028\ufeff' }, '{u: "\\0\\a\\e\\N\\_\\L\\uFEFF"}\n'],
  [
    {
      dq: 'caf\u00e9 and a long string that keeps going and going and going and going past eighty columns',
    },
    '{dq: "caf\\xE9 and a long string that keeps going and going and going and going past\n    eighty columns"}\n',
  ],
  [
    {
      sq: "it's a long string that keeps going and going and going and going past the eighty columns",
    },
    "{sq: it's a long string that keeps going and going and going and going past the eighty\n    columns}\n",
  ],
  [
    {
      kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: 1,
    },
    '{? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\n  : 1}\n',
  ],
  [{ m: [{ a: 1 }, [], {}, [[]]] }, 'm:\n- {a: 1}\n- []\n- {}\n- - []\n'],
  [{ ab: 'a b  c   d' }, '{ab: a b  c   d}\n'],
  [{ x: 'a\tb' }, '{x: "a\\tb"}\n'],
  [{ emptystrs: ['', ' ', '  '] }, "emptystrs: ['', ' ', '  ']\n"],
];

describe('dumpPyYaml', () => {
  it.each(CASES)('writes %j as PyYAML with libyaml does', (value, expected) => {
    expect(dumpPyYaml(value)).toBe(expected);
  });

  it('writes floats as Python repr and tuples with their tag', () => {
    expect(dumpPyYaml({ f: [1.5, 0.1, 1e-5, 1e16, -0.0001, 2.5e-7, 1e100, 3] })).toBe(
      'f: [1.5, 0.1, 1.0e-05, 1.0e+16, -0.0001, 2.5e-07, 1.0e+100, 3]\n',
    );
    expect(dumpPyYaml([new PyTuple(['A/on/x[1]', 'A', 'onX'])])).toBe(
      "- !!python/tuple ['A/on/x[1]', A, onX]\n",
    );
  });
});

describe('loadPyYaml', () => {
  it.each(CASES)('reads back %j', (value, text) => {
    expect(loadPyYaml(text, 'test')).toEqual(value);
  });
});
