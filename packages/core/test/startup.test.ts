import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
let work: string;
let bundle: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-startup-'));
  bundle = path.join(work, 'probe.mjs');
  // Bundled as `opsjs pack` does, so that the package's `sideEffects` list is honoured.
  await build({
    entryPoints: [path.join(here, 'fixtures', 'zod-config-probe.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    treeShaking: true,
    keepNames: true,
    outfile: bundle,
    external: ['@opsjs/pebble'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    alias: { '@opsjs/core': path.join(here, '..', 'dist', 'index.js') },
    logLevel: 'error',
  });
}, 60_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function jitless(env: NodeJS.ProcessEnv): string {
  const run = spawnSync(process.execPath, [bundle], { env, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout.trim();
}

describe('dispatch start-up settings', () => {
  it('switch zod to jitless in a Juju hook process (JUJU_UNIT_NAME set), even when bundled', () => {
    expect(jitless({ PATH: process.env.PATH, JUJU_UNIT_NAME: 'demo/0' })).toBe(
      'function true true',
    );
  });

  it('leave zod alone outside Juju (tests, Harness keep the JIT)', () => {
    expect(jitless({ PATH: process.env.PATH })).toBe('function undefined undefined');
  });
});
