import { chmod, copyFile, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { CHARM_META_CACHE_FILE, charmMetaCacheText } from '@opsjs/model';
import { parse, stringify } from 'yaml';
import { reason, withTempFile, writeFileAtomic } from './atomic-file.js';
import { bundleCharm } from './bundle.js';
import { dispatchLoader } from './dispatch-loader.js';
import { charmLayout, dispatchScript } from './dispatch-script.js';
import { CliError, OutputError, UsageError } from './errors.js';
import { renderManifest } from './manifest.js';
import type { CharmRunBase } from './project.js';
import { basesFor, loadCharmProject } from './project.js';
import type { CharmArch, NodeRuntime } from './runtime.js';
import { hostArch, resolveNodeRuntime } from './runtime.js';
import { cliVersion } from './version.js';
import type { ZipEntry, ZipEntryInfo } from './zip-writer.js';
import { writeZip } from './zip-writer.js';

/** Options of {@link pack}. */
export interface PackOptions {
  /** The charm project directory (default: the current directory). */
  readonly dir?: string;
  /** Where to write the `.charm` (default: the project directory; relative to the project). */
  readonly out?: string;
  /** Target architecture (default: this machine's). */
  readonly arch?: CharmArch;
  /** The entry file, relative to the project (default `src/charm.ts`). */
  readonly entry?: string;
  /**
   * The run-time base as `<os>@<channel>` (e.g. `ubuntu@24.04`), instead of the `base`/`bases`
   * of charmcraft.yaml: for projects with only metadata.yaml.
   */
  readonly base?: string;
  /** Leave the Node runtime out; `dispatch` then runs `node` from `PATH`. */
  readonly noRuntime?: boolean;
  /** An explicit Node binary to ship instead of the installed `node-linux-<arch>` package's. */
  readonly runtimePath?: string;
  /** Also write the unpacked charm code (what charmcraft's `dump` plugin packs) into this dir. */
  readonly stageDir?: string;
  /**
   * Deflate level 0–9 (default 4: on a 120 MB Node binary, level 6 saves under 3% of the size
   * for more than twice the time).
   */
  readonly level?: number;
  /** Build time for manifest.yaml (default: `SOURCE_DATE_EPOCH`, else 1980-01-01). */
  readonly startedAt?: Date;
}

/** What {@link pack} produced. */
export interface PackResult {
  /** Absolute path of the `.charm` file. */
  readonly charmPath: string;
  /** Its size in bytes. */
  readonly size: number;
  /** The charm name. */
  readonly name: string;
  /** The target architecture. */
  readonly arch: CharmArch;
  /** The run-time bases written to manifest.yaml. */
  readonly bases: readonly CharmRunBase[];
  /** What is inside, in archive order. */
  readonly entries: readonly ZipEntryInfo[];
  /** The Node runtime shipped, or `undefined` with `noRuntime`. */
  readonly runtime: NodeRuntime | undefined;
  /**
   * Whether `dispatch` runs the bundle through the code-cache loader `dist/dispatch.cjs`;
   * `false` when the bundle is not script code after its banner (the entry has exports, or a
   * module left external stays a static import), and `dispatch` runs it as an ES module.
   */
  readonly loader: boolean;
  /** The charmcraft `parts` snippet written beside the `.charm`. */
  readonly partsPath: string;
  /** The staged tree, when `stageDir` was given. */
  readonly stageDir: string | undefined;
}

/** The Pebble client package, loaded lazily by `@opsjs/model` only when a container is used. */
const PEBBLE_PACKAGE = '@opsjs/pebble';

/** Metadata files a packed charm carries; charmcraft writes its own, so they are not staged. */
const METADATA_FILES = new Set(['metadata.yaml', 'config.yaml', 'actions.yaml', 'manifest.yaml']);

/**
 * The text of `@opsjs/model`'s metadata cache (`.opsjs/metadata.json`, as `writeCharmMetaCache`
 * writes it: the validated, normalised metadata) for the metadata files packed into the charm.
 */
function metadataCache(files: Readonly<Record<string, string>>): string {
  const doc = (name: string): unknown => {
    const text = files[name];
    return text === undefined ? null : (parse(text) ?? null);
  };
  return charmMetaCacheText({
    metadata: doc('metadata.yaml'),
    config: doc('config.yaml'),
    actions: doc('actions.yaml'),
  });
}
/** Project files copied into the charm when present (as charmcraft does). */
const OPTIONAL_FILES = ['LICENSE', 'README.md', 'icon.svg'];

/**
 * Packs a charm project into `<name>_<os>-<channel>-<arch>.charm` without charmcraft or
 * network access: the entry bundled with esbuild, the loader that runs it with a V8 code cache
 * (`dist/dispatch.cjs`, see {@link dispatchLoader}), `dispatch`, `hooks/{install,start,upgrade-charm}`
 * linked to it, `metadata.yaml`/`config.yaml`/`actions.yaml` (and their parsed form in
 * `.opsjs/metadata.json`, which `@opsjs/model` reads instead), `manifest.yaml`, and the Node
 * runtime for the architecture. A charm without containers is bundled without
 * `@opsjs/pebble` (so without undici). The same inputs give a byte-identical file. The file is
 * written under a temporary name and renamed at the end, so a failure leaves nothing behind.
 * A `<name>_…charmcraft-parts.yaml` beside it holds the charmcraft `parts` section (dump
 * plugin) that packs the same code with charmcraft from `stageDir`.
 *
 * @example
 * ```ts
 * const result = await pack({ dir: 'my-charm', out: 'build', arch: 'amd64' });
 * console.log(result.charmPath, result.size);
 * ```
 * @throws {ProjectNotFoundError} when the directory or its metadata is missing.
 * @throws {CharmMetadataError} for invalid metadata (file and field named).
 * @throws {EntryNotFoundError} when the entry file does not exist.
 * @throws {BundleError} when esbuild fails.
 * @throws {RuntimeNotFoundError} when no Node runtime for the architecture is installed, or it
 *   is older than Node 22 or built for another architecture.
 * @throws {OutputError} when the output cannot be written.
 * @throws {UsageError} for an unsupported host architecture (without `arch`), a bad `level` or
 *   a bad `base`.
 */
export async function pack(options: PackOptions = {}): Promise<PackResult> {
  const project = loadCharmProject(options.dir ?? '.');
  const arch = options.arch ?? hostArch();
  if (arch === undefined) {
    throw new UsageError(
      `--arch: this machine's architecture (${process.arch}) is not supported; pass --arch amd64 or arm64`,
      {
        field: '--arch',
      },
    );
  }
  const level = options.level ?? 4;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new UsageError(`level: expected an integer from 0 to 9, got ${level}`, {
      field: 'level',
    });
  }
  const bases =
    options.base === undefined ? basesFor(project, arch) : [parseBase(options.base, arch)];
  const runtime = options.noRuntime
    ? undefined
    : resolveNodeRuntime({
        projectDir: project.dir,
        arch,
        ...(options.runtimePath === undefined ? {} : { runtimePath: options.runtimePath }),
      });
  const hasContainers = Object.keys(project.meta.containers).length > 0;
  const bundle = await bundleCharm({
    projectDir: project.dir,
    ...(options.entry === undefined ? {} : { entry: options.entry }),
    // A machine charm never reaches Pebble: keep its client (and undici) out of the bundle.
    external: hasContainers ? [] : [PEBBLE_PACKAGE],
  });
  const loader = dispatchLoader({ bundle: bundle.code });
  const entries: ZipEntry[] = [
    {
      path: charmLayout.dispatch,
      mode: 0o755,
      data: dispatchScript({ bundledRuntime: runtime !== undefined, loader: loader !== undefined }),
    },
    ...charmLayout.hooks.map((path) => ({ path, symlink: '../dispatch' })),
    { path: charmLayout.bundle, data: bundle.code },
    { path: charmLayout.sourceMap, data: bundle.sourceMap },
    ...(loader === undefined ? [] : [{ path: charmLayout.loader, data: loader }]),
    // Packages the charm loads only lazily (yaml, undici): beside the bundle, which requires them.
    ...bundle.vendor.map((file) => ({
      path: `${posix.dirname(charmLayout.bundle)}/${file.path}`,
      data: file.contents,
    })),
    {
      path: 'manifest.yaml',
      data: renderManifest({
        bases,
        packerVersion: cliVersion,
        ...(options.startedAt === undefined ? {} : { startedAt: options.startedAt }),
      }),
    },
    ...Object.entries(project.charmFiles).map(([path, data]) => ({ path, data })),
  ];
  for (const name of OPTIONAL_FILES) {
    const file = join(project.dir, name);
    if (await isFile(file)) entries.push({ path: name, file });
  }
  if (runtime !== undefined)
    entries.push({ path: charmLayout.runtime, mode: 0o755, file: runtime.path });

  const baseLabel = bases.map((b) => `${b.name}-${b.channel}-${arch}`).join('_');
  const stem = `${project.meta.name}_${baseLabel}`;
  const outDir = resolve(project.dir, options.out ?? '.');
  const charmPath = join(outDir, `${stem}.charm`);
  // The parsed metadata as JSON, so that `CharmMeta.fromCharmDir` skips YAML on every hook. It
  // is used only while at least as new as the YAML files: it goes last in the archive, so an
  // extractor that stamps files with the extraction time makes it the newest.
  const ordered: ZipEntry[] = [
    ...[...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path))),
    { path: CHARM_META_CACHE_FILE, data: metadataCache(project.charmFiles) },
  ];
  const zipEntries = await withTempFile(charmPath, 'the .charm file', (temp) =>
    writeZip(temp, ordered, { level, keepOrder: true }),
  );
  const size = (await stat(charmPath)).size;

  const stageDir =
    options.stageDir === undefined ? undefined : resolve(project.dir, options.stageDir);
  const staged = entries.filter(
    (e) => !METADATA_FILES.has(e.path) && !OPTIONAL_FILES.includes(e.path),
  );
  const partsPath = join(outDir, `${stem}.charmcraft-parts.yaml`);
  await writeFileAtomic(
    partsPath,
    charmcraftParts(
      staged.map((e) => e.path),
      relative(project.dir, stageDir ?? join(project.dir, 'build', 'charm')) || '.',
    ),
    'the charmcraft parts file',
  );
  if (stageDir !== undefined) await writeStage(stageDir, staged);
  return {
    charmPath,
    size,
    name: project.meta.name,
    arch,
    bases,
    entries: zipEntries,
    runtime,
    loader: loader !== undefined,
    partsPath,
    stageDir,
  };
}

function parseBase(text: string, arch: CharmArch): CharmRunBase {
  const match = /^([a-z]+)@([0-9][0-9.]*)$/.exec(text);
  if (match === null || match[1] === undefined || match[2] === undefined) {
    throw new UsageError(
      `--base: expected <os>@<channel>, e.g. ubuntu@24.04, got ${JSON.stringify(text)}`,
      {
        field: '--base',
      },
    );
  }
  return { name: match[1], channel: match[2], architectures: [arch] };
}

/**
 * The charmcraft.yaml `parts` section that packs the staged files with charmcraft's `dump`
 * plugin (charmcraft then writes metadata.yaml, config.yaml, actions.yaml and manifest.yaml
 * from charmcraft.yaml itself).
 *
 * @param files - The staged paths to prime.
 * @param source - The staged directory, relative to the project.
 */
export function charmcraftParts(files: readonly string[], source: string): string {
  const header = [
    '# Generated by `opsjs pack`. To pack this charm with charmcraft instead, run',
    `# \`opsjs pack --stage ${source}\` and use this parts section in charmcraft.yaml.`,
  ].join('\n');
  const body = stringify(
    { parts: { charm: { plugin: 'dump', source, prime: [...files].sort() } } },
    { indentSeq: false },
  );
  return `${header}\n${body}`;
}

async function writeStage(stageDir: string, entries: readonly ZipEntry[]): Promise<void> {
  try {
    await rm(stageDir, { recursive: true, force: true });
    for (const entry of entries) {
      const target = join(stageDir, entry.path);
      await mkdir(dirname(target), { recursive: true });
      if ('symlink' in entry) {
        await symlink(entry.symlink, target);
      } else if ('file' in entry) {
        await copyFile(entry.file, target);
        await chmod(target, entry.mode ?? 0o644);
      } else {
        await writeFile(target, entry.data, { mode: entry.mode ?? 0o644 });
        await chmod(target, entry.mode ?? 0o644);
      }
    }
  } catch (cause) {
    if (cause instanceof CliError) throw cause;
    throw new OutputError(`${stageDir}: --stage: cannot write the staged charm: ${reason(cause)}`, {
      file: stageDir,
      field: '--stage',
      cause,
    });
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
