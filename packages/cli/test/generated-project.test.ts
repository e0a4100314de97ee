import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProjectKind } from '../src/init.js';
import { initProject } from '../src/init.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();
const here = import.meta.dirname;
const require = createRequire(import.meta.url);

/** The root of an installed package, resolved from this package (its `package.json`'s dir). */
function packageRoot(name: string, from = require): string {
  return dirname(from.resolve(`${name}/package.json`));
}

/** `@opsjs/pebble`, as the workspace's `@opsjs/model` sees it. */
function pebbleRoot(): string {
  return packageRoot(
    '@opsjs/pebble',
    createRequire(join(packageRoot('@opsjs/model'), 'package.json')),
  );
}

/**
 * A generated project whose dependencies are the workspace packages, linked into its
 * node_modules as `npm install` would put them there.
 */
async function generated(kind: ProjectKind, target: string): Promise<string> {
  const { dir } = await initProject({ dir: target, kind });
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@opsjs'), { recursive: true });
  mkdirSync(join(modules, '@types'), { recursive: true });
  const links: Record<string, string> = {
    '@opsjs/cli': join(here, '..'),
    '@opsjs/core': packageRoot('@opsjs/core'),
    '@opsjs/testing': packageRoot('@opsjs/testing'),
    ...(kind === 'sidecar' ? { '@opsjs/pebble': pebbleRoot() } : {}),
    '@types/node': packageRoot('@types/node'),
    vitest: packageRoot('vitest'),
  };
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(modules, name));
  return dir;
}

function run(command: string, args: readonly string[], cwd: string) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      NO_COLOR: '1',
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    },
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colour codes
  const output = `${result.stdout}${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  return { status: result.status, output };
}

describe('generated projects', () => {
  it('type-check, and their own tests at each depth (Harness, Context/State, packed dispatch) pass', async () => {
    const parent = tempDir();
    const dirs = [
      await generated('machine', join(parent, 'machine-demo')),
      await generated('sidecar', join(parent, 'sidecar-demo')),
    ];
    for (const dir of dirs) {
      const tsc = run(
        process.execPath,
        [join(packageRoot('typescript'), 'bin', 'tsc'), '-p', '.', '--noEmit'],
        dir,
      );
      expect(tsc.output).toBe('');
      expect(tsc.status).toBe(0);
    }
    // One vitest process runs both projects' tests (each resolves its own node_modules).
    const vitest = run(
      process.execPath,
      [join(packageRoot('vitest'), 'vitest.mjs'), 'run'],
      parent,
    );
    expect(vitest.status, vitest.output).toBe(0);
    expect(vitest.output).toMatch(/Test Files +6 passed \(6\)/);
    expect(vitest.output).toMatch(/Tests +8 passed \(8\)/);
  }, 180_000);
});
