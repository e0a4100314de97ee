import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleCharm } from '../src/bundle.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('bundleCharm', () => {
  it('keeps class names that collide across modules (state handle paths use them)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.ts'), 'export class Storage {}\n');
    writeFileSync(join(dir, 'src', 'b.ts'), 'export class Storage {}\n');
    writeFileSync(
      join(dir, 'src', 'charm.ts'),
      "import { Storage as A } from './a.js';\nimport { Storage as B } from './b.js';\nconsole.log(A.name, B.name, A === B);\n",
    );
    const { code } = await bundleCharm({ projectDir: dir });
    const out = join(dir, 'bundle.mjs');
    writeFileSync(out, code);
    const run = spawnSync(process.execPath, [out], { encoding: 'utf8' });
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
});
