import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleCharm } from '../src/bundle.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('bundleCharm', () => {
  /**
   * Bundles a project whose `src/` holds `files` (a string: `src/charm.ts` alone) and runs the
   * bundle (with `preload` required first, if given).
   */
  async function bundleAndRun(files: string | Record<string, string>, preload?: string) {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    const sources = typeof files === 'string' ? { 'charm.ts': files } : files;
    for (const [name, text] of Object.entries(sources)) writeFileSync(join(dir, 'src', name), text);
    const { code } = await bundleCharm({ projectDir: dir });
    const out = join(dir, 'bundle.mjs');
    writeFileSync(out, code);
    const args = preload === undefined ? [out] : ['--require', preload, out];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    return { text: Buffer.from(code).toString('utf8'), run };
  }

  it('keeps class names that collide across modules (state handle paths use them)', async () => {
    const { run } = await bundleAndRun({
      'a.ts': 'export class Storage {}\n',
      'b.ts': 'export class Storage {}\n',
      'charm.ts':
        "import { Storage as A } from './a.js';\nimport { Storage as B } from './b.js';\nconsole.log(A.name, B.name, A === B);\n",
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('Storage Storage false\n');
  });

  it('leaves external modules as imports', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'src', 'charm.ts'),
      "export async function load() { return import('@opsjs/pebble'); }\n",
    );
    const { code } = await bundleCharm({ projectDir: dir, external: ['@opsjs/pebble'] });
    expect(Buffer.from(code).toString('utf8')).toContain('import("@opsjs/pebble")');
  });

  it('reads each used builtin export once, without copying the whole module per import', async () => {
    const { text, run } = await bundleAndRun(
      [
        "import * as fs from 'node:fs';",
        "import { join } from 'node:path';",
        "import path from 'path';",
        "import * as os from 'node:os';",
        'const osNamespace: Record<string, unknown> = os;',
        'console.log(fs.existsSync(join(path.sep, "tmp")), typeof osNamespace.tmpdir, fs.constants.F_OK);',
      ].join('\n'),
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('true function 0\n');
    expect(text).not.toContain('__toESM');
    expect(text).toContain('__require("node:fs")');
    // Only what is used: fs.readFileSync is not read, os (used as a value) is whole.
    expect(text).not.toMatch(/builtin\.readFileSync/);
    expect(text).toMatch(/builtin\d*\.tmpdir/);
  });

  it("reads a name the packing Node's builtin lacks at run time (a newer Node's API)", async () => {
    const dir = tempDir();
    const preload = join(dir, 'newer-node.cjs');
    writeFileSync(
      preload,
      "require('node:fs').opsjsFromTheFuture = () => 'named'; require('node:os').opsjsLater = 'member';\n",
    );
    const { text, run } = await bundleAndRun(
      [
        "import { opsjsFromTheFuture } from 'node:fs';",
        "import * as os from 'node:os';",
        "import { join } from 'node:path';",
        'console.log(opsjsFromTheFuture(), os.opsjsLater, join("a", "b"));',
      ].join('\n'),
      preload,
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('named member a/b\n');
    // fs and os get the CommonJS shim; path keeps the ES module one.
    expect(text).toContain('__toESM(require_node_fs()');
    expect(text).toContain('__toESM(require_node_os()');
    expect(text).not.toContain('require_node_path');
  });

  it('makes the bundle ASCII: escapes in code, ? for each UTF-16 unit in kept comments', async () => {
    const { text, run } = await bundleAndRun(
      [
        'export class Greeter {',
        '  /** Says h\u00e9llo \u2192 back \ud83d\ude80. */',
        "  greet(): string { return 'h\u00e9llo \u2192 ' + String(new Error('x').stack?.split('\\n')[1]?.match(/:(\\d+):(\\d+)\\)?$/)?.slice(1)); }",
        '}',
        'console.log(new Greeter().greet());',
      ].join('\n'),
    );
    expect(run.stderr).toBe('');
    expect(text).not.toMatch(/[\u0080-\uffff]/);
    // The comment is kept, with one ? per UTF-16 code unit (the rocket is two).
    expect(text).toContain('/** Says h?llo ? back ??. */');
    // The string is intact, and positions are those of the bundle's own text.
    const line = text.split('\n').findIndex((l) => l.includes('new Error("x")')) + 1;
    const column = (text.split('\n')[line - 1] ?? '').indexOf('new Error') + 1;
    expect(run.stdout).toBe(`h\u00e9llo \u2192 ${line},${column}\n`);
  });

  it('keeps function names without restating the ones esbuild did not change', async () => {
    const { text, run } = await bundleAndRun({
      'a.ts': 'export function parse() { return 1; }\n',
      'b.ts': 'export function parse() { return 2; }\n',
      'charm.ts': [
        "import { parse as a } from './a.js';",
        "import { parse as b } from './b.js';",
        'function greet() { return new Error("here").stack?.split("\\n")[1]?.trim(); }',
        'export class Base { static kind = 1; }',
        'const Sub = class extends Base {};',
        'console.log(a.name, b.name, a === b, greet.name, Base.name, Sub.name, greet());',
      ].join('\n'),
    });
    expect(run.stderr).toBe('');
    const line = text.split('\n').findIndex((l) => l.includes('new Error("here")')) + 1;
    expect(run.stdout).toMatch(
      new RegExp(`^parse parse false greet Base Sub at greet \\(.*:${line}:\\d+\\)\\n$`),
    );
    // The renamed one keeps its name through __name; the others need none.
    expect(text).toMatch(/__name\(parse2, "parse"\);/);
    expect(text).not.toMatch(/__name\((parse|greet), "\1"\);/);
    expect(text).not.toMatch(/__name\(this, "(Base|Sub)"\)/);
  });

  it('builds a module namespace used as a value on first use, with the same getters', async () => {
    const { text, run } = await bundleAndRun({
      'util.ts': 'export const a = 1;\nexport let b = 2;\nexport function bump() { b += 1; }\n',
      'core.ts': "export * as util from './util.js';\nexport const loaded = 'core';\n",
      'charm.ts': [
        "import * as core from './core.js';",
        "import * as util from './util.js';",
        "const key = String(process.argv.length > 99 ? 'x' : 'b');",
        'const before = util[key as keyof typeof util];',
        'core.util.bump();',
        'console.log(core.loaded, before, core.util.b, Object.keys(util).join(), util === core.util);',
      ].join('\n'),
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('core 2 3 a,b,bump true\n');
    // Built by a function on first use, not by a statement of the bundle's top level.
    expect(text).toMatch(/^var __opsjs_util_exports = \(\) => \(__opsjs_util_exports = /m);
    expect(text).not.toMatch(/^__export\(/m);
  });

  it('moves packages loaded only lazily (require() or import()) to files of their own', async () => {
    const dir = tempDir();
    const pkg = (name: string, main: string) => {
      mkdirSync(join(dir, 'node_modules', name), { recursive: true });
      writeFileSync(
        join(dir, 'node_modules', name, 'package.json'),
        JSON.stringify({ name, version: '1.0.0', main: 'index.js' }),
      );
      writeFileSync(join(dir, 'node_modules', name, 'index.js'), main);
    };
    pkg('lazy-import', "exports.hello = () => 'LAZY_IMPORT_' + require('node:path').sep;\n");
    pkg('lazy-require', "exports.value = 'LAZY_REQUIRE';\n");
    pkg('eager', "exports.value = 'EAGER';\n");
    pkg('both', "exports.value = 'BOTH';\n");
    pkg('outward', "exports.value = 'OUTWARD_' + require('eager').value;\n");
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'src', 'shim.cjs'),
      "exports.later = () => require('lazy-require').value;\n",
    );
    writeFileSync(
      join(dir, 'src', 'charm.ts'),
      [
        "import { value as eager } from 'eager';",
        "import { value as both } from 'both';",
        "import { later } from './shim.cjs';",
        "const lazy = await import('lazy-import');",
        "const again = await import('both');",
        "const outward = await import('outward');",
        'console.log(eager, both === again.value, later(), lazy.hello(), outward.value);',
      ].join('\n'),
    );
    const { code, vendor } = await bundleCharm({ projectDir: dir });
    expect(vendor.map((f) => f.path)).toEqual([
      'vendor/lazy-import.cjs',
      'vendor/lazy-require.cjs',
    ]);
    const text = Buffer.from(code).toString('utf8');
    expect(text).not.toContain("'LAZY_IMPORT_'");
    expect(text).not.toContain('"LAZY_REQUIRE"');
    expect(text).toContain('__require("./vendor/lazy-import.cjs")');
    for (const value of ['EAGER', 'BOTH', 'OUTWARD_']) expect(text).toContain(`"${value}`);
    const out = join(dir, 'dist');
    mkdirSync(join(out, 'vendor'), { recursive: true });
    writeFileSync(join(out, 'charm.mjs'), code);
    for (const file of vendor) writeFileSync(join(out, file.path), file.contents);
    const run = spawnSync(process.execPath, [join(out, 'charm.mjs')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('EAGER true LAZY_REQUIRE LAZY_IMPORT_/ OUTWARD_EAGER\n');
  });
});
