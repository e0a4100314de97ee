import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, UsageError } from './errors.js';
import type { CharmArch } from './runtime.js';
import { CURRENT_RUNTIME, charmArchs } from './runtime.js';
import { cliVersion } from './version.js';
import type { ZipEntryInfo } from './zip-writer.js';

/** Where {@link runCli} reads its working directory and writes its output. */
export interface CliIo {
  /** Writes normal output (a line at a time, with its newline). */
  readonly stdout: (text: string) => void;
  /** Writes error output (a line at a time, with its newline). */
  readonly stderr: (text: string) => void;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
}

const MAIN_HELP = `Usage: opsjs <command> [options]

The charm author's command line for opsjs charms.

Commands:
  init <dir>     create a new charm project (--kind sidecar|machine)
  typegen [dir]  write the TypeScript types of the charm's metadata
  pack [dir]     pack the charm into a .charm file Juju can deploy

Run \`opsjs <command> --help\` for a command's options.
Options:
  -h, --help     show this help
  -v, --version  show the version
`;

const INIT_HELP = `Usage: opsjs init <dir> [--kind sidecar|machine] [--name NAME]

Create a new charm project in <dir> (which must not exist, or be empty) that builds, tests
and packs as it is: charmcraft.yaml, src/charm.ts, generated metadata types, a test at each
depth (Harness, Context/State, a packed-charm dispatch) and a README.

Options:
  --kind KIND   sidecar (Kubernetes, with a workload container; default) or machine
  --name NAME   the charm name (default: the directory name)
  -h, --help    show this help
`;

const TYPEGEN_HELP = `Usage: opsjs typegen [dir] [--out FILE] [--check]

Read the charm's metadata (charmcraft.yaml, or metadata.yaml + config.yaml + actions.yaml)
and write a TypeScript module of its config options, actions with params, relation endpoints,
containers, storage and resources, so that misspelt names fail to compile.

Options:
  --out FILE    the module to write, relative to the project (default src/charm-metadata.ts)
  --check       write nothing; fail when the module is missing or out of date (for CI)
  -h, --help    show this help
`;

const PACK_HELP = `Usage: opsjs pack [dir] [--out DIR] [--arch amd64|arm64] [--no-runtime]

Pack the charm project in [dir] (default: the current directory) into
<name>_<os>-<channel>-<arch>.charm, without charmcraft and without network access: the
entry bundled with esbuild, dispatch, metadata.yaml/config.yaml/actions.yaml, manifest.yaml
and a Node runtime. The same inputs give a byte-identical file. A charmcraft parts section
that packs the same code with charmcraft's dump plugin is written beside it.

Options:
  --out DIR         where to write the .charm (default: the project directory)
  --arch ARCH       amd64 or arm64 (default: this machine's architecture)
  --no-runtime      do not ship Node; dispatch runs \`node\` from PATH
  --runtime FILE    ship this Node binary instead of the installed node-linux-<arch> package's
                    (\`--runtime current\`: the Node running opsjs, when it fits the target)
  --entry FILE      the charm's entry, relative to the project (default src/charm.ts)
  --stage DIR       also write the unpacked charm code there (for charmcraft's dump plugin)
  --base OS@CHANNEL the run-time base (e.g. ubuntu@24.04) instead of charmcraft.yaml's
  --json            print what was packed as JSON (path, size, entries, runtime) instead
  -h, --help        show this help
`;

/**
 * Runs the `opsjs` command line with `argv` (without the node and script paths) and returns
 * the exit code: 0 on success, 1 when the command failed, 2 for a usage error. Failures print
 * one line naming the file, the field and what was wrong.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const out: CliIo = {
    stdout: io.stdout ?? ((text) => process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => process.stderr.write(text)),
    cwd: io.cwd ?? process.cwd(),
  };
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out.stdout(MAIN_HELP);
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version':
        out.stdout(`${cliVersion}\n`);
        return 0;
      case 'init':
        return await runInit(rest, out);
      case 'typegen':
        return await runTypegen(rest, out);
      case 'pack':
        return await runPack(rest, out);
      default:
        throw new UsageError(
          `unknown command ${JSON.stringify(command)} (expected init, typegen or pack)`,
        );
    }
  } catch (error) {
    const prefix =
      command === undefined || !['init', 'typegen', 'pack'].includes(command)
        ? 'opsjs'
        : `opsjs ${command}`;
    if (error instanceof CliError) {
      out.stderr(`${prefix}: ${oneLine(error.message)}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    out.stderr(`${prefix}: unexpected error: ${oneLine(message)}\n`);
    return 1;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

type ParsedValues = Record<string, string | boolean | undefined>;

function parse(
  args: readonly string[],
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>,
  maxPositionals: number,
): { values: ParsedValues; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    const values: ParsedValues = {};
    for (const [key, value] of Object.entries(parsed.values)) {
      if (typeof value === 'string' || typeof value === 'boolean') values[key] = value;
    }
    if (parsed.positionals.length > maxPositionals) {
      throw new UsageError(
        `unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`,
      );
    }
    return { values, positionals: parsed.positionals };
  } catch (cause) {
    if (cause instanceof CliError) throw cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new UsageError(`${oneLine(message)} (see --help)`, { cause });
  }
}

function stringValue(values: ParsedValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

async function runInit(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    { kind: { type: 'string' }, name: { type: 'string' } },
    1,
  );
  if (values.help === true) {
    io.stdout(INIT_HELP);
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined)
    throw new UsageError('<dir>: missing (usage: opsjs init <dir> [--kind sidecar|machine])');
  const kind = stringValue(values, 'kind') ?? 'sidecar';
  if (kind !== 'sidecar' && kind !== 'machine') {
    throw new UsageError(`--kind: expected sidecar or machine, got ${JSON.stringify(kind)}`, {
      field: '--kind',
    });
  }
  const name = stringValue(values, 'name');
  const { initProject } = await import('./init.js');
  const result = await initProject({
    dir: resolve(io.cwd, dir),
    kind,
    ...(name === undefined ? {} : { name }),
  });
  io.stdout(`Created ${kind} charm ${result.name} in ${result.dir}\n`);
  for (const file of result.files) io.stdout(`  ${file}\n`);
  io.stdout('Next: npm install, npm test, npx opsjs pack\n');
  return 0;
}

async function runTypegen(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    { out: { type: 'string' }, check: { type: 'boolean' } },
    1,
  );
  if (values.help === true) {
    io.stdout(TYPEGEN_HELP);
    return 0;
  }
  const outFile = stringValue(values, 'out');
  const { typegen } = await import('./typegen.js');
  const result = await typegen({
    dir: resolve(io.cwd, positionals[0] ?? '.'),
    ...(outFile === undefined ? {} : { out: outFile }),
    check: values.check === true,
  });
  const verb = { written: 'Wrote', unchanged: 'Up to date:', checked: 'Up to date:' }[
    result.status
  ];
  io.stdout(`${verb} ${result.path}\n`);
  return 0;
}

async function runPack(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      out: { type: 'string' },
      arch: { type: 'string' },
      'no-runtime': { type: 'boolean' },
      runtime: { type: 'string' },
      entry: { type: 'string' },
      stage: { type: 'string' },
      base: { type: 'string' },
      json: { type: 'boolean' },
    },
    1,
  );
  if (values.help === true) {
    io.stdout(PACK_HELP);
    return 0;
  }
  const archText = stringValue(values, 'arch');
  let arch: CharmArch | undefined;
  if (archText !== undefined) {
    arch = charmArchs.find((a) => a === archText);
    if (arch === undefined) {
      throw new UsageError(
        `--arch: expected ${charmArchs.join(' or ')}, got ${JSON.stringify(archText)}`,
        {
          field: '--arch',
        },
      );
    }
  }
  const runtimePath = stringValue(values, 'runtime');
  if (runtimePath !== undefined && values['no-runtime'] === true) {
    throw new UsageError('--runtime: cannot be combined with --no-runtime', { field: '--runtime' });
  }
  const outDir = stringValue(values, 'out');
  const entry = stringValue(values, 'entry');
  const stage = stringValue(values, 'stage');
  const base = stringValue(values, 'base');
  const started = performance.now();
  const { pack } = await import('./pack.js');
  const result = await pack({
    dir: resolve(io.cwd, positionals[0] ?? '.'),
    ...(outDir === undefined ? {} : { out: resolve(io.cwd, outDir) }),
    ...(arch === undefined ? {} : { arch }),
    ...(entry === undefined ? {} : { entry }),
    ...(stage === undefined ? {} : { stageDir: resolve(io.cwd, stage) }),
    ...(base === undefined ? {} : { base }),
    ...(runtimePath === undefined
      ? {}
      : {
          runtimePath: runtimePath === CURRENT_RUNTIME ? runtimePath : resolve(io.cwd, runtimePath),
        }),
    noRuntime: values['no-runtime'] === true,
  });
  if (values.json === true) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  io.stdout(
    `Packed ${result.charmPath} (${formatSize(result.size)}, ${result.entries.length} entries) in ${seconds} s\n`,
  );
  for (const entry of result.entries) io.stdout(`  ${describeEntry(entry)}\n`);
  if (result.runtime !== undefined) {
    const { packageName, version } = result.runtime;
    const from =
      packageName !== undefined
        ? ` from ${packageName}@${version ?? '?'}`
        : version !== undefined
          ? ` (the Node ${version} running opsjs)`
          : '';
    io.stdout(`Node runtime: ${result.runtime.path}${from}\n`);
  } else {
    io.stdout('Node runtime: none (--no-runtime; dispatch runs node from PATH)\n');
  }
  if (!result.loader) {
    io.stdout(
      'Note: dispatch runs dist/charm.mjs as an ES module, without the V8 code cache loader: the bundle is not script code (the entry has exports, or an external module stays a static import)\n',
    );
  }
  io.stdout(`charmcraft parts section: ${result.partsPath}\n`);
  if (result.stageDir !== undefined) io.stdout(`Staged charm code: ${result.stageDir}\n`);
  return 0;
}

/** Formats a byte count for humans (B, KiB, MiB). @internal */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function describeEntry(entry: ZipEntryInfo): string {
  const perms = entry.kind === 'symlink' ? 'lrwxrwxrwx' : `-${modeString(entry.mode)}`;
  return `${perms} ${formatSize(entry.size).padStart(10)} ${formatSize(entry.compressedSize).padStart(10)}  ${entry.path}`;
}

function modeString(mode: number): string {
  const bits = 'rwxrwxrwx';
  let out = '';
  for (let i = 0; i < 9; i++) out += (mode & (1 << (8 - i))) !== 0 ? bits[i] : '-';
  return out;
}
