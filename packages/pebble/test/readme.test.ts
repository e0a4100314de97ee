import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('runs the Usage block as a plain Node script against the built package', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const code = /## Usage\n\n```js\n([\s\S]*?)```/u.exec(readme)?.[1];
    expect(code).toBeDefined();
    expect(code?.trim().split('\n').length).toBeLessThanOrEqual(15);
    // Inside the package, so that '@opsjs/pebble' resolves through its own exports.
    const script = `${packageDir}readme-example.tmp.mjs`;
    await writeFile(script, code ?? '');
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: packageDir });
      expect(stdout).toBe("[ 'web: active' ] hello\n");
    } finally {
      await rm(script, { force: true });
    }
  }, 60_000);
});
