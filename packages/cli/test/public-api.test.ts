import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, runCli } from '@opsjs/cli';
import { describe, expect, it } from 'vitest';
import { CliError as SourceCopy } from '../src/errors.js';

describe('@opsjs/cli public entry point', () => {
  it('resolves through exports to the built package', async () => {
    const resolved = import.meta.resolve('@opsjs/cli');
    expect(resolved).toMatch(/\/dist\/index\.js$/);
    const api = await import('@opsjs/cli');
    for (const name of ['pack', 'typegen', 'initProject', 'runCli', 'writeZip', 'CliError']) {
      expect(api).toHaveProperty(name);
    }
    expect(typeof runCli).toBe('function');
  });

  it('shares error identity with another copy of the package', () => {
    expect(SourceCopy).not.toBe(CliError);
    expect(new SourceCopy('source copy') instanceof CliError).toBe(true);
    expect(new CliError('built copy') instanceof SourceCopy).toBe(true);
  });

  it('ships an executable bin that prints its version', () => {
    const pkg = JSON.parse(
      readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'),
    );
    const bin = fileURLToPath(new URL(`../${pkg.bin.opsjs}`, import.meta.url));
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const run = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });
});
