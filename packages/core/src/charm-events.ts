import {
  type Application,
  type Container,
  InvalidStatusError,
  isSettableStatusName,
  type Relation,
  Secret,
  type StatusBase,
  type Storage,
  type Unit,
} from '@opsjs/model';
import type { $ZodType } from 'zod/v4/core';
import { DeferError, FrameworkError } from './errors.js';
import { EventBase, LifecycleEvent, ObjectEvents } from './framework.js';
import type { Handle } from './handle.js';
import { pyStrRepr } from './py-repr.js';
import type { SnapshotData } from './storage/state-store.js';
import { type LoadOptions, loadWithSchema } from './typed-loading.js';

/**
 * Events Juju dispatches as hooks (everything but actions). ops `HookEvent`.
 */
export class HookEvent extends EventBase {
  /** Marks events Juju dispatches (the `hook` breakpoint stops before their handlers). */
  static readonly jujuEvent = true;
  declare protected readonly __hookEvent: undefined;
}

/** A charm's first hook. */
export class InstallEvent extends HookEvent {
  declare protected readonly __installEvent: undefined;
}

/** Runs once after the first `config-changed`, and after restarts on some substrates. */
export class StartEvent extends HookEvent {
  declare protected readonly __startEvent: undefined;
}

/** The unit is being shut down; cannot be deferred. */
export class StopEvent extends HookEvent {
  declare protected readonly __stopEvent: undefined;
  /** @throws {DeferError} always */
  override defer(): never {
    throw new DeferError('stop events', this.handle.path);
  }
}

/** The unit's last hook before removal; cannot be deferred. */
export class RemoveEvent extends HookEvent {
  declare protected readonly __removeEvent: undefined;
  /** @throws {DeferError} always */
  override defer(): never {
    throw new DeferError('remove events', this.handle.path);
  }
}

/** Config changed, or the agent restarted, the IP changed or `juju trust` ran; carries no diff. */
export class ConfigChangedEvent extends HookEvent {
  declare protected readonly __configChangedEvent: undefined;
}

/** Periodic hook (model config `update-status-hook-interval`). */
export class UpdateStatusEvent extends HookEvent {
  declare protected readonly __updateStatusEvent: undefined;
}

/** Runs in the new charm code after `juju refresh`. */
export class UpgradeCharmEvent extends HookEvent {
  declare protected readonly __upgradeCharmEvent: undefined;
}

/** Machine series upgrade is about to start (removed in Juju 4). */
export class PreSeriesUpgradeEvent extends HookEvent {
  declare protected readonly __preSeriesUpgradeEvent: undefined;
}

/** Machine series upgrade finished (removed in Juju 4). */
export class PostSeriesUpgradeEvent extends HookEvent {
  declare protected readonly __postSeriesUpgradeEvent: undefined;
}

/** This unit became the leader. */
export class LeaderElectedEvent extends HookEvent {
  declare protected readonly __leaderElectedEvent: undefined;
}

/** Legacy leader-settings hook (deprecated in ops; use peer relation data). */
export class LeaderSettingsChangedEvent extends HookEvent {
  declare protected readonly __leaderSettingsChangedEvent: undefined;
}

/** Legacy metrics hook, run in a restricted context; Juju stopped emitting it in 3.6.11. */
export class CollectMetricsEvent extends HookEvent {
  declare protected readonly __collectMetricsEvent: undefined;
}

/**
 * Base of relation events: `relation`, the remote `app` and the remote `unit` (null for
 * `-created`, `-broken` and application-data `-changed`).
 */
export class RelationEvent extends HookEvent {
  /** The relation. */
  relation: Relation;
  /** The remote application (the own application for peer relations); null on very old Juju. */
  app: Application | null;
  /** The remote unit, or null. */
  unit: Unit | null;

  /**
   * @throws {FrameworkError} when `unit` does not belong to `app`
   */
  constructor(
    handle: Handle,
    relation: Relation,
    app: Application | null = null,
    unit: Unit | null = null,
  ) {
    super(handle);
    if (unit !== null && unit.app !== app) {
      throw new FrameworkError(
        `cannot create ${new.target.name} with application ${app?.name ?? null} and unit ${unit.name}`,
      );
    }
    this.relation = relation;
    this.app = app;
    this.unit = unit;
  }

  override snapshot(): SnapshotData {
    const data: Record<string, string | number> = {
      relation_name: this.relation.name,
      relation_id: this.relation.id,
    };
    if (this.app !== null) data.app_name = this.app.name;
    if (this.unit !== null) data.unit_name = this.unit.name;
    return data;
  }

  /** @throws {FrameworkError} when the relation cannot be found any more */
  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    const model = this.framework.model;
    const name = String(snapshot.relation_name);
    const id = Number(snapshot.relation_id);
    const relation = model.getRelation(name, id);
    if (relation === null) {
      throw new FrameworkError(`Unable to restore ${this}: relation ${name} (id=${id}) not found.`);
    }
    this.relation = relation;
    this.app = typeof snapshot.app_name === 'string' ? model.getApp(snapshot.app_name) : null;
    if (this.app === null) {
      this.framework.logger.warning("'app_name' expected in snapshot but not found.");
    }
    this.unit = typeof snapshot.unit_name === 'string' ? model.getUnit(snapshot.unit_name) : null;
  }

  /** ops' repr: `<Class app='a' unit='a/0' on <ops.model.Relation db:1> via path>`. */
  override toString(): string {
    const app = this.app === null ? 'None' : `'${this.app.name}'`;
    const unit = this.unit === null ? 'None' : `'${this.unit.name}'`;
    // ops formats the relation with its repr: <ops.model.Relation db:1>.
    const relation = `<ops.model.Relation ${this.relation.name}:${this.relation.id}>`;
    return `<${this.constructor.name} app=${app} unit=${unit} on ${relation} via ${this.handle.path}>`;
  }
}

/** A new relation exists (before any remote unit joined). */
export class RelationCreatedEvent extends RelationEvent {
  declare protected readonly __relationCreatedEvent: undefined;
}

/** A remote unit joined the relation. */
export class RelationJoinedEvent extends RelationEvent {
  declare protected readonly __relationJoinedEvent: undefined;
}

/** A remote unit's or the remote app's databag changed (`unit` is null for the app's). */
export class RelationChangedEvent extends RelationEvent {
  declare protected readonly __relationChangedEvent: undefined;
}

/** A unit left the relation; `departingUnit` says which (it may be this unit). */
export class RelationDepartedEvent extends RelationEvent {
  /** The name of the unit leaving, from `JUJU_DEPARTING_UNIT`. */
  departingUnitName: string | null;

  constructor(
    handle: Handle,
    relation: Relation,
    app: Application | null = null,
    unit: Unit | null = null,
    departingUnitName: string | null = null,
  ) {
    super(handle, relation, app, unit);
    this.departingUnitName = departingUnitName;
  }

  /** The unit leaving the relation, or null when Juju did not say. */
  get departingUnit(): Unit | null {
    return this.departingUnitName === null
      ? null
      : this.framework.model.getUnit(this.departingUnitName);
  }

  override snapshot(): SnapshotData {
    const data = { ...super.snapshot() };
    if (this.departingUnitName !== null) data.departing_unit = this.departingUnitName;
    return data;
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.departingUnitName =
      typeof snapshot.departing_unit === 'string' ? snapshot.departing_unit : null;
  }
}

/** The relation is gone; `relation.active` is false and it is left out of `model.relations`. */
export class RelationBrokenEvent extends RelationEvent {
  declare protected readonly __relationBrokenEvent: undefined;
}

/** Base of storage events: `storage` (name, index, location). */
export class StorageEvent extends HookEvent {
  /** The storage instance. */
  storage: Storage;

  constructor(handle: Handle, storage: Storage) {
    super(handle);
    this.storage = storage;
  }

  override snapshot(): SnapshotData {
    return {
      storage_name: this.storage.name,
      storage_index: this.storage.index,
      storage_location: this.storage.location,
    };
  }

  /** @throws {FrameworkError} when that storage instance no longer exists */
  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    const name = String(snapshot.storage_name);
    const index = Number(snapshot.storage_index);
    const storage = this.framework.model.storages.get(name).find((s) => s.index === index);
    if (storage === undefined) {
      throw new FrameworkError(
        `failed loading storage (name=${name}, index=${index}) from snapshot: no such storage`,
      );
    }
    if (typeof snapshot.storage_location === 'string') {
      storage.location = snapshot.storage_location;
    }
    this.storage = storage;
  }

  override toString(): string {
    return `<${this.constructor.name} on ${this.storage.name}/${this.storage.index} via ${this.handle.path}>`;
  }
}

/** A storage instance was attached (before `install` on machines). */
export class StorageAttachedEvent extends StorageEvent {
  declare protected readonly __storageAttachedEvent: undefined;
}

/** A storage instance is about to be detached. */
export class StorageDetachingEvent extends StorageEvent {
  declare protected readonly __storageDetachingEvent: undefined;
}

/** Base of Pebble (workload container) events: `workload`, the container. */
export class WorkloadEvent extends HookEvent {
  /** The workload container. */
  workload: Container;

  constructor(handle: Handle, workload: Container) {
    super(handle);
    this.workload = workload;
  }

  override snapshot(): SnapshotData {
    return { container_name: this.workload.name };
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.workload = this.framework.model.unit.getContainer(String(snapshot.container_name));
  }

  override toString(): string {
    return `<${this.constructor.name} on ${this.workload.name} via ${this.handle.path}>`;
  }
}

/** Pebble in the workload container is up (again). */
export class PebbleReadyEvent extends WorkloadEvent {
  declare protected readonly __pebbleReadyEvent: undefined;
}

/** The identity of the Pebble notice an event is about. */
export interface NoticeRef {
  /** The notice id. */
  readonly id: string;
  /** The notice type, e.g. `custom`. */
  readonly type: string;
  /** The notice key, e.g. `example.com/db-ready`. */
  readonly key: string;
}

/** Base of Pebble notice events: `notice` (id, type, key). */
export class PebbleNoticeEvent extends WorkloadEvent {
  /** The notice; fetch its details with `workload.getNotice(notice.id)`. */
  notice: NoticeRef;

  constructor(handle: Handle, workload: Container, id: string, type: string, key: string) {
    super(handle, workload);
    this.notice = { id, type, key };
  }

  override snapshot(): SnapshotData {
    return {
      ...super.snapshot(),
      notice_id: this.notice.id,
      notice_type: this.notice.type,
      notice_key: this.notice.key,
    };
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.notice = {
      id: String(snapshot.notice_id),
      type: String(snapshot.notice_type),
      key: String(snapshot.notice_key),
    };
  }
}

/** A Pebble notice of type `custom` occurred or repeated (Juju 3.4+). */
export class PebbleCustomNoticeEvent extends PebbleNoticeEvent {
  declare protected readonly __pebbleCustomNoticeEvent: undefined;
}

/** Base of Pebble check events: `info.name`, the check. */
export class PebbleCheckEvent extends WorkloadEvent {
  /** The check; fetch its state with `workload.getChecks()`. */
  info: { readonly name: string };

  constructor(handle: Handle, workload: Container, checkName: string) {
    super(handle, workload);
    this.info = { name: checkName };
  }

  override snapshot(): SnapshotData {
    return { ...super.snapshot(), check_name: this.info.name };
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.info = { name: String(snapshot.check_name) };
  }
}

/** A Pebble check reached its failure threshold (Juju 3.6+). */
export class PebbleCheckFailedEvent extends PebbleCheckEvent {
  declare protected readonly __pebbleCheckFailedEvent: undefined;
}

/** A failed Pebble check passes again (Juju 3.6+). */
export class PebbleCheckRecoveredEvent extends PebbleCheckEvent {
  declare protected readonly __pebbleCheckRecoveredEvent: undefined;
}

/** Base of secret events: `secret`, built from id and label without fetching content. */
export class SecretEvent extends HookEvent {
  // Plain (not #private) fields: restored events are created without running constructors.
  private secretId: string;
  private secretLabel: string | null;
  private cachedSecret: Secret | undefined;

  constructor(handle: Handle, id: string, label: string | null = null) {
    super(handle);
    this.secretId = id;
    this.secretLabel = label;
  }

  /** The secret; its content is fetched only when asked for. */
  get secret(): Secret {
    if (this.cachedSecret === undefined) {
      const model = this.framework.model;
      this.cachedSecret = new Secret(model.backend, model.uuid, {
        id: this.secretId,
        label: this.secretLabel ?? undefined,
      });
    }
    return this.cachedSecret;
  }

  override snapshot(): SnapshotData {
    return { id: this.secretId, label: this.secretLabel };
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.secretId = String(snapshot.id);
    this.secretLabel = typeof snapshot.label === 'string' ? snapshot.label : null;
    this.cachedSecret = undefined;
  }
}

/** The owner published a new revision of a secret this charm observes. */
export class SecretChangedEvent extends SecretEvent {
  declare protected readonly __secretChangedEvent: undefined;
}

/** A secret's rotation is due (owner); cannot be deferred. */
export class SecretRotateEvent extends SecretEvent {
  declare protected readonly __secretRotateEvent: undefined;
  /** @throws {DeferError} always */
  override defer(): never {
    throw new DeferError('secret rotation events', this.handle.path);
  }
}

/** A secret event about one revision (`revision`). */
export class SecretRevisionEvent extends SecretEvent {
  /** The revision concerned. */
  revision: number;

  constructor(handle: Handle, id: string, label: string | null, revision: number) {
    super(handle, id, label);
    this.revision = revision;
  }

  /** Remove this revision (`secret-remove <id> --revision <n>`). */
  removeRevision(): void {
    this.secret.removeRevision(this.revision);
  }

  override snapshot(): SnapshotData {
    return { ...super.snapshot(), revision: this.revision };
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.revision = Number(snapshot.revision);
  }
}

/** A secret revision is no longer tracked by anyone (owner): remove it. */
export class SecretRemoveEvent extends SecretRevisionEvent {
  declare protected readonly __secretRemoveEvent: undefined;
}

/** A secret revision expired (owner); cannot be deferred. */
export class SecretExpiredEvent extends SecretRevisionEvent {
  declare protected readonly __secretExpiredEvent: undefined;
  /** @throws {DeferError} always */
  override defer(): never {
    throw new DeferError('secret expiration events', this.handle.path);
  }
}

/**
 * An action run by `juju run`: `id`, `params` (from `action-get`), `setResults`, `log`,
 * `fail`, `loadParams`. Cannot be deferred. `P` is the parameter type when the metadata is
 * typed.
 */
export class ActionEvent<P extends object = Record<string, unknown>> extends EventBase {
  /** Marks events Juju dispatches (the `hook` breakpoint stops before their handlers). */
  static readonly jujuEvent = true;
  /** The action id (`JUJU_ACTION_UUID`). */
  id: string;
  /** The parameters, read with `action-get` when the event is delivered. */
  params: P;

  constructor(handle: Handle, id: string) {
    super(handle);
    this.id = id;
    // Filled from action-get when the event is delivered (restore()).
    this.params = {} as P;
  }

  /** @throws {DeferError} always */
  override defer(): never {
    throw new DeferError('action events', this.handle.path);
  }

  override snapshot(): SnapshotData {
    return { id: this.id };
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.id = String(snapshot.id);
    // Juju validated the parameters against the action's schema in actions.yaml before
    // running the action, and the backend parsed action-get's output as a JSON object: `P`
    // is that schema's type. Use loadParams() to validate further.
    this.params = this.framework.model.backend.actionGet() as P;
  }

  /**
   * Report results; nested objects are flattened to dotted keys (`{a: {b: 1}}` → `a.b=1`).
   */
  setResults(results: Readonly<Record<string, unknown>>): void {
    this.framework.model.backend.actionSet(results);
  }

  /** Send a progress message the user sees while the action runs. */
  log(message: string): void {
    this.framework.model.backend.actionLog(message);
  }

  /** Mark the action failed (the process still exits 0). */
  fail(message = ''): void {
    this.framework.model.backend.actionFail(message);
  }

  /**
   * Validate the parameters with a zod schema (classic `zod` or `zod/mini`, as
   * `CharmBase.loadConfig`); names are converted from `kebab-case` to
   * `camelCase` first. With `errors: 'fail'` invalid parameters fail the action with
   * `Error in action parameters: <issues>` and end the dispatch with exit code 0.
   *
   * @throws {LoadError} with `errors: 'raise'` (the default) when validation fails
   * @throws {DispatchAbort} with `errors: 'fail'` when validation fails
   */
  loadParams<T>(schema: $ZodType<T>, options: LoadOptions<'raise' | 'fail'> = {}): T {
    return loadWithSchema(
      schema,
      Object.fromEntries(Object.entries(this.params)),
      'action parameters',
      options,
      (message) => {
        this.fail(`Error in action parameters: ${message}`);
      },
    );
  }

  /** ops' repr: `<Class self.id='<id>' via path>`. */
  override toString(): string {
    return `<${this.constructor.name} self.id='${this.id}' via ${this.handle.path}>`;
  }
}

/**
 * Emitted at the end of every dispatch (`collectAppStatus` on the leader, then
 * `collectUnitStatus`): handlers add candidate statuses and the framework sets the
 * highest-priority one (blocked > maintenance > waiting > active; ties go to the first added).
 */
export class CollectStatusEvent extends LifecycleEvent {
  declare protected readonly __collectStatusEvent: undefined;

  /**
   * Add a candidate status.
   *
   * @throws {InvalidStatusError} for `error` and `unknown`, which a charm cannot set
   */
  addStatus(status: StatusBase): void {
    if (!isSettableStatusName(status.name)) {
      throw new InvalidStatusError(
        `status.name must be in ('active', 'blocked', 'maintenance', 'waiting'), not ${pyStrRepr(status.name)}`,
      );
    }
    const kind = this.handle.kind;
    const list = collected(this.framework.model, kind === 'collect_app_status' ? 'app' : 'unit');
    if (status.name !== 'active') {
      this.framework.logger.debug(
        // ops logs the status' repr: BlockedStatus('need db').
        `Adding ${kind === 'collect_app_status' ? 'app' : 'unit'} status ${statusClassName(status.name)}(${pyStrRepr(status.message)})`,
      );
    }
    list.push(status);
  }
}

const COLLECTED = new WeakMap<object, { app: StatusBase[]; unit: StatusBase[] }>();

/** @internal the statuses collected so far for the app or the unit of `model` */
export function collected(model: object, which: 'app' | 'unit'): StatusBase[] {
  let entry = COLLECTED.get(model);
  if (entry === undefined) {
    entry = { app: [], unit: [] };
    COLLECTED.set(model, entry);
  }
  return entry[which];
}

/**
 * The events every charm has (ops `CharmEvents`); `CharmBase` adds the relation, storage,
 * action and container events of its metadata.
 */
export class CharmEvents extends ObjectEvents.define({
  install: InstallEvent,
  start: StartEvent,
  stop: StopEvent,
  remove: RemoveEvent,
  updateStatus: UpdateStatusEvent,
  configChanged: ConfigChangedEvent,
  upgradeCharm: UpgradeCharmEvent,
  preSeriesUpgrade: PreSeriesUpgradeEvent,
  postSeriesUpgrade: PostSeriesUpgradeEvent,
  leaderElected: LeaderElectedEvent,
  leaderSettingsChanged: LeaderSettingsChangedEvent,
  collectMetrics: CollectMetricsEvent,
  secretChanged: SecretChangedEvent,
  secretExpired: SecretExpiredEvent,
  secretRotate: SecretRotateEvent,
  secretRemove: SecretRemoveEvent,
  collectAppStatus: CollectStatusEvent,
  collectUnitStatus: CollectStatusEvent,
}) {}

/** `blocked` → `BlockedStatus` (ops' class name, independent of bundler renaming). */
function statusClassName(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}Status`;
}
