// A bundled charm evaluates the `yaml` package only when controller state is read.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = path.join(import.meta.dirname, '..');
let work: string;

/** Counts, in `globalThis.__yamlFiles`, the files of the `yaml` package the bundle evaluates. */
const countYaml: Plugin = {
  name: 'count-yaml',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yaml[\\/].*\.js$/ }, (args) => ({
      contents: `globalThis.__yamlFiles = (globalThis.__yamlFiles ?? 0) + 1;\n${fs.readFileSync(args.path, 'utf8')}`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

const SCRIPT = `
import { ControllerStateStore, main } from './dist/index.js';
const before = globalThis.__yamlFiles ?? 0;
const store = new ControllerStateStore({
  stateGet: () => '{event_count: 3}\\n',
  stateSet: () => {},
  stateDelete: () => {},
});
const data = store.loadSnapshot('StoredStateData[_stored]');
console.log(JSON.stringify({ main: typeof main, before, after: globalThis.__yamlFiles ?? 0, data }));
`;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-lazy-yaml-'));
});
afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('yaml loading', () => {
  it('happens on the first controller-state read, not when @opsjs/core loads', async () => {
    const outfile = path.join(work, 'charm.mjs');
    await build({
      stdin: { contents: SCRIPT, resolveDir: pkgDir, loader: 'ts' },
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      external: ['@opsjs/pebble'],
      logLevel: 'silent',
      plugins: [countYaml],
      banner: {
        js: "import { createRequire as __opsjsCreateRequire } from 'node:module';\nconst require = __opsjsCreateRequire(import.meta.url);",
      },
    });
    const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { before: number; after: number; data: unknown };
    expect(out.before).toBe(0);
    expect(out.after).toBeGreaterThan(0);
    expect(out.data).toEqual({ event_count: 3 });
  }, 60_000);
});
