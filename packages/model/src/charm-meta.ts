import * as fs from 'node:fs';
import * as path from 'node:path';
import type { $ZodType, output } from 'zod/v4/core';
import { MetadataError } from './errors.js';
import type { JujuVersion } from './juju-version.js';
import {
  CHARM_META_CACHE_FORMAT,
  type CharmMetaData,
  charmMetaCacheSchema,
  charmMetaChecksum,
} from './schemas/charm-meta-cache.js';
import {
  type AssumesEntry,
  actionsFileSchema,
  configFileSchema,
  metadataSchema,
  type relationEndpointSchema,
  type storageSchema,
} from './schemas/metadata.js';
import { safeParseEnglish } from './schemas/parse.js';
import yaml from './yaml.cjs';

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

type Endpoint = output<ReturnType<typeof relationEndpointSchema>>;
type StorageEntry = output<ReturnType<typeof storageSchema>>;
type ActionEntry = NonNullable<output<ReturnType<typeof actionsFileSchema>>>[string];
type EndpointData = CharmMetaData['requires'][string];
type ActionData = CharmMetaData['actions'][string];

/**
 * Normalised metadata read from `.opsjs/metadata.json`, by the documents object the constructor
 * is called with (module-private: callers cannot forge an entry).
 */
const fromCache = new WeakMap<CharmMetaDocuments, CharmMetaData>();

const DEFAULT_FILES = {
  metadata: 'metadata.yaml',
  config: 'config.yaml',
  actions: 'actions.yaml',
} as const;

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
    files: { metadata: string; config: string; actions: string } = DEFAULT_FILES,
  ) {
    const cached = fromCache.get(docs);
    if (cached !== undefined) checkNames(cached, files.metadata);
    const data = cached ?? normalize(docs, files);
    this.name = data.name;
    this.summary = data.summary;
    this.description = data.description;
    this.title = data.title;
    this.subordinate = data.subordinate;
    this.requires = endpoints(data.requires, 'requires');
    this.provides = endpoints(data.provides, 'provides');
    this.peers = endpoints(data.peers, 'peer');
    this.relations = { ...this.requires, ...this.provides, ...this.peers };
    const storages: Record<string, StorageMeta> = {};
    for (const [name, st] of Object.entries(data.storages)) {
      storages[name] = {
        storageName: name,
        type: st.type,
        description: st.description,
        location: st.location,
        shared: st.shared,
        readOnly: st.readOnly,
        minimumSize: st.minimumSize,
        multipleRange: st.multiple === null ? null : [st.multiple.min, st.multiple.max],
        properties: st.properties,
      };
    }
    this.storages = storages;
    const resources: Record<string, ResourceMeta> = {};
    for (const [name, r] of Object.entries(data.resources)) {
      resources[name] = {
        resourceName: name,
        type: r.type,
        filename: r.filename,
        description: r.description,
      };
    }
    this.resources = resources;
    const containers: Record<string, ContainerMeta> = {};
    for (const [name, c] of Object.entries(data.containers)) {
      containers[name] = { name, resource: c.resource, mounts: c.mounts };
    }
    this.containers = containers;
    const config: Record<string, ConfigOptionMeta> = {};
    for (const [name, o] of Object.entries(data.config)) {
      config[name] = { name, type: o.type, default: o.default, description: o.description };
    }
    this.config = config;
    const defaultAdditional =
      options.jujuVersion === undefined ? true : options.jujuVersion.isLessThan('4.0.0');
    const actions: Record<string, ActionMeta> = {};
    for (const [name, a] of Object.entries(data.actions)) {
      actions[name] = actionMeta(name, a, defaultAdditional);
    }
    this.actions = actions;
    this.extraBindings = data.extraBindings;
    this.assumes = data.assumes;
    this.charmUser = data.charmUser;
    this.series = data.series;
    this.minJujuVersion = data.minJujuVersion;
    this.maintainers = data.maintainers;
    this.terms = data.terms;
    this.tags = data.tags;
    this.links = {
      websites: data.links.websites,
      sources: data.links.sources,
      issues: data.links.issues,
      documentation: data.links.documentation,
    };
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
   * Load the metadata of a charm directory: {@link CHARM_META_CACHE_FILE} when it is at least
   * as new as each YAML file (no YAML parsed), else `metadata.yaml` (+ `config.yaml`,
   * `actions.yaml`) when present, as Juju deploys it, else `charmcraft.yaml`.
   *
   * @throws {MetadataError} If no metadata file exists or one is invalid; a key defined both
   *   in `charmcraft.yaml` and a legacy file is an error; a cache that is not valid JSON, has
   *   another `format` or does not match its shape is an error naming the file (it is not
   *   skipped).
   */
  static fromCharmDir(dir: string, options: CharmMetaLoadOptions = {}): CharmMeta {
    const cached = readCharmMetaCache(dir);
    if (cached?.data !== undefined) {
      const docs: CharmMetaDocuments = { metadata: null };
      fromCache.set(docs, cached.data);
      return new CharmMeta(docs, options, {
        metadata: CHARM_META_CACHE_FILE,
        config: CHARM_META_CACHE_FILE,
        actions: CHARM_META_CACHE_FILE,
      });
    }
    if (cached?.documents !== undefined) {
      return new CharmMeta(cached.documents, options, {
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
 * Where {@link writeCharmMetaCache} puts the normalised metadata, relative to the charm
 * directory. `CharmMeta.fromCharmDir` reads it instead of the YAML files when it is at least as
 * new as each of them, which saves loading `yaml`, parsing and validating on every dispatch.
 */
export const CHARM_META_CACHE_FILE = '.opsjs/metadata.json';

const SOURCE_FILES = ['metadata.yaml', 'config.yaml', 'actions.yaml', 'charmcraft.yaml'];

function mtimeMs(file: string): number | undefined {
  try {
    // No exception (and its stack trace) for the files a charm does not have.
    return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * The body of {@link CHARM_META_CACHE_FILE} for a charm's metadata documents: one line of JSON,
 * `{"format", "checksum", "data"}`, where `data` is the metadata validated and normalised as
 * {@link CharmMeta} holds it. `CharmMeta.fromCharmDir` reads it back checking only the checksum,
 * instead of parsing YAML and validating it again. The same documents always give the same text.
 *
 * @param docs - metadata, config and actions documents (e.g. `yaml.parse` output).
 * @param files - file names to use in error messages.
 * @returns The file's text, ending with a newline.
 * @throws {MetadataError} If a document does not match the metadata schema.
 * @example
 * ```ts
 * const text = charmMetaCacheText({ metadata: { name: 'demo' }, config: null, actions: null });
 * ```
 */
export function charmMetaCacheText(
  docs: CharmMetaDocuments,
  files: { metadata: string; config: string; actions: string } = DEFAULT_FILES,
): string {
  const data = normalize(docs, files);
  // What readers trust without checking it again: check it here, where it is written.
  const checked = parseWith(charmMetaCacheSchema(), data, CHARM_META_CACHE_FILE);
  const json = JSON.stringify(checked);
  const head = JSON.stringify({
    format: CHARM_META_CACHE_FORMAT,
    checksum: charmMetaChecksum(json),
  }).slice(0, -1);
  return `${head},"data":${json}}\n`;
}

/**
 * Write {@link CHARM_META_CACHE_FILE} into a charm directory for its metadata documents (see
 * {@link charmMetaCacheText}), for packing tools. Write it after the YAML files: it is used
 * only while it is at least as new as each of them.
 *
 * @throws {MetadataError} If a document does not match the metadata schema.
 */
export function writeCharmMetaCache(charmDir: string, docs: CharmMetaDocuments): void {
  const text = charmMetaCacheText(docs);
  const file = path.join(charmDir, CHARM_META_CACHE_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * The cache of a charm directory when it is at least as new as the YAML files: normalised
 * data (the current format), or the documents of the first format (`{metadata, config,
 * actions}`, which older packers write), validated as YAML documents are.
 */
function readCharmMetaCache(
  dir: string,
):
  | { data: CharmMetaData; documents?: never }
  | { data?: never; documents: CharmMetaDocuments }
  | undefined {
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
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MetadataError(`${CHARM_META_CACHE_FILE}: expected an object`, { file });
  }
  if (!('format' in parsed)) {
    if (!('metadata' in parsed)) {
      throw new MetadataError(
        `${CHARM_META_CACHE_FILE}: expected an object with "format" (or "metadata")`,
        { file },
      );
    }
    return {
      documents: {
        metadata: parsed.metadata,
        config: 'config' in parsed ? parsed.config : null,
        actions: 'actions' in parsed ? parsed.actions : null,
      },
    };
  }
  const format = parsed.format;
  if (format !== CHARM_META_CACHE_FORMAT) {
    const got =
      typeof format === 'string'
        ? JSON.stringify(format)
        : format === null
          ? 'null'
          : typeof format;
    throw new MetadataError(
      `${CHARM_META_CACHE_FILE}: format: expected ${JSON.stringify(CHARM_META_CACHE_FORMAT)}, got ${got} (written by another version of @opsjs/model: pack the charm again)`,
      { file },
    );
  }
  const { checksum, data } = parsed as { checksum?: unknown; data?: unknown };
  if (typeof checksum !== 'string' || typeof data !== 'object' || data === null) {
    throw new MetadataError(`${CHARM_META_CACHE_FILE}: expected "checksum" and "data"`, { file });
  }
  // JSON.stringify gives back the text the writer hashed (same key order, same number forms).
  const actual = charmMetaChecksum(JSON.stringify(data));
  if (actual !== checksum) {
    throw new MetadataError(
      `${CHARM_META_CACHE_FILE}: checksum: expected ${JSON.stringify(checksum)}, got ${JSON.stringify(actual)} (the file changed after it was written: pack the charm again)`,
      { file },
    );
  }
  // Validated against charmMetaCacheSchema when written, and unchanged since (checksum).
  return { data: data as CharmMetaData };
}

function yamlOf(text: string, file: string): unknown {
  try {
    return yaml.parseYaml(text);
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

function parseWith<S extends $ZodType>(
  schema: S,
  value: unknown,
  file: string,
  errorFile: string = file.split(':')[0] ?? file,
): output<S> {
  const result = safeParseEnglish(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` ${issue.path.join('.')}:`;
  throw new MetadataError(`${file}:${where} ${issue?.message ?? 'invalid'}`, {
    file: errorFile,
    cause: result.error,
  });
}

/** Validate metadata documents and normalise them as {@link CharmMeta} and the cache hold them. */
function normalize(
  docs: CharmMetaDocuments,
  files: { metadata: string; config: string; actions: string },
): CharmMetaData {
  const md = parseWith(metadataSchema(), docs.metadata, files.metadata);
  const cfg = parseWith(configFileSchema(), docs.config ?? null, files.config);
  const acts = parseWith(actionsFileSchema(), docs.actions ?? null, files.actions);
  const list = (v: string | string[] | undefined): string[] =>
    v === undefined ? [] : typeof v === 'string' ? [v] : v;
  const websites = list(md.website);
  const sources = list(md.source);
  const issues = list(md.issues);
  const names = {
    requires: endpointData(md.requires),
    provides: endpointData(md.provides),
    peers: endpointData(md.peers),
    extraBindings: Object.keys(md['extra-bindings'] ?? {}),
  };
  checkNames(names, files.metadata);
  const storages: CharmMetaData['storages'] = {};
  for (const [name, st] of Object.entries(md.storage ?? {})) {
    storages[name] = storageData(name, st, files.metadata);
  }
  const resources: CharmMetaData['resources'] = {};
  for (const [name, r] of Object.entries(md.resources ?? {})) {
    resources[name] = { type: r.type, filename: r.filename, description: r.description ?? '' };
  }
  const containers: CharmMetaData['containers'] = {};
  for (const [name, c] of Object.entries(md.containers ?? {})) {
    const mounts: { storage: string; location: string }[] = [];
    for (const m of c.mounts ?? []) {
      if (m.location !== undefined) mounts.push({ storage: m.storage, location: m.location });
    }
    containers[name] = { resource: c.resource, mounts };
  }
  const config: CharmMetaData['config'] = {};
  for (const [name, o] of Object.entries(cfg?.options ?? {})) {
    config[name] = {
      type: o.type,
      default: o.default ?? undefined,
      description: o.description ?? '',
    };
  }
  const actions: CharmMetaData['actions'] = {};
  for (const [name, a] of Object.entries(acts ?? {})) actions[name] = actionData(a);
  return {
    name: md.name,
    summary: md.summary ?? '',
    description: md.description ?? '',
    title: md.title ?? md['display-name'],
    subordinate: md.subordinate ?? false,
    ...names,
    storages,
    resources,
    containers,
    config,
    actions,
    assumes: md.assumes ?? [],
    charmUser: md['charm-user'] ?? 'root',
    series: md.series ?? [],
    minJujuVersion: md['min-juju-version'],
    maintainers: md.maintainers ?? (md.maintainer === undefined ? [] : [md.maintainer]),
    terms: md.terms ?? [],
    tags: md.tags ?? [],
    links: {
      websites: websites.length > 0 ? websites : list(md.links?.website),
      sources: sources.length > 0 ? sources : list(md.links?.source),
      issues: issues.length > 0 ? issues : list(md.links?.issues),
      documentation: md.docs ?? md.links?.documentation,
    },
  };
}

/**
 * Juju's rules across sections: an endpoint name is declared once in requires/provides/peers,
 * and an extra binding is not also an endpoint.
 */
function checkNames(
  data: Pick<CharmMetaData, 'requires' | 'provides' | 'peers' | 'extraBindings'>,
  file: string,
): void {
  const seen = new Map<string, string>();
  for (const section of ['requires', 'provides', 'peers'] as const) {
    for (const name of Object.keys(data[section])) {
      const first = seen.get(name);
      if (first !== undefined) {
        throw new MetadataError(
          `${file}: ${section}.${name}: duplicate relation name (also declared in ${first})`,
          { file },
        );
      }
      seen.set(name, section);
    }
  }
  for (const name of data.extraBindings) {
    if (seen.has(name)) {
      throw new MetadataError(
        `${file}: extra-bindings.${name}: expected a name that is not also a relation endpoint`,
        { file },
      );
    }
  }
}

function endpointData(
  raw: Record<string, Endpoint> | null | undefined,
): Record<string, EndpointData> {
  const out: Record<string, EndpointData> = {};
  for (const [name, e] of Object.entries(raw ?? {})) {
    out[name] = {
      interfaceName: e.interface,
      limit: e.limit ?? null,
      optional: e.optional ?? false,
      scope: e.scope ?? 'global',
      description: e.description,
    };
  }
  return out;
}

function endpoints(
  data: Readonly<Record<string, EndpointData>>,
  role: RelationRole,
): Record<string, RelationMeta> {
  const out: Record<string, RelationMeta> = {};
  for (const [name, e] of Object.entries(data)) {
    out[name] = {
      relationName: name,
      role,
      interfaceName: e.interfaceName,
      limit: e.limit,
      optional: e.optional,
      scope: e.scope,
      description: e.description,
    };
  }
  return out;
}

function storageData(
  name: string,
  s: StorageEntry,
  file: string,
): CharmMetaData['storages'][string] {
  let range: { min: number; max: number | null } | null = null;
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
    if (m[2] === '+') range = { min, max: null };
    else if (m[3] === undefined) range = { min, max: min };
    else range = { min, max: m[3] === '' ? null : Number(m[3]) };
  }
  return {
    type: s.type,
    description: s.description ?? '',
    location: s.location,
    shared: s.shared ?? false,
    readOnly: s['read-only'] ?? false,
    minimumSize: s['minimum-size'],
    multiple: range,
    properties: s.properties ?? [],
  };
}

function actionData(a: ActionEntry): ActionData {
  return {
    title: a?.title,
    description: a?.description ?? '',
    params: a?.params ?? {},
    required: a?.required ?? [],
    additionalProperties: a?.additionalProperties,
    parallel: a?.parallel ?? false,
    executionGroup: a?.['execution-group'],
  };
}

function actionMeta(name: string, a: ActionData, defaultAdditional: boolean): ActionMeta {
  return {
    name,
    title: a.title,
    description: a.description,
    params: a.params,
    required: a.required,
    additionalProperties: a.additionalProperties ?? defaultAdditional,
    parallel: a.parallel,
    executionGroup: a.executionGroup,
  };
}
