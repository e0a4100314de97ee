import type { ModelBackend } from './backend/model-backend.js';
import type { CloudSpecData } from './backend/types.js';
import type { CharmMeta } from './charm-meta.js';
import { ConfigData } from './config-data.js';
import { InvalidArgumentError } from './errors.js';
import type { JujuContext } from './juju-context.js';
import { JujuVersion } from './juju-version.js';
import type { ModelContext } from './model-context.js';
import { Binding } from './network.js';
import { loadPebble, type PebbleLoader } from './pebble-loader.js';
import { type Relation, RelationMapping } from './relation.js';
import { Resources } from './resources.js';
import { canonicalizeSecretId, Secret } from './secret.js';
import { StorageMapping } from './storage.js';
import { Application, Unit } from './unit.js';

/** The cloud a model runs in, with its credential (`credential-get`). */
export type CloudSpec = CloudSpecData;

/** Options of the {@link Model} constructor. */
export interface ModelOptions {
  /** The charm's metadata. */
  readonly meta: CharmMeta;
  /** How to reach Juju: {@link HookToolBackend} in a real hook, an in-memory one in tests. */
  readonly backend: ModelBackend;
  /**
   * The hook context. Gives unit, model name/uuid, Juju version, and for relation hooks the
   * broken relation (hidden from `relations` in `-broken`), the remote app (used instead of
   * `relation-list --app`) and the departing remote unit (kept in `relation.data`).
   */
  readonly context?: JujuContext;
  /** This unit's name (default: `context.unitName`). Required without a context. */
  readonly unitName?: string;
  /** The model name (default: `context.modelName`, else ''). */
  readonly modelName?: string;
  /** The model uuid (default: `context.modelUuid`, else ''). */
  readonly modelUuid?: string;
  /** The Juju version (default: `context.version`, else `0.0.0`). */
  readonly jujuVersion?: JujuVersion | string;
  /** Override: the relation id hidden from `relations` (default from a `-broken` context). */
  readonly brokenRelationId?: number;
  /** Override: the remote unit kept in `relation.data` (default from `-departed`/`-broken`). */
  readonly remoteUnitName?: string;
  /**
   * The Pebble socket of a container (default `/charm/containers/<name>/pebble.socket`).
   * `@opsjs/testing` points this at its fake Pebble servers.
   */
  readonly containerSocketPath?: (container: string) => string;
  /**
   * What is running (ops sets the event name, e.g. `config_changed`, or `__init__` while the
   * charm is constructed); '' when nothing. Relation-data access rules apply only while it is
   * non-empty. Default: '' (the framework sets {@link Model.hookRunning} when it dispatches).
   */
  readonly hookRunning?: string;
  /**
   * Called with secret values whenever this model learns them (`getSecret`, `getContent`,
   * `peekContent`, `addSecret`, `setContent`), so a logger can redact them.
   */
  readonly onSecretContent?: (values: readonly string[]) => void;
  /** @internal Replace how `@opsjs/pebble` is loaded (tests). */
  readonly pebbleLoader?: PebbleLoader;
}

/** The default Pebble socket path of a container: `/charm/containers/<name>/pebble.socket`. */
export function defaultContainerSocketPath(container: string): string {
  return `/charm/containers/${container}/pebble.socket`;
}

function eventName(context: JujuContext | undefined): string {
  if (context === undefined) return '';
  const base = context.dispatchPath.split('/').at(-1) ?? '';
  return base.replaceAll('-', '_');
}

/**
 * The Juju model as this unit sees it: its unit and application, config, relations, secrets,
 * storage, resources, networks, and the cloud.
 *
 * @example
 * ```ts
 * const context = JujuContext.fromEnv();
 * const model = new Model({
 *   meta: CharmMeta.fromCharmDir(context.charmDir),
 *   backend: new HookToolBackend({ context }),
 *   context,
 * });
 * model.unit.status = new ActiveStatus();
 * const db = model.getRelation('db');
 * ```
 */
export class Model {
  /** The unit this code runs for. */
  readonly unit: Unit;
  /** The relations of each endpoint (`model.relations.get('db')`). */
  readonly relations: RelationMapping;
  /** The charm config. */
  readonly config: ConfigData;
  /** The charm's resources. */
  readonly resources: Resources;
  /** The storage instances of each storage name. */
  readonly storages: StorageMapping;
  /** The backend the model talks to Juju through. */
  readonly backend: ModelBackend;
  /** The charm metadata. */
  readonly meta: CharmMeta;
  /** The Juju version. */
  readonly jujuVersion: JujuVersion;
  /**
   * The hook being run ('' when none). While non-empty, relation-data access rules apply.
   */
  hookRunning: string;
  readonly #ctx: ModelContext;
  readonly #units = new Map<string, Unit>();
  readonly #apps = new Map<string, Application>();
  readonly #bindings = new Map<string, Binding>();

  /**
   * @throws {InvalidArgumentError} If no unit name is given and no context provides one.
   */
  constructor(options: ModelOptions) {
    const { context } = options;
    const unitName = options.unitName ?? context?.unitName ?? '';
    if (unitName === '') {
      throw new InvalidArgumentError('JUJU_UNIT_NAME not set: give unitName or a context');
    }
    this.backend = options.backend;
    this.meta = options.meta;
    const v = options.jujuVersion ?? context?.version ?? '0.0.0';
    this.jujuVersion = typeof v === 'string' ? new JujuVersion(v) : v;
    this.hookRunning = options.hookRunning ?? '';
    const socketPath = options.containerSocketPath ?? defaultContainerSocketPath;
    const event = eventName(context);
    const ctx: ModelContext = {
      backend: options.backend,
      meta: options.meta,
      unitName,
      appName: unitName.split('/')[0] ?? unitName,
      modelName: options.modelName ?? context?.modelName ?? '',
      modelUuid: options.modelUuid ?? context?.modelUuid ?? '',
      jujuVersion: this.jujuVersion,
      eventRelationId: context?.relationId,
      eventRemoteApp: context?.remoteAppName,
      hookRunning: () => this.hookRunning,
      getUnit: (name) => this.getUnit(name),
      getApp: (name) => this.getApp(name),
      socketPath,
      loadPebble: options.pebbleLoader ?? loadPebble,
      onSecretContent: options.onSecretContent ?? (() => {}),
    };
    this.#ctx = ctx;
    this.unit = this.getUnit(unitName);
    const broken =
      options.brokenRelationId ??
      (event.endsWith('_relation_broken') ? context?.relationId : undefined);
    const remoteName =
      options.remoteUnitName ??
      (event.endsWith('_relation_departed') || event.endsWith('_relation_broken')
        ? context?.remoteUnitName
        : undefined);
    this.relations = new RelationMapping(
      ctx,
      broken,
      remoteName === undefined ? undefined : this.getUnit(remoteName),
    );
    this.config = new ConfigData(options.backend, options.meta.config);
    this.resources = new Resources(options.backend, Object.keys(options.meta.resources));
    this.storages = new StorageMapping(options.backend, Object.keys(options.meta.storages));
  }

  /** This unit's application. */
  get app(): Application {
    return this.unit.app;
  }

  /** The model name (`JUJU_MODEL_NAME`). */
  get name(): string {
    return this.#ctx.modelName;
  }

  /** The model uuid (`JUJU_MODEL_UUID`). */
  get uuid(): string {
    return this.#ctx.modelUuid;
  }

  /** The unit with this name (the same object for the same name). */
  getUnit(name: string): Unit {
    let unit = this.#units.get(name);
    if (unit === undefined) {
      unit = new Unit(this.#ctx, name);
      this.#units.set(name, unit);
    }
    return unit;
  }

  /** The application with this name (the same object for the same name). */
  getApp(name: string): Application {
    let app = this.#apps.get(name);
    if (app === undefined) {
      app = new Application(this.#ctx, name);
      this.#apps.set(name, app);
    }
    return app;
  }

  /**
   * The relation of an endpoint: the only one (`null` when none), or the one with `id`
   * (an inactive relation if Juju no longer lists it).
   *
   * @throws {TooManyRelatedAppsError} If several relations exist and no id is given.
   * @throws {UnknownNameError} If the endpoint is not in the metadata.
   */
  getRelation(name: string, id?: number): Relation | null {
    return this.relations.getUnique(name, id);
  }

  /**
   * The network binding of an endpoint or extra binding, or of a specific relation (then
   * `network-get -r <id>`, falling back to the endpoint when the relation is gone).
   */
  getBinding(key: string | Relation): Binding {
    const name = typeof key === 'string' ? key : key.name;
    const id = typeof key === 'string' ? undefined : key.id;
    const cacheKey = id === undefined ? name : `${name}:${id}`;
    let binding = this.#bindings.get(cacheKey);
    if (binding === undefined) {
      binding = new Binding(this.backend, name, id);
      this.#bindings.set(cacheKey, binding);
    }
    return binding;
  }

  /**
   * A secret by id and/or label; its content is fetched now (`secret-get`). With both, the
   * secret is looked up by id and the label is set for this charm.
   *
   * @throws {InvalidArgumentError} If neither id nor label is given.
   * @throws {SecretNotFoundError} If the secret does not exist.
   * @throws {ModelError} If this charm may not read it.
   */
  getSecret(query: { readonly id?: string; readonly label?: string }): Secret {
    if (!query.id && !query.label) {
      throw new InvalidArgumentError('Must provide an id or label, or both');
    }
    const id = query.id === undefined ? undefined : canonicalizeSecretId(query.id, this.uuid);
    const content = this.backend.secretGet({ id, label: query.label });
    return new Secret(
      this.backend,
      this.uuid,
      { id, label: query.label, content },
      this.#ctx.onSecretContent,
    );
  }

  /**
   * The cloud this model runs in, with credentials (`credential-get`; needs `juju trust`).
   *
   * @throws {ModelError} Without trust.
   */
  getCloudSpec(): CloudSpec {
    return this.backend.credentialGet();
  }

  /**
   * Close the Pebble connections of this unit's containers (open keep-alive sockets would
   * otherwise hold the process open). Call it when the dispatch is done; a container used
   * again afterwards reconnects.
   */
  async close(): Promise<void> {
    await this.unit.closeContainers();
  }

  /** @internal Shared state for objects built outside this module (containers). */
  get context(): ModelContext {
    return this.#ctx;
  }
}
