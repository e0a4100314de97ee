import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  array,
  int,
  looseObject,
  object,
  optional,
  type output,
  record,
  safeParse,
  string,
  unknown,
} from 'zod/mini';
import type { JsonSchema } from './bag-codec.js';
import { parseContext } from './error-map.js';
import { ToolError } from './errors.js';
import { scaffoldInterface } from './scaffold.js';
import { checkSchemas, type ReleasedSchemas, type SchemaCheckResult } from './schema-diff.js';

/** Runs an external command (`pnpm ...`); injectable so tests never publish. */
export type CommandRunner = (command: string, args: readonly string[], cwd: string) => void;

/** Options of {@link runTool}. */
export interface ToolOptions {
  /** Working directory (default `process.cwd()`). */
  readonly cwd?: string;
  /** Where report lines go (default `console.log`). */
  readonly out?: (line: string) => void;
  /** Runs `pnpm changeset version` and `pnpm publish --dry-run` (default: `execFileSync`). */
  readonly run?: CommandRunner;
}

// Built on first use: a charm that bundles this package never runs the tool.
const buildPackageJsonSchema = () =>
  looseObject({
    name: string(),
    version: string(),
    dependencies: optional(record(string(), string())),
    devDependencies: optional(record(string(), string())),
    charmlibs: optional(
      looseObject({
        interfaces: array(looseObject({ name: string(), version: int() })),
      }),
    ),
  });
type PackageJsonSchema = ReturnType<typeof buildPackageJsonSchema>;
type PackageJson = output<PackageJsonSchema>;
let packageJsonSchema: PackageJsonSchema | undefined;

const buildReleasedSchemasSchema = () =>
  object({
    package: string(),
    version: string(),
    interfaces: record(
      string(),
      object({
        provider: record(string(), unknown()),
        requirer: record(string(), unknown()),
      }),
    ),
  });

const USAGE = `usage: charmlibs <command>
  new <interface> [--version N] [--dir DIR]   scaffold an interface package (default dir packages/interfaces)
  check [DIR...]                               compare interface packages' JSON Schemas with their released ones
  list [CHARM_DIR]                             show the interface libraries a charm uses
  publish [--root DIR]                         version packages with changesets and dry-run publish the changed ones`;

/**
 * Run the `charmlibs` tool with `argv` (without the program name). Returns the exit code:
 * 0 on success, 1 when `check` finds a breaking change without a major bump, 2 on usage
 * errors.
 *
 * @throws {ToolError} for unreadable packages or failed commands
 */
export async function runTool(argv: readonly string[], options: ToolOptions = {}): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const out = options.out ?? ((line: string) => console.log(line));
  const run = options.run ?? defaultRunner;
  const [command, ...rest] = argv;
  switch (command) {
    case 'new': {
      const name = rest.find((a, i) => !a.startsWith('--') && !rest[i - 1]?.startsWith('--'));
      if (name === undefined) {
        out(USAGE);
        return 2;
      }
      const version = Number(flag(rest, '--version') ?? '0');
      const dir = resolve(cwd, flag(rest, '--dir') ?? join('packages', 'interfaces'));
      const written = scaffoldInterface({ name, version, dir, repoRoot: findRepoRoot(cwd) });
      for (const file of written) out(`wrote ${file}`);
      return 0;
    }
    case 'check': {
      const dirs = rest.length > 0 ? rest.map((d) => resolve(cwd, d)) : interfacePackageDirs(cwd);
      let ok = true;
      for (const dir of dirs) {
        const result = await checkPackage(dir);
        for (const line of result.report) out(line);
        ok &&= result.ok;
      }
      return ok ? 0 : 1;
    }
    case 'list': {
      for (const line of listInterfaces(resolve(cwd, rest[0] ?? '.'))) out(line);
      return 0;
    }
    case 'publish': {
      const root = resolve(cwd, flag(rest, '--root') ?? findRepoRoot(cwd) ?? cwd);
      for (const line of await publish(root, run)) out(line);
      return 0;
    }
    default:
      out(USAGE);
      return 2;
  }
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function defaultRunner(command: string, args: readonly string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: 'inherit' });
}

/** The nearest directory at or above `dir` with a `.changeset` folder or workspace file. */
function findRepoRoot(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'pnpm-workspace.yaml')) || existsSync(join(d, '.changeset'))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Read and validate a `package.json`.
 *
 * @throws {ToolError} when it is missing or malformed
 */
export function readPackageJson(dir: string): PackageJson {
  const file = join(dir, 'package.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ToolError(`${file}: cannot read package.json`, { cause: err });
  }
  packageJsonSchema ??= buildPackageJsonSchema();
  const parsed = safeParse(packageJsonSchema, raw, parseContext);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ToolError(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The interface packages under `<root>/packages/interfaces`, or `root` itself if it is one. */
function interfacePackageDirs(root: string): string[] {
  if (isInterfacePackage(root)) return [root];
  const base = join(findRepoRoot(root) ?? root, 'packages', 'interfaces');
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .map((d) => join(base, d))
    .filter((d) => isInterfacePackage(d))
    .sort();
}

/** Whether `dir` holds a package.json with a `charmlibs` field (any other JSON: no). */
function isInterfacePackage(dir: string): boolean {
  try {
    const raw: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return typeof raw === 'object' && raw !== null && 'charmlibs' in raw;
  } catch {
    return false;
  }
}

/** Whether `value` looks like an `InterfaceDefinition`. */
function isDefinition(value: unknown): value is {
  name: string;
  version: number;
  jsonSchemas(): { provider: JsonSchema; requirer: JsonSchema };
} {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'name') === 'string' &&
    typeof Reflect.get(value, 'version') === 'number' &&
    typeof Reflect.get(value, 'jsonSchemas') === 'function'
  );
}

/**
 * The current JSON Schemas of every interface definition a built package exports
 * (`dist/index.js`), keyed `<name>@v<version>`.
 *
 * @throws {ToolError} when the package is not built or exports no definition
 */
export async function currentSchemas(dir: string): Promise<ReleasedSchemas['interfaces']> {
  const entry = join(dir, 'dist', 'index.js');
  if (!existsSync(entry)) throw new ToolError(`${entry}: not built; run the package's build first`);
  const mod: unknown = await import(pathToFileURL(entry).href);
  const out: Record<string, { provider: JsonSchema; requirer: JsonSchema }> = {};
  if (typeof mod === 'object' && mod !== null) {
    for (const value of Object.values(mod)) {
      if (isDefinition(value)) out[`${value.name}@v${value.version}`] = value.jsonSchemas();
    }
  }
  if (Object.keys(out).length === 0) {
    throw new ToolError(`${entry}: exports no interface definition (from defineInterface())`);
  }
  return out;
}

/**
 * Read `schemas/released.json` of a package, if any.
 *
 * @throws {ToolError} when it exists but is malformed
 */
export function readReleased(dir: string): ReleasedSchemas | undefined {
  const file = join(dir, 'schemas', 'released.json');
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ToolError(`${file}: not valid JSON`, { cause: err });
  }
  const parsed = safeParse(buildReleasedSchemasSchema(), raw, parseContext);
  if (!parsed.success) {
    throw new ToolError(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Whether a pending changeset in the repository bumps `packageName` major. */
export function hasPendingMajor(repoRoot: string | undefined, packageName: string): boolean {
  if (repoRoot === undefined) return false;
  const dir = join(repoRoot, '.changeset');
  if (!existsSync(dir)) return false;
  const line = new RegExp(
    `^["']?${packageName.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&')}["']?\\s*:\\s*["']?major["']?\\s*$`,
    'm',
  );
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .some((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      const front = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
      return line.test(front);
    });
}

/**
 * `charmlibs check` for one package: its built definitions against `schemas/released.json`.
 *
 * @throws {ToolError} when the package cannot be read
 */
export async function checkPackage(dir: string): Promise<SchemaCheckResult> {
  const pkg = readPackageJson(dir);
  return checkSchemas(readReleased(dir), await currentSchemas(dir), {
    packageName: pkg.name,
    packageVersion: pkg.version,
    pendingMajor: hasPendingMajor(findRepoRoot(dir), pkg.name),
  });
}

/**
 * Write `schemas/released.json` for a built package: its current schemas at its current
 * version (the `publish` step does this after versioning).
 *
 * @returns the file written
 */
export async function snapshotReleased(dir: string): Promise<string> {
  const pkg = readPackageJson(dir);
  const snapshot: ReleasedSchemas = {
    package: pkg.name,
    version: pkg.version,
    interfaces: await currentSchemas(dir),
  };
  const file = join(dir, 'schemas', 'released.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
  return file;
}

/**
 * `charmlibs list`: the interface libraries (packages with a `charmlibs` field) that the
 * charm in `charmDir` depends on, with their versions and interfaces.
 *
 * @throws {ToolError} when the charm's package.json cannot be read
 */
export function listInterfaces(charmDir: string): string[] {
  const pkg = readPackageJson(charmDir);
  const deps = { ...pkg.devDependencies, ...pkg.dependencies };
  const lines: string[] = [];
  for (const name of Object.keys(deps).sort()) {
    const dir = join(charmDir, 'node_modules', ...name.split('/'));
    if (!existsSync(join(dir, 'package.json'))) continue;
    const dep = readPackageJson(dir);
    if (dep.charmlibs === undefined) continue;
    const ifaces = dep.charmlibs.interfaces.map((i) => `${i.name} v${i.version}`).join(', ');
    lines.push(`${dep.name}@${dep.version}  ${ifaces}`);
  }
  if (lines.length === 0) lines.push(`${pkg.name}: uses no interface libraries`);
  return lines;
}

function workspaceVersions(root: string): Map<string, { dir: string; version: string }> {
  const out = new Map<string, { dir: string; version: string }>();
  for (const base of [join(root, 'packages'), join(root, 'packages', 'interfaces')]) {
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base)) {
      const dir = join(base, d);
      if (!existsSync(join(dir, 'package.json'))) continue;
      const pkg = readPackageJson(dir);
      out.set(pkg.name, { dir, version: pkg.version });
    }
  }
  return out;
}

/**
 * `charmlibs publish`: run `pnpm changeset version` at `root`, then, for each package whose
 * version changed, snapshot its interface schemas (interface packages) and run
 * `pnpm publish --dry-run --no-git-checks` in it. Nothing is written to a registry.
 *
 * @returns report lines
 * @throws {ToolError} when a command fails
 */
export async function publish(root: string, run: CommandRunner): Promise<string[]> {
  const before = workspaceVersions(root);
  try {
    run('pnpm', ['changeset', 'version'], root);
  } catch (err) {
    throw new ToolError(`pnpm changeset version failed in ${root}`, { cause: err });
  }
  const lines: string[] = [];
  for (const [name, { dir, version }] of workspaceVersions(root)) {
    const old = before.get(name)?.version;
    if (old === version) continue;
    if (readPackageJson(dir).charmlibs !== undefined) {
      const file = await snapshotReleased(dir);
      lines.push(
        `${name}: released schemas written to ${basename(dirname(file))}/${basename(file)}`,
      );
    }
    try {
      run('pnpm', ['publish', '--dry-run', '--no-git-checks'], dir);
    } catch (err) {
      throw new ToolError(`pnpm publish --dry-run failed for ${name}`, { cause: err });
    }
    lines.push(`${name}: ${old ?? 'new'} -> ${version} (dry run)`);
  }
  if (lines.length === 0) lines.push('no package versions changed');
  return lines;
}
