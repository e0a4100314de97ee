import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CharmMeta, MetadataError } from '@opsjs/model';
import { stringify } from 'yaml';
import { z } from 'zod';
import { CharmMetadataError, ProjectNotFoundError } from './errors.js';
import type { CharmArch } from './runtime.js';
import { charmArchs } from './runtime.js';
import { parseYamlFile } from './yaml-file.js';

/** A run-time base of a packed charm, as `manifest.yaml` lists it. */
export interface CharmRunBase {
  /** OS name, e.g. `ubuntu`. */
  readonly name: string;
  /** OS channel, e.g. `24.04`. */
  readonly channel: string;
  /** Architectures, e.g. `['amd64']`. */
  readonly architectures: readonly string[];
}

/** A charm project on disk: its validated metadata and the files a packed charm needs. */
export interface CharmProject {
  /** Absolute project directory. */
  readonly dir: string;
  /** The file the metadata comes from: `charmcraft.yaml` or `metadata.yaml` (absolute). */
  readonly metadataFile: string;
  /** The metadata, validated by `@opsjs/model`'s {@link CharmMeta}. */
  readonly meta: CharmMeta;
  /** The run-time bases declared in charmcraft.yaml (`base` + `platforms`, or `bases`). */
  readonly bases: readonly CharmRunBase[];
  /** The raw charmcraft.yaml document, when the project has one. */
  readonly charmcraft: Readonly<Record<string, unknown>> | undefined;
  /** The texts of `metadata.yaml`, `config.yaml` and `actions.yaml` as packed into a charm. */
  readonly charmFiles: Readonly<Record<string, string>>;
}

/** charmcraft.yaml keys copied into a packed charm's `metadata.yaml`, in output order. */
const METADATA_KEYS = [
  'name',
  'display-name',
  'summary',
  'description',
  'maintainers',
  'docs',
  'issues',
  'source',
  'website',
  'assumes',
  'charm-user',
  'subordinate',
  'requires',
  'provides',
  'peers',
  'extra-bindings',
  'storage',
  'containers',
  'resources',
  'devices',
  'terms',
] as const;

const ArchList = z.union([z.string(), z.array(z.string())]);

const PackagingSchema = z.object({
  type: z.literal('charm').optional(),
  base: z
    .string()
    .regex(/^[a-z]+@[0-9.]+$/, 'expected <os>@<channel>, e.g. ubuntu@24.04')
    .optional(),
  platforms: z
    .record(
      z.string(),
      z.object({ 'build-on': ArchList.optional(), 'build-for': ArchList.optional() }).nullish(),
    )
    .optional(),
  bases: z
    .array(
      z.union([
        z.object({
          name: z.string(),
          channel: z.union([z.string(), z.number()]),
          architectures: z.array(z.string()).optional(),
        }),
        z.object({
          'build-on': z.array(z.unknown()),
          'run-on': z.array(
            z.object({
              name: z.string(),
              channel: z.union([z.string(), z.number()]),
              architectures: z.array(z.string()).optional(),
            }),
          ),
        }),
      ]),
    )
    .optional(),
});

/**
 * Loads and validates a charm project: `charmcraft.yaml` (unified), or `metadata.yaml` with
 * optional `config.yaml` and `actions.yaml`, validated by `@opsjs/model`'s `CharmMeta`, plus
 * the packaging keys of charmcraft.yaml (`base`/`platforms` or `bases`). Relation endpoint names
 * must be unique across `requires`, `provides` and `peers`.
 *
 * @throws {ProjectNotFoundError} when `dir` is missing, not a directory or has no metadata.
 * @throws {CharmMetadataError} naming the file and field of the first problem found.
 */
export function loadCharmProject(dir: string): CharmProject {
  const root = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new ProjectNotFoundError(`${root}: charm project directory does not exist`, {
      file: root,
    });
  }
  if (!isDir) {
    throw new ProjectNotFoundError(`${root}: not a directory (expected a charm project)`, {
      file: root,
    });
  }
  const charmcraftFile = join(root, 'charmcraft.yaml');
  const metadataFile = join(root, 'metadata.yaml');
  const configFile = join(root, 'config.yaml');
  const actionsFile = join(root, 'actions.yaml');
  const hasCharmcraft = existsSync(charmcraftFile);
  const hasMetadata = existsSync(metadataFile);
  if (!hasCharmcraft && !hasMetadata) {
    throw new ProjectNotFoundError(
      `${root}: no charmcraft.yaml or metadata.yaml (not a charm project)`,
      { file: root },
    );
  }
  const readYaml = (file: string): { text: string; doc: unknown } => {
    const text = readFileSync(file, 'utf8');
    return { text, doc: parseYamlFile(text, file) };
  };
  const charmcraft = hasCharmcraft ? readYaml(charmcraftFile) : undefined;
  if (charmcraft !== undefined && !isRecord(charmcraft.doc)) {
    throw new CharmMetadataError(`${charmcraftFile}: expected a map at the top level`, {
      file: charmcraftFile,
    });
  }
  const charmcraftDoc =
    charmcraft !== undefined && isRecord(charmcraft.doc) ? charmcraft.doc : undefined;
  const legacy = hasMetadata ? readYaml(metadataFile) : undefined;
  const config = existsSync(configFile) ? readYaml(configFile) : undefined;
  const actions = existsSync(actionsFile) ? readYaml(actionsFile) : undefined;

  const metadataSource = legacy !== undefined ? metadataFile : charmcraftFile;
  const metadataDoc = legacy !== undefined ? legacy.doc : charmcraftDoc;
  if (!isRecord(metadataDoc)) {
    throw new CharmMetadataError(`${metadataSource}: expected a map at the top level`, {
      file: metadataSource,
    });
  }
  if (charmcraftDoc !== undefined) {
    for (const [key, legacyDoc, legacyFile] of [
      ['config', config, configFile],
      ['actions', actions, actionsFile],
    ] as const) {
      if (legacyDoc !== undefined && key in charmcraftDoc) {
        throw new CharmMetadataError(
          `${charmcraftFile}: ${key}: also defined in ${legacyFile}; keep one`,
          { file: charmcraftFile, field: key },
        );
      }
    }
  }
  const configSource = config !== undefined ? configFile : `${charmcraftFile}: config`;
  const actionsSource = actions !== undefined ? actionsFile : `${charmcraftFile}: actions`;
  const configDoc = config !== undefined ? config.doc : charmcraftDoc?.config;
  const actionsDoc = actions !== undefined ? actions.doc : charmcraftDoc?.actions;
  const metadataOnly: Record<string, unknown> = { ...metadataDoc };
  delete metadataOnly.config;
  delete metadataOnly.actions;
  for (const key of ['type', 'base', 'bases', 'platforms', 'parts', 'build-base', 'charmhub']) {
    if (legacy === undefined) delete metadataOnly[key];
  }
  checkUniqueEndpoints(metadataOnly, metadataSource);

  let meta: CharmMeta;
  try {
    meta = new CharmMeta(
      { metadata: metadataOnly, config: configDoc ?? null, actions: actionsDoc ?? null },
      {},
      { metadata: metadataSource, config: configSource, actions: actionsSource },
    );
  } catch (cause) {
    if (cause instanceof MetadataError) {
      throw new CharmMetadataError(cause.message.split('\n')[0] ?? cause.message, {
        file: cause.file ?? metadataSource,
        cause,
      });
    }
    throw cause;
  }

  const bases = charmcraftDoc === undefined ? [] : parseBases(charmcraftDoc, charmcraftFile);
  const charmFiles: Record<string, string> = {};
  if (legacy !== undefined) {
    charmFiles['metadata.yaml'] = legacy.text;
  } else {
    charmFiles['metadata.yaml'] = renderMetadata(metadataOnly);
  }
  if (config !== undefined) charmFiles['config.yaml'] = config.text;
  else if (configDoc !== undefined && configDoc !== null) {
    charmFiles['config.yaml'] = generated(stringify(configDoc));
  }
  if (actions !== undefined) charmFiles['actions.yaml'] = actions.text;
  else if (actionsDoc !== undefined && actionsDoc !== null) {
    charmFiles['actions.yaml'] = generated(stringify(actionsDoc));
  }
  return {
    dir: root,
    metadataFile: metadataSource,
    meta,
    bases,
    charmcraft: charmcraftDoc,
    charmFiles,
  };
}

function generated(text: string): string {
  return `# Generated by \`opsjs pack\` from charmcraft.yaml.\n${text}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkUniqueEndpoints(doc: Record<string, unknown>, file: string): void {
  const seen = new Map<string, string>();
  for (const role of ['requires', 'provides', 'peers']) {
    const endpoints = doc[role];
    if (!isRecord(endpoints)) continue;
    for (const name of Object.keys(endpoints)) {
      const earlier = seen.get(name);
      if (earlier !== undefined) {
        throw new CharmMetadataError(
          `${file}: ${role}.${name}: duplicate relation name (also declared in ${earlier})`,
          { file, field: `${role}.${name}` },
        );
      }
      seen.set(name, role);
    }
  }
}

/** Renders charmcraft.yaml metadata keys as a packed charm's metadata.yaml. */
function renderMetadata(doc: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  const links = isRecord(doc.links) ? doc.links : {};
  const source: Record<string, unknown> = {
    ...doc,
    'display-name': doc['display-name'] ?? doc.title,
    maintainers: doc.maintainers ?? asList(links.contact),
    docs: doc.docs ?? links.documentation,
    issues: doc.issues ?? links.issues,
    source: doc.source ?? links.source,
    website: doc.website ?? links.website,
  };
  for (const key of METADATA_KEYS) {
    const value = source[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return generated(stringify(out));
}

function asList(value: unknown): unknown {
  return typeof value === 'string' ? [value] : value;
}

function parseBases(doc: Record<string, unknown>, file: string): CharmRunBase[] {
  const parsed = PackagingSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new CharmMetadataError(`${file}: ${field}: ${issue?.message ?? 'invalid'}`, {
      file,
      field,
    });
  }
  const p = parsed.data;
  if (p.bases !== undefined) {
    const out: CharmRunBase[] = [];
    for (const entry of p.bases) {
      const runOn = 'run-on' in entry ? entry['run-on'] : [entry];
      for (const base of runOn) {
        out.push({
          name: base.name,
          channel: String(base.channel),
          architectures: base.architectures ?? ['amd64'],
        });
      }
    }
    return out;
  }
  const platforms = p.platforms ?? {};
  const out: CharmRunBase[] = [];
  for (const [key, platform] of Object.entries(platforms)) {
    const [prefix, archName] = key.includes(':') ? key.split(':', 2) : [p.base, key];
    const baseText = prefix ?? p.base;
    if (baseText === undefined) {
      throw new CharmMetadataError(
        `${file}: base: missing (platform ${key} names no base); expected e.g. ubuntu@24.04`,
        { file, field: 'base' },
      );
    }
    const [name, channel] = baseText.split('@', 2);
    const buildFor = platform?.['build-for'];
    const archs =
      buildFor === undefined ? [archName] : Array.isArray(buildFor) ? buildFor : [buildFor];
    for (const arch of archs) {
      if (arch === undefined || !(charmArchs as readonly string[]).includes(arch)) {
        throw new CharmMetadataError(
          `${file}: platforms.${key}: unsupported architecture ${JSON.stringify(arch)} (expected ${charmArchs.join(' or ')})`,
          { file, field: `platforms.${key}` },
        );
      }
      out.push({ name: name ?? 'ubuntu', channel: channel ?? '', architectures: [arch] });
    }
  }
  if (out.length === 0 && p.base !== undefined) {
    const [name, channel] = p.base.split('@', 2);
    for (const arch of charmArchs) {
      out.push({ name: name ?? 'ubuntu', channel: channel ?? '', architectures: [arch] });
    }
  }
  return out;
}

/**
 * The bases of `project` that run on `arch`.
 *
 * @internal
 * @throws {CharmMetadataError} when the project declares no base, or none for `arch`.
 */
export function basesFor(project: CharmProject, arch: CharmArch): CharmRunBase[] {
  const file = join(project.dir, 'charmcraft.yaml');
  if (project.bases.length === 0) {
    throw new CharmMetadataError(
      `${file}: base: missing; expected e.g. "base: ubuntu@24.04" with "platforms: {amd64: }" (or pass --base)`,
      { file, field: 'base' },
    );
  }
  const matching = project.bases
    .filter((b) => b.architectures.includes(arch))
    .map((b) => ({ ...b, architectures: [arch] }));
  if (matching.length === 0) {
    const declared = [...new Set(project.bases.flatMap((b) => b.architectures))].join(', ');
    throw new CharmMetadataError(
      `${file}: platforms: no platform for ${arch} (declared: ${declared})`,
      { file, field: 'platforms' },
    );
  }
  return matching;
}
