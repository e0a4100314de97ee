import {
  type Application,
  BlockedStatus,
  type CharmMeta,
  type Relation,
  Secret,
  type StatusBase,
  statusPriority,
  type Unit,
} from '@opsjs/model';
import type { $ZodType } from 'zod/v4/core';
import {
  ActionEvent,
  CharmEvents,
  CollectMetricsEvent,
  collected,
  HookEvent,
  PebbleCheckFailedEvent,
  PebbleCheckRecoveredEvent,
  PebbleCustomNoticeEvent,
  PebbleReadyEvent,
  PostSeriesUpgradeEvent,
  PreSeriesUpgradeEvent,
  RelationBrokenEvent,
  RelationChangedEvent,
  RelationCreatedEvent,
  RelationDepartedEvent,
  RelationJoinedEvent,
  RemoveEvent,
  SecretExpiredEvent,
  SecretRemoveEvent,
  SecretRotateEvent,
  StopEvent,
  StorageAttachedEvent,
  StorageDetachingEvent,
} from './charm-events.js';
import {
  type BoundEvent,
  type EventBase,
  type EventDefinition,
  type EventType,
  type Framework,
  FrameworkObject,
  type Handler,
  isEventType,
  toCamelCase,
  withEvents,
} from './framework.js';
import type {
  AnyCharmMetadata,
  CharmMetadata,
  MetadataEvents,
  RelationName,
  TypedConfig,
} from './metadata-types.js';
import { type LoadOptions, loadWithSchema } from './typed-loading.js';

/**
 * Any charm, whatever its metadata type: what `runDispatch()`, `main()` and
 * `evaluateStatus()` accept. (`CharmBase<never>` has only the standard events, which every
 * charm has.)
 */
export type AnyCharm = CharmBase<never>;

/** `charm.on` for metadata `M`: the standard charm events plus those the metadata adds. */
export type CharmEventsFor<M> = CharmEvents & MetadataEvents<M>;

/**
 * Base class of a charm (ops `CharmBase`). Subclass it, register handlers in the
 * constructor, and pass the class to `main()`.
 *
 * The constructor adds events for the metadata's relations (`<name>RelationCreated`,
 * `…Joined`, `…Changed`, `…Departed`, `…Broken`), storage (`<name>StorageAttached`,
 * `…Detaching`), actions (`<name>Action`) and containers (`<name>PebbleReady`,
 * `…PebbleCustomNotice`, `…PebbleCheckFailed`, `…PebbleCheckRecovered`), with metadata names
 * in camelCase (`my-db` → `myDbRelationChanged`). Give the metadata's type as `M` to have
 * the compiler check those names, config keys and action parameters.
 *
 * @example
 * ```ts
 * class DemoCharm extends CharmBase<typeof meta> {
 *   constructor(framework: Framework) {
 *     super(framework);
 *     this.observe(this.on.configChanged, this.onConfigChanged);
 *   }
 *   onConfigChanged(_event: ConfigChangedEvent): void {
 *     this.unit.status = new ActiveStatus(`port ${this.config.get('port')}`);
 *   }
 * }
 * await main(DemoCharm);
 * ```
 */
export class CharmBase<M extends CharmMetadata = AnyCharmMetadata> extends FrameworkObject {
  /** The charm's events. */
  readonly on: CharmEventsFor<M>;

  /** @param framework - the framework `main()` (or a test harness) built */
  constructor(framework: Framework) {
    super(framework, null);
    const on = new (charmEventsClass(framework.meta))(this);
    this.on = on as CharmEventsFor<M>;
  }

  /** This unit's application. */
  get app(): Application {
    return this.model.app;
  }

  /** This unit. */
  get unit(): Unit {
    return this.model.unit;
  }

  /** The charm's metadata. */
  get meta(): CharmMeta {
    return this.framework.meta;
  }

  /** The directory the charm runs from. */
  get charmDir(): string {
    return this.framework.charmDir;
  }

  /** The charm config (read with `config-get` on first use), typed by `M`. */
  get config(): TypedConfig<M> {
    // ConfigData implements get/has/size/iteration; `M` only narrows the key and value types.
    return this.model.config as unknown as TypedConfig<M>;
  }

  /**
   * The relation of endpoint `name`: the only one (null when none), or the one with `id`.
   *
   * @throws {TooManyRelatedAppsError} when several relations exist and no id is given
   */
  getRelation(name: RelationName<M>, id?: number): Relation | null {
    return this.model.getRelation(name, id);
  }

  /**
   * Validate the config with a zod schema (ops `load_config`): any zod v4 schema, from
   * `zod/mini` (cheapest to load) or classic `zod`; issue messages are English unless the
   * charm configured a zod locale or error map. Option names are converted
   * to camelCase (`server-port` → `serverPort`); `secret` options become (lazy) `Secret`
   * objects. With `errors: 'blocked'`, invalid config sets the unit to
   * `BlockedStatus('Invalid config: <issues>')` and ends the dispatch with exit code 0
   * without committing.
   *
   * @example
   * ```ts
   * import { int, minimum, object } from 'zod/mini';
   * const Config = object({ serverPort: int().check(minimum(1)) });
   * const config = this.loadConfig(Config, { errors: 'blocked' });
   * ```
   * @throws {LoadError} with `errors: 'raise'` (the default) when validation fails
   * @throws {DispatchAbort} with `errors: 'blocked'` when validation fails
   */
  loadConfig<T>(schema: $ZodType<T>, options: LoadOptions<'raise' | 'blocked'> = {}): T {
    const raw: Record<string, unknown> = {};
    const model = this.model;
    for (const [key, value] of model.config) {
      raw[key] =
        this.meta.config[key]?.type === 'secret' && typeof value === 'string'
          ? new Secret(model.backend, model.uuid, { id: value })
          : value;
    }
    return loadWithSchema(schema, raw, 'config', options, (message) => {
      this.unit.status = new BlockedStatus(`Invalid config: ${message}`);
    });
  }

  /**
   * Observe, with one method, every Juju event that can change the charm's desired state
   * (the reconciler or "holistic" style, canonical/operator#1108): every hook event on
   * `this.on` except `stop`, `remove`, `secret-rotate`, `secret-remove`, `secret-expired`,
   * the deprecated `collect-metrics` and series-upgrade events, actions and the framework's
   * own events, which need dedicated handlers. Events added to the metadata later are picked
   * up without code changes.
   *
   * @param handler - a method of this charm
   * @returns the kinds observed, e.g. `['install', …, 'db_relation_changed']`
   * @throws {ObserveError} when `handler` is not a method of this charm
   */
  observeReconcile(handler: Handler<HookEvent>): string[] {
    const kinds: string[] = [];
    for (const [kind, bound] of this.on.events()) {
      if (!isEventType(bound.eventType, HookEvent)) continue;
      if (RECONCILE_EXCLUDED.some((type) => isEventType(bound.eventType, type))) continue;
      // Checked above: the event class extends HookEvent.
      this.framework.observe(bound as unknown as BoundEvent<HookEvent, never[]>, this, handler);
      kinds.push(kind);
    }
    return kinds;
  }
}

const EVENT_CLASSES = new WeakMap<CharmMeta, typeof CharmEvents>();

/**
 * `CharmEvents` plus the events of `meta`, as a class built once per metadata object: a charm
 * constructed many times (a test harness) pays for its events once.
 */
function charmEventsClass(meta: CharmMeta): typeof CharmEvents {
  let cls = EVENT_CLASSES.get(meta);
  if (cls !== undefined) return cls;
  const defs: EventDefinition[] = [];
  const add = (name: string, suffix: string, type: EventType<EventBase, never[]>): void => {
    const kind = `${name.replaceAll('-', '_')}_${suffix}`;
    defs.push({ name: toCamelCase(kind), type, kind });
  };
  for (const name of Object.keys(meta.relations)) {
    add(name, 'relation_created', RelationCreatedEvent);
    add(name, 'relation_joined', RelationJoinedEvent);
    add(name, 'relation_changed', RelationChangedEvent);
    add(name, 'relation_departed', RelationDepartedEvent);
    add(name, 'relation_broken', RelationBrokenEvent);
  }
  for (const name of Object.keys(meta.storages)) {
    add(name, 'storage_attached', StorageAttachedEvent);
    add(name, 'storage_detaching', StorageDetachingEvent);
  }
  for (const name of Object.keys(meta.actions)) add(name, 'action', ActionEvent);
  for (const name of Object.keys(meta.containers)) {
    add(name, 'pebble_ready', PebbleReadyEvent);
    add(name, 'pebble_custom_notice', PebbleCustomNoticeEvent);
    add(name, 'pebble_check_failed', PebbleCheckFailedEvent);
    add(name, 'pebble_check_recovered', PebbleCheckRecoveredEvent);
  }
  cls = withEvents(CharmEvents, defs);
  EVENT_CLASSES.set(meta, cls);
  return cls;
}

const RECONCILE_EXCLUDED = [
  StopEvent,
  RemoveEvent,
  SecretRotateEvent,
  SecretRemoveEvent,
  SecretExpiredEvent,
  CollectMetricsEvent,
  PreSeriesUpgradeEvent,
  PostSeriesUpgradeEvent,
] as const;

/**
 * Run collect-status (ops `_evaluate_status`): on the leader (`is-leader`) emit
 * `collectAppStatus` and set the app status to the highest-priority status added, then emit
 * `collectUnitStatus` and do the same for the unit. Nothing is set when nothing was added.
 * `runDispatch()` calls this after the Juju event; test harnesses may call it directly.
 */
export async function evaluateStatus(charm: AnyCharm): Promise<void> {
  const model = charm.model;
  const appStatuses = collected(model, 'app');
  const unitStatuses = collected(model, 'unit');
  appStatuses.length = 0;
  unitStatuses.length = 0;
  if (model.backend.isLeader()) {
    await charm.on.collectAppStatus.emit();
    const winner = highestPriority(appStatuses);
    if (winner !== undefined) model.app.status = winner;
  }
  await charm.on.collectUnitStatus.emit();
  const winner = highestPriority(unitStatuses);
  if (winner !== undefined) model.unit.status = winner;
}

/** The status with the highest priority; the first one added wins ties. */
export function highestPriority(statuses: readonly StatusBase[]): StatusBase | undefined {
  let best: StatusBase | undefined;
  for (const status of statuses) {
    if (best === undefined || statusPriority(status) > statusPriority(best)) best = status;
  }
  return best;
}
