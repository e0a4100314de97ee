import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scriptBanner, scriptFooter } from '../src/bundle.js';
import { dispatchLoader } from '../src/dispatch-loader.js';
import { pack } from '../src/pack.js';
import {
  codeCacheFiles,
  copyFixture,
  extractZip,
  fakeHookTools,
  hookCharmFixture,
  runDispatchScript,
} from './helpers/charm-dir.js';
import { readZip } from './helpers/read-zip.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();
const nodePath = `${dirname(process.execPath)}:/usr/bin:/bin`;

/** Packs a one-file charm (`--no-runtime`) and extracts it; returns the charm dir and result. */
async function packEntry(source: string, charmDirName?: string) {
  const dir = tempDir();
  writeFileSync(join(dir, 'metadata.yaml'), 'name: probe\n');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'charm.ts'), source);
  const result = await pack({
    dir,
    out: tempDir(),
    arch: 'amd64',
    noRuntime: true,
    base: 'ubuntu@24.04',
  });
  const charmDir = charmDirName === undefined ? tempDir() : join(tempDir(), charmDirName);
  mkdirSync(charmDir, { recursive: true });
  extractZip(result.charmPath, charmDir);
  return { charmDir, result };
}

/** Runs the charm's `dispatch` (`debug`: with JUJU_DEBUG) or `node dist/charm.mjs` directly. */
function run(charmDir: string, how: 'dispatch' | 'debug' | 'module') {
  const env = {
    PATH: nodePath,
    JUJU_DISPATCH_PATH: 'hooks/install',
    JUJU_CHARM_DIR: charmDir,
    ...(how === 'debug' ? { JUJU_DEBUG: '' } : {}),
  };
  const [file, args] =
    how === 'module'
      ? [process.execPath, ['dist/charm.mjs']]
      : [join(charmDir, 'dispatch'), [] as string[]];
  const result = spawnSync(file, args, { cwd: charmDir, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The hook-charm fixture packed and extracted, with fake hook tools. */
async function hookCharm() {
  const dir = copyFixture(hookCharmFixture, join(tempDir(), 'hook-charm'));
  const result = await pack({ dir, out: tempDir(), arch: 'amd64', noRuntime: true });
  const charmDir = tempDir();
  extractZip(result.charmPath, charmDir);
  const tools = fakeHookTools(tempDir(), {});
  const install = () => runDispatchScript(charmDir, 'hooks/install', `${tools.dir}:${nodePath}`);
  return { charmDir, tools, install };
}

const PROBE = `import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
const dynamic = await import('node:os');
const here = new Error('here').stack?.split('\\n')[1]?.trim();
console.log(JSON.stringify({
  url: import.meta.url,
  dirname: import.meta.dirname,
  filename: import.meta.filename,
  argv1: process.argv[1],
  here,
  eol: dynamic.EOL === os.EOL,
  sep: path.sep,
  self: readFileSync(new URL(import.meta.url), 'utf8').includes('probe-marker'),
  strict: (function (this: unknown) { return this === undefined; })(),
}));
process.emitWarning('probe warning');
`;

describe('the dispatch loader (dist/dispatch.cjs)', () => {
  it('runs the bundle as Node runs the module: import.meta, argv, dynamic import, positions', async () => {
    const { charmDir, result } = await packEntry(PROBE);
    expect(result.loader).toBe(true);
    const direct = run(charmDir, 'module');
    // Warnings as the module's: the charm's own, and none about how the loader runs it.
    const warnings = (stderr: string) => stderr.replaceAll(/\(node:\d+\) /g, '');
    expect(warnings(direct.stderr)).toMatch(/^Warning: probe warning\n/);
    const facts = JSON.parse(direct.stdout);
    expect(facts).toEqual({
      url: `file://${charmDir}/dist/charm.mjs`,
      dirname: join(charmDir, 'dist'),
      filename: join(charmDir, 'dist', 'charm.mjs'),
      argv1: join(charmDir, 'dist', 'charm.mjs'),
      here: expect.stringMatching(/^at file:\/\/.*\/dist\/charm\.mjs:\d+:\d+$/),
      eol: true,
      sep: '/',
      self: true,
      strict: true,
    });
    // Through the loader: first without, then with its code cache.
    for (const _ of [1, 2]) {
      const loaded = run(charmDir, 'dispatch');
      expect(warnings(loaded.stderr)).toBe(warnings(direct.stderr));
      expect(JSON.parse(loaded.stdout)).toEqual(facts);
    }
    expect(codeCacheFiles(charmDir)).toHaveLength(1);
  });

  it('gives the bundle the URL Node would in a charm directory whose path needs escaping', async () => {
    const { charmDir } = await packEntry(PROBE, 'a dir#50%~[é]');
    const direct = JSON.parse(run(charmDir, 'module').stdout);
    expect(direct.url).toBe(pathToFileURL(join(charmDir, 'dist', 'charm.mjs')).href);
    expect(direct.url).toContain('a%20dir%2350%25%7E%5B%C3%A9%5D');
    for (const _ of [1, 2]) expect(JSON.parse(run(charmDir, 'dispatch').stdout)).toEqual(direct);
  });

  it('bundles imports of Node builtins as require calls, and no import.meta after the banner', async () => {
    const { charmDir } = await packEntry(`${PROBE}// probe-marker\nconsole.log('→ …');\n`);
    const bundle = readFileSync(join(charmDir, 'dist', 'charm.mjs'), 'utf8');
    // Laid out as a script: the banner opens an async function, the footer closes and calls it.
    expect(bundle.startsWith(`${scriptBanner}\n`)).toBe(true);
    expect(bundle.endsWith(`\n${scriptFooter}\n//# sourceMappingURL=charm.mjs.map\n`)).toBe(true);
    const body = bundle.slice(scriptBanner.length, bundle.lastIndexOf(scriptFooter));
    expect(body).not.toMatch(/from\s*["']node:/);
    expect(body).not.toMatch(/^\s*import\s/m);
    expect(body).not.toContain('import.meta');
    expect(body).toContain('__require("node:fs")');
    expect(body).toContain('__require("node:os")');
    // The dynamic import stays one: it runs through Node's module loader.
    expect(body).toContain('import("node:os")');
    // ASCII only (a one-byte string for V8): non-ASCII characters are escaped.
    expect(body).not.toMatch(/[\u0080-\uffff]/);
    expect(body).toContain('\\u2192 \\u2026');
  });

  it('replaces a corrupted cache, and ignores caches made for another bundle', async () => {
    const { charmDir, tools, install } = await hookCharm();
    const cacheDir = join(charmDir, '.node-compile-cache');
    mkdirSync(cacheDir);
    // A cache for another bundle (another hash) is not read, nor removed.
    const foreign = join(cacheDir, 'opsjs-0123456789abcdef.v8');
    writeFileSync(foreign, 'not a V8 code cache');
    expect(install().status).toBe(0);
    const [cache, ...more] = codeCacheFiles(charmDir).filter((f) => f !== foreign);
    expect(more).toEqual([]);
    if (cache === undefined) throw new Error('no code cache written');
    expect(readFileSync(foreign, 'utf8')).toBe('not a V8 code cache');
    const good = readFileSync(cache);
    const stampLength = good.indexOf(10) + 1;
    for (const bad of [
      Buffer.from('garbage'),
      // The bundle's stamp with a truncated or scrambled V8 cache: V8 rejects it.
      good.subarray(0, stampLength + 100),
      Buffer.concat([good.subarray(0, stampLength), Buffer.alloc(good.length - stampLength, 7)]),
    ]) {
      writeFileSync(cache, bad);
      const before = statSync(cache).ino;
      const rerun = install();
      expect(rerun.status, rerun.stderr).toBe(0);
      expect(rerun.stderr).toBe('');
      expect(statSync(cache).ino).not.toBe(before);
      expect(readFileSync(cache).equals(bad)).toBe(false);
      expect(readFileSync(cache).subarray(0, stampLength)).toEqual(good.subarray(0, stampLength));
      expect(readFileSync(cache).length).toBeGreaterThan(1000);
    }
    expect(tools.calls().filter((c) => c[0] === 'status-set')).toHaveLength(4);
  });

  it('ignores its cache once the bundle is edited, even to the same length', async () => {
    const { charmDir, tools, install } = await hookCharm();
    expect(install().status).toBe(0);
    const [cache] = codeCacheFiles(charmDir);
    if (cache === undefined) throw new Error('no code cache written');
    const bundleFile = join(charmDir, 'dist', 'charm.mjs');
    const bundle = readFileSync(bundleFile, 'utf8');
    expect(bundle).toContain('"installing"');
    writeFileSync(bundleFile, bundle.replace('"installing"', '"INSTALLING"'));
    utimesSync(bundleFile, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    const edited = install();
    expect(edited.status, edited.stderr).toBe(0);
    expect(tools.calls().filter((c) => c[0] === 'status-set')).toEqual([
      ['status-set', 'maintenance', 'installing'],
      ['status-set', 'maintenance', 'INSTALLING'],
    ]);
    expect(readFileSync(cache, 'utf8')).toMatch(
      /^opsjs-v8-cache \d+ 2000000000000 hooks%2Finstall\n/,
    );
  });

  it('reads a bundle edited to hold non-ASCII text as UTF-8', async () => {
    const { charmDir, tools, install } = await hookCharm();
    expect(install().status).toBe(0);
    const bundleFile = join(charmDir, 'dist', 'charm.mjs');
    const bundle = readFileSync(bundleFile, 'utf8');
    expect(bundle).not.toMatch(/[\u0080-\uffff]/);
    writeFileSync(bundleFile, bundle.replace('"installing"', '"instal\u00e9 \u2192 \ud83d\ude80"'));
    const edited = install();
    expect(edited.status, edited.stderr).toBe(0);
    expect(tools.calls().filter((c) => c[0] === 'status-set')).toEqual([
      ['status-set', 'maintenance', 'installing'],
      ['status-set', 'maintenance', 'instal\u00e9 \u2192 \ud83d\ude80'],
    ]);
  });

  it('runs, silently, when it cannot write its cache (a read-only charm directory)', async () => {
    const { charmDir, install } = await hookCharm();
    // A file where the cache directory would be: no user (root included) can create it.
    writeFileSync(join(charmDir, '.node-compile-cache'), '');
    const blocked = install();
    expect(blocked.status, blocked.stderr).toBe(0);
    expect(blocked.stderr).toBe('');
    rmSync(join(charmDir, '.node-compile-cache'));
    chmodSync(charmDir, 0o555);
    try {
      const readOnly = install();
      expect(readOnly.status, readOnly.stderr).toBe(0);
      expect(readOnly.stderr).toBe('');
    } finally {
      chmodSync(charmDir, 0o755);
    }
  });

  it('neither reads nor writes its cache with NODE_DISABLE_COMPILE_CACHE', async () => {
    const { charmDir, tools } = await hookCharm();
    const off = spawnSync(join(charmDir, 'dispatch'), [], {
      cwd: charmDir,
      encoding: 'utf8',
      env: {
        PATH: `${tools.dir}:${nodePath}`,
        JUJU_DISPATCH_PATH: 'hooks/install',
        JUJU_CHARM_DIR: charmDir,
        NODE_DISABLE_COMPILE_CACHE: '1',
      },
    });
    expect(off.status, off.stderr).toBe(0);
    expect(tools.calls()[1]).toEqual(['status-set', 'maintenance', 'installing']);
    expect(codeCacheFiles(charmDir)).toEqual([]);
  });

  it('fails as the module does when its top-level await rejects, even if the charm listens for unhandled rejections', async () => {
    const { charmDir } = await packEntry(
      "process.on('unhandledRejection', () => console.log('listener'));\nawait 1;\nthrow new Error('boom');\n",
    );
    const direct = run(charmDir, 'module');
    const loaded = run(charmDir, 'dispatch');
    expect(direct.status).toBe(1);
    expect(loaded.status).toBe(1);
    expect(loaded.stdout).toBe(direct.stdout);
    expect(loaded.stderr).toContain('Error: boom\n    at file://');
  });

  it('exits 13 as the module does when its top-level await never settles', async () => {
    const { charmDir, result } = await packEntry('await new Promise(() => {});\n');
    expect(result.loader).toBe(true);
    const direct = run(charmDir, 'module');
    const loaded = run(charmDir, 'dispatch');
    expect(direct.status).toBe(13);
    expect(loaded.status).toBe(13);
    expect(loaded.stderr).toBe(
      `Warning: Detected unsettled top-level await at file://${charmDir}/dist/charm.mjs\n`,
    );
    expect(direct.stderr).toContain(
      `Warning: Detected unsettled top-level await at file://${charmDir}/dist/charm.mjs:`,
    );
  });

  it('is left out when the bundle is not a script; dispatch then runs the module', async () => {
    for (const source of [
      // An entry with exports.
      "console.log('ran');\nexport const x = 1;\n",
      // A module left external that stays a static import (machine charms leave out Pebble).
      "import { PebbleClient } from '@opsjs/pebble';\nconsole.log('ran', typeof PebbleClient);\n",
    ]) {
      const { charmDir, result } = await packEntry(source);
      expect(result.loader).toBe(false);
      const entries = readZip(result.charmPath);
      expect(entries.map((e) => e.path)).not.toContain('dist/dispatch.cjs');
      const dispatch = entries.find((e) => e.path === 'dispatch')?.data.toString('utf8');
      expect(dispatch).toContain(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
        'exec node --min-semi-space-size=4 ${JUJU_DEBUG+--enable-source-maps} ./dist/charm.mjs\n',
      );
      expect(dispatch).not.toContain('dispatch.cjs');
      if (source.includes('export')) {
        const ran = run(charmDir, 'dispatch');
        expect(ran.stderr).toBe('');
        expect(ran.stdout).toBe('ran\n');
      }
    }
  });
});

describe('dispatchLoader', () => {
  const bundle = (body: string) => Buffer.from(`${scriptBanner}\n${body}\n${scriptFooter}\n`);
  const cacheName = (text: string | undefined) => /opsjs-[0-9a-f]{16}\.v8/.exec(text ?? '')?.[0];

  it('names the cache after the bundle: the same bundle, the same loader', () => {
    const one = dispatchLoader({ bundle: bundle('console.log(1);\n') });
    const again = dispatchLoader({ bundle: bundle('console.log(1);\n') });
    const two = dispatchLoader({ bundle: bundle('console.log(2);\n') });
    expect(one).toBe(again);
    expect(cacheName(one)).toBeDefined();
    expect(cacheName(two)).toBeDefined();
    expect(cacheName(two)).not.toBe(cacheName(one));
  });

  it('returns undefined for a bundle without the banner or with module syntax', () => {
    expect(dispatchLoader({ bundle: Buffer.from('console.log(1);\n') })).toBeUndefined();
    expect(dispatchLoader({ bundle: bundle('export {};\n') })).toBeUndefined();
    expect(dispatchLoader({ bundle: bundle('console.log(import.meta.url);\n') })).toBeUndefined();
    expect(dispatchLoader({ bundle: bundle('await 1;\n') })).toBeDefined();
    // The banner without the footer that closes its function.
    expect(dispatchLoader({ bundle: Buffer.from(`${scriptBanner}\nawait 1;\n`) })).toBeUndefined();
  });
});
