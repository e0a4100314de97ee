import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { MetadataError } from './errors.js';
import type { JujuVersion } from './juju-version.js';
import {
  type ActionSchema,
  ActionsFileSchema,
  type AssumesEntry,
  ConfigFileSchema,
  MetadataSchema,
  type RelationEndpointSchema,
  type StorageSchema,
} from './schemas/metadata.js';

/** The role of a relation endpoint. */
export type RelationRole = 'requires' | 'provides' | 'peer';

/** A relation endpoint declared in `requires`, `provides` or `peers`. */
export interface RelationMeta {
  /** The endpoint name. */
  readonly relationName: string;
  /** `requires`, `provides` or `peer`. */
  readonly role: RelationRole;
  /** The interface name. */
  readonly interfaceName: string;
  /** The maximum number of relations, or `null` for no limit. */
  readonly limit: number | null;
  /** Whether the relation is optional (informational). */
  readonly optional: boolean;
  /** `global` (default) or `container` (subordinates). */
  readonly scope: 'global' | 'container';
  /** The description, when given. */
  readonly description: string | undefined;
}

/** A storage declared in `storage`. */
export interface StorageMeta {
  /** The storage name. */
  readonly storageName: string;
  /** `filesystem` or `block`. */
  readonly type: 'filesystem' | 'block';
  /** The description ('' when absent). */
  readonly description: string;
  /** Where it is mounted, when given. */
  readonly location: string | undefined;
  /** Whether it is shared between units. */
  readonly shared: boolean;
  /** Whether it is read-only. */
  readonly readOnly: boolean;
  /** The minimum size, when given. */
  readonly minimumSize: string | number | undefined;
  /**
   * `multiple.range` as `[min, max]` (`max` `null` = unbounded: `2+`, `2-`), or `null` when
   * the storage is not `multiple`.
   */
  readonly multipleRange: readonly [number, number | null] | null;
  /** `properties`, e.g. `['transient']`. */
  readonly properties: readonly string[];
}

/** A resource declared in `resources`. */
export interface ResourceMeta {
  /** The resource name. */
  readonly resourceName: string;
  /** `file` or `oci-image`. */
  readonly type: 'file' | 'oci-image';
  /** The file name, for `file` resources. */
  readonly filename: string | undefined;
  /** The description ('' when absent). */
  readonly description: string;
}

/** A workload container declared in `containers`. */
export interface ContainerMeta {
  /** The container name. */
  readonly name: string;
  /** The OCI-image resource backing it, when given. */
  readonly resource: string | undefined;
  /** Storage mounts that have a location. */
  readonly mounts: readonly { readonly storage: string; readonly location: string }[];
}

/** A config option declared in `config.yaml` / charmcraft `config.options`. */
export interface ConfigOptionMeta {
  /** The option name. */
  readonly name: string;
  /** `string`, `int`, `float`, `boolean` or `secret`. */
  readonly type: 'string' | 'int' | 'float' | 'boolean' | 'secret';
  /** The default, or `undefined` when none. */
  readonly default: string | number | boolean | undefined;
  /** The description ('' when absent). */
  readonly description: string;
}

/** An action declared in `actions.yaml` / charmcraft `actions`. */
export interface ActionMeta {
  /** The action name. */
  readonly name: string;
  /** The title, when given. */
  readonly title: string | undefined;
  /** The description ('' when absent). */
  readonly description: string;
  /** Parameters: name → JSON Schema. */
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Names of required parameters. */
  readonly required: readonly string[];
  /** Whether unknown parameters are accepted (default: true before Juju 4, false from 4). */
  readonly additionalProperties: boolean;
  /** Whether the action may run in parallel with others. */
  readonly parallel: boolean;
  /** The execution group, when given. */
  readonly executionGroup: string | undefined;
}

/** Links about the charm (top-level keys, or charmcraft's `links`), as ops' `MetadataLinks`. */
export interface MetadataLinks {
  /** Home pages. */
  readonly websites: readonly string[];
  /** Source repositories. */
  readonly sources: readonly string[];
  /** Issue trackers. */
  readonly issues: readonly string[];
  /** The documentation page, when given. */
  readonly documentation: string | undefined;
}

/** Options of the {@link CharmMeta} loaders. */
export interface CharmMetaLoadOptions {
  /** The Juju version, for defaults that depend on it (`additionalProperties`). */
  readonly jujuVersion?: JujuVersion | undefined;
}

/** The three documents of a deployed charm, as parsed values (e.g. `yaml.parse` output). */
export interface CharmMetaDocuments {
  /** metadata.yaml. */
  readonly metadata: unknown;
  /** config.yaml (`{ options: ... }`). */
  readonly config?: unknown;
  /** actions.yaml. */
  readonly actions?: unknown;
}

type Metadata = z.output<typeof MetadataSchema>;
type Endpoint = z.output<typeof RelationEndpointSchema>;
type StorageEntry = z.output<typeof StorageSchema>;
type ActionEntry = z.output<typeof ActionSchema>;

const CHARMCRAFT_CONFIG_KEY = 'config';
const CHARMCRAFT_ACTIONS_KEY = 'actions';

/**
 * A charm's metadata: relations, storage, containers, resources, config options, actions,
 * `assumes` and extra bindings, validated when loaded.
 *
 * @example
 * ```ts
 * const meta = CharmMeta.fromCharmDir(process.env.JUJU_CHARM_DIR ?? '.');
 * meta.relations.db?.interfaceName;
 * meta.config['server-port']?.default;
 * ```
 */
export class CharmMeta {
  /** The charm name. */
  readonly name: string;
  /** The one-line summary ('' when absent). */
  readonly summary: string;
  /** The description ('' when absent). */
  readonly description: string;
  /** The display name (`title` in charmcraft.yaml, `display-name` in metadata.yaml). */
  readonly title: string | undefined;
  /** Whether this is a subordinate charm. */
  readonly subordinate: boolean;
  /** `requires` endpoints. */
  readonly requires: Readonly<Record<string, RelationMeta>>;
  /** `provides` endpoints. */
  readonly provides: Readonly<Record<string, RelationMeta>>;
  /** `peers` endpoints. */
  readonly peers: Readonly<Record<string, RelationMeta>>;
  /** Every endpoint (requires, provides and peers together). */
  readonly relations: Readonly<Record<string, RelationMeta>>;
  /** Storage declarations. */
  readonly storages: Readonly<Record<string, StorageMeta>>;
  /** Resource declarations. */
  readonly resources: Readonly<Record<string, ResourceMeta>>;
  /** Workload containers. */
  readonly containers: Readonly<Record<string, ContainerMeta>>;
  /** Config options. */
  readonly config: Readonly<Record<string, ConfigOptionMeta>>;
  /** Actions. */
  readonly actions: Readonly<Record<string, ActionMeta>>;
  /** Names of extra bindings. */
  readonly extraBindings: readonly string[];
  /** `assumes` (top level = all of). */
  readonly assumes: readonly AssumesEntry[];
  /** `charm-user` (`root` when absent). */
  readonly charmUser: 'root' | 'sudoer' | 'non-root';
  /** Legacy `series`. */
  readonly series: readonly string[];
  /** Legacy `min-juju-version`. */
  readonly minJujuVersion: string | undefined;
  /** Maintainers (`maintainers`, or the legacy single `maintainer`). */
  readonly maintainers: readonly string[];
  /** `terms`. */
  readonly terms: readonly string[];
  /** `tags`. */
  readonly tags: readonly string[];
  /** Websites, sources, issue trackers and documentation. */
  readonly links: MetadataLinks;

  /**
   * Build metadata from parsed documents.
   *
   * @param docs - metadata, config and actions documents.
   * @param options - loader options.
   * @param files - file names to use in error messages.
   * @throws {MetadataError} If a document does not match the metadata schema.
   */
  constructor(
    docs: CharmMetaDocuments,
    options: CharmMetaLoadOptions = {},
    files: { metadata: string; config: string; actions: string } = {
      metadata: 'metadata.yaml',
      config: 'config.yaml',
      actions: 'actions.yaml',
    },
  ) {
    const md: Metadata = parseWith(MetadataSchema, docs.metadata, files.metadata);
    const cfg = parseWith(ConfigFileSchema, docs.config ?? null, files.config);
    const acts = parseWith(ActionsFileSchema, docs.actions ?? null, files.actions);

    this.name = md.name;
    this.summary = md.summary ?? '';
    this.description = md.description ?? '';
    this.title = md.title ?? md['display-name'];
    this.subordinate = md.subordinate ?? false;
    this.requires = endpoints(md.requires, 'requires');
    this.provides = endpoints(md.provides, 'provides');
    this.peers = endpoints(md.peers, 'peer');
    const seen = new Map<string, string>();
    for (const [section, names] of [
      ['requires', Object.keys(this.requires)],
      ['provides', Object.keys(this.provides)],
      ['peers', Object.keys(this.peers)],
    ] as const) {
      for (const name of names) {
        const first = seen.get(name);
        if (first !== undefined) {
          throw new MetadataError(
            `${files.metadata}: ${section}.${name}: duplicate relation name (also declared in ${first})`,
            { file: files.metadata },
          );
        }
        seen.set(name, section);
      }
    }
    this.relations = { ...this.requires, ...this.provides, ...this.peers };
    const storages: Record<string, StorageMeta> = {};
    for (const [name, s] of Object.entries(md.storage ?? {})) {
      storages[name] = storageMeta(name, s, files.metadata);
    }
    this.storages = storages;
    const resources: Record<string, ResourceMeta> = {};
    for (const [name, r] of Object.entries(md.resources ?? {})) {
      resources[name] = {
        resourceName: name,
        type: r.type,
        filename: r.filename,
        description: r.description ?? '',
      };
    }
    this.resources = resources;
    const containers: Record<string, ContainerMeta> = {};
    for (const [name, c] of Object.entries(md.containers ?? {})) {
      const mounts: { storage: string; location: string }[] = [];
      for (const m of c.mounts ?? []) {
        if (m.location !== undefined) mounts.push({ storage: m.storage, location: m.location });
      }
      containers[name] = { name, resource: c.resource, mounts };
    }
    this.containers = containers;
    const config: Record<string, ConfigOptionMeta> = {};
    for (const [name, o] of Object.entries(cfg?.options ?? {})) {
      config[name] = {
        name,
        type: o.type,
        default: o.default ?? undefined,
        description: o.description ?? '',
      };
    }
    this.config = config;
    const defaultAdditional =
      options.jujuVersion === undefined ? true : options.jujuVersion.isLessThan('4.0.0');
    const actions: Record<string, ActionMeta> = {};
    for (const [name, a] of Object.entries(acts ?? {})) {
      actions[name] = actionMeta(name, a, defaultAdditional);
    }
    this.actions = actions;
    this.extraBindings = Object.keys(md['extra-bindings'] ?? {});
    this.assumes = md.assumes ?? [];
    this.charmUser = md['charm-user'] ?? 'root';
    this.series = md.series ?? [];
    this.minJujuVersion = md['min-juju-version'];
    this.maintainers = md.maintainers ?? (md.maintainer === undefined ? [] : [md.maintainer]);
    this.terms = md.terms ?? [];
    this.tags = md.tags ?? [];
    const list = (v: string | string[] | undefined): string[] =>
      v === undefined ? [] : typeof v === 'string' ? [v] : v;
    const websites = list(md.website);
    const sources = list(md.source);
    const issues = list(md.issues);
    this.links = {
      websites: websites.length > 0 ? websites : list(md.links?.website),
      sources: sources.length > 0 ? sources : list(md.links?.source),
      issues: issues.length > 0 ? issues : list(md.links?.issues),
      documentation: md.docs ?? md.links?.documentation,
    };
    for (const name of this.extraBindings) {
      if (name in this.relations) {
        throw new MetadataError(
          `${files.metadata}: extra-bindings.${name}: expected a name that is not also a relation endpoint`,
          { file: files.metadata },
        );
      }
    }
  }

  /**
   * Parse metadata.yaml text, with optional config.yaml and actions.yaml texts.
   *
   * @throws {MetadataError} If a text is not YAML or does not match the schema.
   */
  static fromYaml(
    metadata: string,
    more: { readonly config?: string; readonly actions?: string } = {},
    options: CharmMetaLoadOptions = {},
  ): CharmMeta {
    return new CharmMeta(
      {
        metadata: yamlOf(metadata, 'metadata.yaml'),
        config: more.config === undefined ? null : yamlOf(more.config, 'config.yaml'),
        actions: more.actions === undefined ? null : yamlOf(more.actions, 'actions.yaml'),
      },
      options,
    );
  }

  /**
   * Parse a unified charmcraft.yaml text (its `config` and `actions` sections included).
   *
   * @throws {MetadataError} If the text is not YAML or does not match the schema.
   */
  static fromCharmcraftYaml(text: string, options: CharmMetaLoadOptions = {}): CharmMeta {
    const doc = yamlOf(text, 'charmcraft.yaml');
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new MetadataError('charmcraft.yaml: expected a map at the top level', {
        file: 'charmcraft.yaml',
      });
    }
    const record: Record<string, unknown> = { ...doc };
    const config = record[CHARMCRAFT_CONFIG_KEY];
    const actions = record[CHARMCRAFT_ACTIONS_KEY];
    delete record[CHARMCRAFT_CONFIG_KEY];
    delete record[CHARMCRAFT_ACTIONS_KEY];
    return new CharmMeta({ metadata: record, config, actions }, options, {
      metadata: 'charmcraft.yaml',
      config: 'charmcraft.yaml: config',
      actions: 'charmcraft.yaml: actions',
    });
  }

  /**
   * Load the metadata of a charm directory: `metadata.yaml` (+ `config.yaml`,
   * `actions.yaml`) when present, as Juju deploys it, else `charmcraft.yaml`.
   *
   * @throws {MetadataError} If no metadata file exists or one is invalid; a key defined both
   *   in `charmcraft.yaml` and a legacy file is an error.
   */
  static fromCharmDir(dir: string, options: CharmMetaLoadOptions = {}): CharmMeta {
    const cached = readCharmMetaCache(dir);
    if (cached !== undefined) {
      return new CharmMeta(cached, options, {
        metadata: `${CHARM_META_CACHE_FILE}: metadata`,
        config: `${CHARM_META_CACHE_FILE}: config`,
        actions: `${CHARM_META_CACHE_FILE}: actions`,
      });
    }
    const read = (name: string): string | undefined => {
      const file = path.join(dir, name);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    };
    const metadata = read('metadata.yaml');
    const config = read('config.yaml');
    const actions = read('actions.yaml');
    if (metadata !== undefined) {
      return CharmMeta.fromYaml(
        metadata,
        {
          ...(config === undefined ? {} : { config }),
          ...(actions === undefined ? {} : { actions }),
        },
        options,
      );
    }
    const charmcraft = read('charmcraft.yaml');
    if (charmcraft === undefined) {
      throw new MetadataError(`${dir}: expected metadata.yaml or charmcraft.yaml, found neither`);
    }
    const doc = yamlOf(charmcraft, 'charmcraft.yaml');
    if (doc !== null && typeof doc === 'object') {
      if (config !== undefined && CHARMCRAFT_CONFIG_KEY in doc) {
        throw new MetadataError(
          'charmcraft.yaml: config: defined both here and in config.yaml; keep one',
          { file: 'charmcraft.yaml' },
        );
      }
      if (actions !== undefined && CHARMCRAFT_ACTIONS_KEY in doc) {
        throw new MetadataError(
          'charmcraft.yaml: actions: defined both here and in actions.yaml; keep one',
          { file: 'charmcraft.yaml' },
        );
      }
    }
    const meta = CharmMeta.fromCharmcraftYaml(charmcraft, options);
    if (config === undefined && actions === undefined) return meta;
    const record: Record<string, unknown> =
      doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? { ...doc } : {};
    return new CharmMeta(
      {
        metadata: record,
        config: config === undefined ? null : yamlOf(config, 'config.yaml'),
        actions: actions === undefined ? null : yamlOf(actions, 'actions.yaml'),
      },
      options,
      { metadata: 'charmcraft.yaml', config: 'config.yaml', actions: 'actions.yaml' },
    );
  }
}

/**
 * Where {@link writeCharmMetaCache} puts the parsed metadata, relative to the charm directory.
 * `CharmMeta.fromCharmDir` reads it instead of the YAML files when it is at least as new as
 * each of them, which saves parsing YAML on every dispatch.
 */
export const CHARM_META_CACHE_FILE = '.opsjs/metadata.json';

const SOURCE_FILES = ['metadata.yaml', 'config.yaml', 'actions.yaml', 'charmcraft.yaml'];

function mtimeMs(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Write the parsed metadata documents of a charm as JSON ({@link CHARM_META_CACHE_FILE}), for
 * packing tools. Write it after the YAML files: it is used only while it is at least as new as
 * each of them.
 */
export function writeCharmMetaCache(charmDir: string, docs: CharmMetaDocuments): void {
  const file = path.join(charmDir, CHARM_META_CACHE_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = {
    metadata: docs.metadata,
    config: docs.config ?? null,
    actions: docs.actions ?? null,
  };
  fs.writeFileSync(file, `${JSON.stringify(body)}\n`);
}

function readCharmMetaCache(dir: string): CharmMetaDocuments | undefined {
  const file = path.join(dir, CHARM_META_CACHE_FILE);
  const cacheTime = mtimeMs(file);
  if (cacheTime === undefined) return undefined;
  for (const name of SOURCE_FILES) {
    const t = mtimeMs(path.join(dir, name));
    if (t !== undefined && t > cacheTime) return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new MetadataError(`${CHARM_META_CACHE_FILE}: not valid JSON`, { file, cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || !('metadata' in parsed)) {
    throw new MetadataError(`${CHARM_META_CACHE_FILE}: expected an object with "metadata"`, {
      file,
    });
  }
  return {
    metadata: parsed.metadata,
    config: 'config' in parsed ? parsed.config : null,
    actions: 'actions' in parsed ? parsed.actions : null,
  };
}

function yamlOf(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    throw new MetadataError(
      `${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
      {
        file,
        cause: err,
      },
    );
  }
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, file: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` ${issue.path.join('.')}:`;
  throw new MetadataError(`${file}:${where} ${issue?.message ?? 'invalid'}`, {
    file: file.split(':')[0] ?? file,
    cause: result.error,
  });
}

function endpoints(
  raw: Record<string, Endpoint> | null | undefined,
  role: RelationRole,
): Record<string, RelationMeta> {
  const out: Record<string, RelationMeta> = {};
  for (const [name, e] of Object.entries(raw ?? {})) {
    out[name] = {
      relationName: name,
      role,
      interfaceName: e.interface,
      limit: e.limit ?? null,
      optional: e.optional ?? false,
      scope: e.scope ?? 'global',
      description: e.description,
    };
  }
  return out;
}

function storageMeta(name: string, s: StorageEntry, file: string): StorageMeta {
  let range: [number, number | null] | null = null;
  if (s.multiple !== undefined) {
    const r = String(s.multiple.range);
    const m = /^(\d+)(?:(\+)|-(\d*))?$/.exec(r);
    if (m === null) {
      throw new MetadataError(
        `${file}: storage.${name}.multiple.range: expected "N", "N+", "N-" or "N-M", got "${r}"`,
        { file },
      );
    }
    const min = Number(m[1]);
    if (m[2] === '+') range = [min, null];
    else if (m[3] === undefined) range = [min, min];
    else range = [min, m[3] === '' ? null : Number(m[3])];
  }
  return {
    storageName: name,
    type: s.type,
    description: s.description ?? '',
    location: s.location,
    shared: s.shared ?? false,
    readOnly: s['read-only'] ?? false,
    minimumSize: s['minimum-size'],
    multipleRange: range,
    properties: s.properties ?? [],
  };
}

function actionMeta(name: string, a: ActionEntry, defaultAdditional: boolean): ActionMeta {
  return {
    name,
    title: a?.title,
    description: a?.description ?? '',
    params: a?.params ?? {},
    required: a?.required ?? [],
    additionalProperties: a?.additionalProperties ?? defaultAdditional,
    parallel: a?.parallel ?? false,
    executionGroup: a?.['execution-group'],
  };
}
