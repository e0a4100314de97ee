import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { readZip } from './read-zip.js';

/** The fixture charm project that calls hook tools directly. */
export const hookCharmFixture = join(import.meta.dirname, '..', 'fixtures', 'hook-charm');

/** The fixture charm project written against `@opsjs/core`'s public API. */
export const coreCharmFixture = join(import.meta.dirname, '..', 'fixtures', 'core-charm');

/** Copies a fixture project into `dir` and returns `dir`. */
export function copyFixture(fixture: string, dir: string): string {
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

/**
 * Installs a stand-in `node-linux-<arch>` platform package into `projectDir/node_modules`:
 * either a small shell script running this process's Node (fast), or a symlink to the real
 * Node binary (packs the real ~120 MB runtime).
 */
export function installRuntimePackage(
  projectDir: string,
  options: {
    readonly arch?: 'x64' | 'arm64';
    readonly real?: boolean;
    readonly nested?: boolean;
  } = {},
): string {
  const arch = options.arch ?? 'x64';
  const name = `node-linux-${arch}`;
  const root = options.nested
    ? join(projectDir, 'node_modules', 'node', 'node_modules', name)
    : join(projectDir, 'node_modules', name);
  if (options.nested) {
    const nodeDir = join(projectDir, 'node_modules', 'node');
    mkdirSync(nodeDir, { recursive: true });
    writeFileSync(
      join(nodeDir, 'package.json'),
      JSON.stringify({ name: 'node', version: '24.21.0', bin: { node: 'bin/node' } }),
    );
  }
  mkdirSync(join(root, 'bin'), { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name, version: '24.21.0', os: 'linux', cpu: arch, bin: { node: 'bin/node' } }),
  );
  const bin = join(root, 'bin', 'node');
  if (options.real) {
    symlinkSync(process.execPath, bin);
  } else {
    writeFileSync(bin, `#!/bin/sh\nexec '${process.execPath}' "$@"\n`);
    chmodSync(bin, 0o755);
  }
  return bin;
}

/** Extracts a zip (read back with our reader) into `dest`, restoring modes and symlinks. */
export function extractZip(zipPath: string, dest: string): void {
  for (const entry of readZip(zipPath)) {
    const target = join(dest, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    if ((entry.unixMode & 0o170000) === 0o120000) {
      symlinkSync(entry.data.toString('utf8'), target);
    } else {
      writeFileSync(target, entry.data);
      chmodSync(target, entry.unixMode & 0o777);
    }
  }
}

/** A directory of fake hook tools that append their name and argv to `calls.log`. */
export interface FakeHookTools {
  readonly dir: string;
  /** The recorded calls, one array per call: `[tool, ...argv]`. */
  calls(): string[][];
}

/** Writes fake `juju-log`, `status-set`, `config-get` and `outputs`' tools (printing the text) into `dir`. */
export function fakeHookTools(
  dir: string,
  config: Record<string, unknown>,
  outputs: Readonly<Record<string, string>> = {},
): FakeHookTools {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  const record = `printf '%s' "$(basename "$0")" >> '${log}'; for a in "$@"; do printf '\\t%s' "$a" >> '${log}'; done; printf '\\n' >> '${log}'`;
  const tools: Record<string, string> = {
    'juju-log': record,
    'status-set': record,
    'config-get': `${record}\ncat <<'JSON'\n${JSON.stringify(config)}\nJSON`,
  };
  for (const [name, stdout] of Object.entries(outputs)) {
    tools[name] = `${record}\ncat <<'OUT'\n${stdout}\nOUT`;
  }
  for (const [name, body] of Object.entries(tools)) {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
  }
  return {
    dir,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('\t')),
  };
}

/** Runs a packed charm's `dispatch` like Juju does: cwd and JUJU_CHARM_DIR = the charm dir. */
export function runDispatchScript(
  charmDir: string,
  dispatchPath: string,
  path: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(join(charmDir, 'dispatch'), [], {
    cwd: charmDir,
    encoding: 'utf8',
    env: {
      PATH: path,
      JUJU_DISPATCH_PATH: dispatchPath,
      JUJU_CHARM_DIR: charmDir,
      JUJU_UNIT_NAME: 'hook-charm/0',
      JUJU_MODEL_NAME: 'test',
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The loader's code cache files (`.node-compile-cache/opsjs-<hash>.v8`) in a charm directory. */
export function codeCacheFiles(charmDir: string): string[] {
  const dir = join(charmDir, '.node-compile-cache');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^opsjs-[0-9a-f]{16}\.v8$/.test(name))
    .map((name) => join(dir, name));
}
