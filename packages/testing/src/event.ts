import type { BoundEvent, EventBase } from '@opsjs/core';
import type {
  Container as ModelContainer,
  Relation as ModelRelation,
  Secret as ModelSecret,
  Storage as ModelStorage,
} from '@opsjs/model';
import { StateValidationError } from './errors.js';
import type { CheckInfo, Container, Notice } from './state/container.js';
import type { Storage } from './state/misc.js';
import { DeferredEvent } from './state/misc.js';
import { checkJujuName } from './state/names.js';
import type { AnyRelation } from './state/relation.js';
import type { Secret } from './state/secret.js';

/** The family of a Juju event, which decides what the event carries. */
export type EventKind =
  | 'lifecycle'
  | 'relation'
  | 'storage'
  | 'workload'
  | 'secret'
  | 'action'
  | 'custom';

/** An action invocation: name, parameters and id. */
export interface ActionInvocation {
  /** Action name, as declared in metadata. */
  readonly name: string;
  /** Parameters as Juju would pass them (after defaults). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Action id (`JUJU_ACTION_UUID`). */
  readonly id: string;
}

let nextActionIdCounter = 1;

/**
 * An argument of a library's custom event as `ctx.on.custom` takes it: a model object the
 * event's constructor takes (relation, secret, container, storage) may also be given as the
 * state object, which the run turns into the charm's model object, as Scenario does.
 */
export type CustomEventArg<T> = T extends ModelRelation
  ? T | AnyRelation
  : T extends ModelSecret
    ? T | Secret
    : T extends ModelContainer
      ? T | Container
      : T extends ModelStorage
        ? T | Storage
        : T;

/** The arguments `ctx.on.custom(pick, ...args)` takes for an event class's emit arguments. */
export type CustomEventArgs<A extends unknown[]> = { [K in keyof A]: CustomEventArg<A[K]> };

/** @internal How a run finds a library's custom event on the charm, and its arguments. */
export interface CustomEventSelector {
  /** Returns the bound event on the charm under test. */
  readonly pick: (charm: unknown) => BoundEvent<EventBase, never>;
  /** The arguments as given (state objects not yet turned into model objects). */
  readonly args: readonly unknown[];
}

/** What one `ctx.on.<event>(...)` call produced: the event to run and its arguments. */
export interface ScenarioEventInit {
  /** Juju's name of the event: `config-changed`, `db-relation-joined`, or the action name. */
  readonly jujuName: string;
  /** Event family. */
  readonly kind: EventKind;
  /** The relation of a relation event. */
  readonly relation?: AnyRelation;
  /** Remote unit number of a relation event (`JUJU_REMOTE_UNIT`). */
  readonly remoteUnitId?: number;
  /** Departing unit number of a relation-departed event. */
  readonly departingUnitId?: number;
  /** The container of a workload event. */
  readonly container?: Container;
  /** The notice of a custom-notice event. */
  readonly notice?: Notice;
  /** The check of a check-failed/-recovered event. */
  readonly checkInfo?: CheckInfo;
  /** The storage of a storage event. */
  readonly storage?: Storage;
  /** The secret of a secret event. */
  readonly secret?: Secret;
  /** The revision of a secret-remove/-expired event. */
  readonly secretRevision?: number;
  /** The action of an action event. */
  readonly action?: ActionInvocation;
  /** For `ctx.on.custom(pick, ...args)`: how to find the library's event. @internal */
  readonly customEvent?: CustomEventSelector;
}

/**
 * One event for `Context.run` (Scenario's `_Event`), built by `ctx.on.<event>(...)`.
 * Immutable.
 */
export class ScenarioEvent implements ScenarioEventInit {
  readonly jujuName: string;
  readonly kind: EventKind;
  readonly relation?: AnyRelation;
  readonly remoteUnitId?: number;
  readonly departingUnitId?: number;
  readonly container?: Container;
  readonly notice?: Notice;
  readonly checkInfo?: CheckInfo;
  readonly storage?: Storage;
  readonly secret?: Secret;
  readonly secretRevision?: number;
  readonly action?: ActionInvocation;
  /** @internal */
  readonly customEvent?: CustomEventSelector;

  constructor(init: ScenarioEventInit) {
    Object.assign(this, init);
    this.jujuName = init.jujuName;
    this.kind = init.kind;
    Object.freeze(this);
  }

  /** The ops attribute name of the event, e.g. `db_relation_changed`, `backup_action`. */
  get name(): string {
    const base = this.jujuName.replaceAll('-', '_');
    return this.kind === 'action' ? `${base}_action` : base;
  }

  /** The metadata name the event is about (endpoint, container, storage, action), if any. */
  get jujuPrefix(): string | undefined {
    for (const suffix of SUFFIXES[this.kind] ?? []) {
      if (this.jujuName.endsWith(suffix)) return this.jujuName.slice(0, -suffix.length);
    }
    return this.kind === 'action' ? this.jujuName : undefined;
  }

  /**
   * A {@link DeferredEvent} for this event, as if an earlier dispatch had deferred it for the
   * charm's method `observer` (Scenario's `event.deferred(handler)`).
   *
   * @param observer - name of the observer method, e.g. `onConfigChanged`
   * @param options - `owner`: the observer object's handle path (default the charm class
   *   name `charmName`); `eventId`: the event's key (default 1).
   */
  deferred(
    observer: string,
    options: { owner: string; emitterPath?: string; eventId?: number },
  ): DeferredEvent {
    const emitter = options.emitterPath ?? `${options.owner}/on`;
    return new DeferredEvent({
      handlePath: `${emitter}/${this.name}[${options.eventId ?? 1}]`,
      owner: options.owner,
      observer,
      snapshotData: this.snapshot(),
    });
  }

  /** The snapshot ops stores for this event (juju-contract §3.3). */
  snapshot(): Record<string, unknown> {
    const snap: Record<string, unknown> = {};
    if (this.relation !== undefined) {
      const remoteApp = remoteAppName(this.relation);
      snap.relation_name = this.relation.endpoint;
      snap.relation_id = this.relation.id;
      if (remoteApp !== undefined) snap.app_name = remoteApp;
      if (this.remoteUnitId !== undefined && remoteApp !== undefined) {
        snap.unit_name = `${remoteApp}/${this.remoteUnitId}`;
      }
      if (this.departingUnitId !== undefined && remoteApp !== undefined) {
        snap.departing_unit = `${remoteApp}/${this.departingUnitId}`;
      }
    }
    if (this.storage !== undefined) {
      snap.storage_name = this.storage.name;
      snap.storage_index = this.storage.index;
    }
    if (this.container !== undefined) snap.container_name = this.container.name;
    if (this.notice !== undefined) {
      snap.notice_id = this.notice.id;
      snap.notice_type = this.notice.type;
      snap.notice_key = this.notice.key;
    }
    if (this.checkInfo !== undefined) snap.check_name = this.checkInfo.name;
    if (this.secret !== undefined) {
      snap.id = this.secret.id;
      snap.label = this.secret.label ?? null;
      if (this.secretRevision !== undefined) snap.revision = this.secretRevision;
    }
    if (this.action !== undefined) snap.id = this.action.id;
    return snap;
  }
}

const SUFFIXES: Partial<Record<EventKind, readonly string[]>> = {
  relation: [
    '-relation-created',
    '-relation-joined',
    '-relation-changed',
    '-relation-departed',
    '-relation-broken',
  ],
  storage: ['-storage-attached', '-storage-detaching'],
  workload: [
    '-pebble-ready',
    '-pebble-custom-notice',
    '-pebble-check-failed',
    '-pebble-check-recovered',
  ],
};

/** The remote application of a relation, `undefined` for a peer relation (own app). @internal */
export function remoteAppName(relation: AnyRelation): string | undefined {
  return relation.kind === 'peer' ? undefined : relation.remoteAppName;
}

const lifecycle = (jujuName: string) => new ScenarioEvent({ jujuName, kind: 'lifecycle' });

/** Options of relation event factories. */
export interface RelationEventOptions {
  /** Remote unit number (`JUJU_REMOTE_UNIT`); inferred when the relation has exactly one. */
  remoteUnit?: number;
}

/**
 * The event factories of a `Context` (Scenario's `ctx.on`): one method per Juju event,
 * taking the state objects the event is about. `C` is the charm's instance type, which
 * {@link EventFactories.custom} hands to its picker (`never` outside a `Context`: annotate
 * the picker's parameter then).
 *
 * @example
 * ```ts
 * const relation = new Relation({ endpoint: 'db' });
 * await ctx.run(ctx.on.relationChanged(relation, { remoteUnit: 0 }), new State({ relations: [relation] }));
 * ```
 */
export class EventFactories<C = never> {
  /** `install`. */
  install(): ScenarioEvent {
    return lifecycle('install');
  }
  /** `start`. */
  start(): ScenarioEvent {
    return lifecycle('start');
  }
  /** `stop`. */
  stop(): ScenarioEvent {
    return lifecycle('stop');
  }
  /** `remove`. */
  remove(): ScenarioEvent {
    return lifecycle('remove');
  }
  /** `update-status`. */
  updateStatus(): ScenarioEvent {
    return lifecycle('update-status');
  }
  /** `config-changed`. */
  configChanged(): ScenarioEvent {
    return lifecycle('config-changed');
  }
  /** `upgrade-charm`. */
  upgradeCharm(): ScenarioEvent {
    return lifecycle('upgrade-charm');
  }
  /** `pre-series-upgrade`. */
  preSeriesUpgrade(): ScenarioEvent {
    return lifecycle('pre-series-upgrade');
  }
  /** `post-series-upgrade`. */
  postSeriesUpgrade(): ScenarioEvent {
    return lifecycle('post-series-upgrade');
  }
  /** `leader-elected`. */
  leaderElected(): ScenarioEvent {
    return lifecycle('leader-elected');
  }
  /** `collect-app-status`, emitted as the dispatched event (collect-status then runs as usual). */
  collectAppStatus(): ScenarioEvent {
    return lifecycle('collect-app-status');
  }
  /** `collect-unit-status`, emitted as the dispatched event (collect-status then runs as usual). */
  collectUnitStatus(): ScenarioEvent {
    return lifecycle('collect-unit-status');
  }
  /** `leader-settings-changed` (deprecated in Juju, still dispatched to non-leaders). */
  leaderSettingsChanged(): ScenarioEvent {
    return lifecycle('leader-settings-changed');
  }

  /**
   * `secret-changed` (an observer's view of a new revision).
   * @throws {StateValidationError} for a secret this unit owns (its owner never gets it)
   */
  secretChanged(secret: Secret): ScenarioEvent {
    if (secret.owner !== undefined) {
      throw new StateValidationError(
        `secret-changed is never sent to the owner of secret ${secret.id}: pass a secret without an owner`,
      );
    }
    return new ScenarioEvent({ jujuName: 'secret-changed', kind: 'secret', secret });
  }
  /**
   * `secret-rotate` (owner).
   * @throws {StateValidationError} for a secret this unit does not own
   */
  secretRotate(secret: Secret): ScenarioEvent {
    ownerOnly('secret-rotate', secret);
    return new ScenarioEvent({ jujuName: 'secret-rotate', kind: 'secret', secret });
  }
  /**
   * `secret-expired` for `revision` (owner).
   * @throws {StateValidationError} for a secret this unit does not own
   */
  secretExpired(secret: Secret, options: { revision: number }): ScenarioEvent {
    ownerOnly('secret-expired', secret);
    return new ScenarioEvent({
      jujuName: 'secret-expired',
      kind: 'secret',
      secret,
      secretRevision: options.revision,
    });
  }
  /**
   * `secret-remove` for `revision` (owner).
   * @throws {StateValidationError} for a secret this unit does not own
   */
  secretRemove(secret: Secret, options: { revision: number }): ScenarioEvent {
    ownerOnly('secret-remove', secret);
    return new ScenarioEvent({
      jujuName: 'secret-remove',
      kind: 'secret',
      secret,
      secretRevision: options.revision,
    });
  }

  private relationEvent(
    suffix: string,
    relation: AnyRelation,
    remoteUnit: number | undefined,
    departingUnit?: number,
  ): ScenarioEvent {
    return new ScenarioEvent({
      jujuName: `${relation.endpoint}-relation-${suffix}`,
      kind: 'relation',
      relation,
      ...(remoteUnit === undefined ? {} : { remoteUnitId: remoteUnit }),
      ...(departingUnit === undefined ? {} : { departingUnitId: departingUnit }),
    });
  }

  /** `<endpoint>-relation-created`. */
  relationCreated(relation: AnyRelation): ScenarioEvent {
    return this.relationEvent('created', relation, undefined);
  }
  /** `<endpoint>-relation-joined`. */
  relationJoined(relation: AnyRelation, options: RelationEventOptions = {}): ScenarioEvent {
    return this.relationEvent('joined', relation, options.remoteUnit);
  }
  /** `<endpoint>-relation-changed`. */
  relationChanged(relation: AnyRelation, options: RelationEventOptions = {}): ScenarioEvent {
    return this.relationEvent('changed', relation, options.remoteUnit);
  }
  /** `<endpoint>-relation-departed`; `departingUnit` defaults to the remote unit. */
  relationDeparted(
    relation: AnyRelation,
    options: RelationEventOptions & { departingUnit?: number } = {},
  ): ScenarioEvent {
    return this.relationEvent('departed', relation, options.remoteUnit, options.departingUnit);
  }
  /** `<endpoint>-relation-broken`. */
  relationBroken(relation: AnyRelation): ScenarioEvent {
    return this.relationEvent('broken', relation, undefined);
  }

  /** `<storage>-storage-attached`. */
  storageAttached(storage: Storage): ScenarioEvent {
    return new ScenarioEvent({
      jujuName: `${storage.name}-storage-attached`,
      kind: 'storage',
      storage,
    });
  }
  /** `<storage>-storage-detaching`. */
  storageDetaching(storage: Storage): ScenarioEvent {
    return new ScenarioEvent({
      jujuName: `${storage.name}-storage-detaching`,
      kind: 'storage',
      storage,
    });
  }

  /** `<container>-pebble-ready`. */
  pebbleReady(container: Container): ScenarioEvent {
    return new ScenarioEvent({
      jujuName: `${container.name}-pebble-ready`,
      kind: 'workload',
      container,
    });
  }
  /** `<container>-pebble-custom-notice` for `notice`. */
  pebbleCustomNotice(container: Container, notice: Notice): ScenarioEvent {
    return new ScenarioEvent({
      jujuName: `${container.name}-pebble-custom-notice`,
      kind: 'workload',
      container,
      notice,
    });
  }
  /** `<container>-pebble-check-failed` for `info`. */
  pebbleCheckFailed(container: Container, info: CheckInfo): ScenarioEvent {
    return new ScenarioEvent({
      jujuName: `${container.name}-pebble-check-failed`,
      kind: 'workload',
      container,
      checkInfo: info,
    });
  }
  /** `<container>-pebble-check-recovered` for `info`. */
  pebbleCheckRecovered(container: Container, info: CheckInfo): ScenarioEvent {
    return new ScenarioEvent({
      jujuName: `${container.name}-pebble-check-recovered`,
      kind: 'workload',
      container,
      checkInfo: info,
    });
  }

  /**
   * The action `name` with `params`; `id` is allocated from a counter when omitted.
   * @throws {StateValidationError} for an action name Juju would refuse
   */
  action(name: string, params: Readonly<Record<string, unknown>> = {}, id?: string): ScenarioEvent {
    checkJujuName(name, 'action');
    return new ScenarioEvent({
      jujuName: name,
      kind: 'action',
      action: Object.freeze({
        name,
        params: structuredClone({ ...params }),
        id: id ?? String(nextActionIdCounter++),
      }),
    });
  }

  /**
   * A custom event, in one of two forms.
   *
   * `custom(name)` dispatches an event of the charm's own `on` by name, as
   * `juju-exec "JUJU_DISPATCH_PATH=hooks/<name> ./dispatch"` would (juju-contract §1.7).
   *
   * `custom(pick, ...args)` emits a charm library's event (Scenario's
   * `ctx.on.custom(Lib.on.ready, *args)`): `pick` gets the charm under test and returns the
   * bound event, e.g. `(charm) => charm.db.on.ready`, and `args` are the event class's
   * constructor arguments after the handle (type-checked against it). A relation, secret,
   * container or storage argument may be given as its state object: the run turns it into the
   * charm's model object. The event is emitted where the Juju event would be: after deferred
   * events are re-emitted, before collect-status; the run logs `Emitting Juju event <kind>.`.
   * As in Scenario, the event has no Juju hook context (`JUJU_DISPATCH_PATH` is `hooks/custom`
   * while the charm is built), and the run fails with {@link StateValidationError} if the
   * picked event is a Juju hook event (run that event with its own factory instead).
   *
   * @example
   * ```ts
   * await ctx.run(ctx.on.custom((charm) => charm.db.on.ready, 'postgresql://db'), state);
   * ```
   */
  custom(name: string): ScenarioEvent;
  custom<E extends EventBase, A extends unknown[]>(
    pick: (charm: C) => BoundEvent<E, A>,
    ...args: NoInfer<CustomEventArgs<A>>
  ): ScenarioEvent;
  custom(
    nameOrPick: string | ((charm: C) => BoundEvent<EventBase, never>),
    ...args: unknown[]
  ): ScenarioEvent {
    if (typeof nameOrPick === 'string') {
      return new ScenarioEvent({ jujuName: nameOrPick, kind: 'custom' });
    }
    const pick = nameOrPick;
    return new ScenarioEvent({
      jujuName: 'custom',
      kind: 'custom',
      customEvent: Object.freeze({
        // A Context calls this with the charm it built from its own class, a `C`.
        pick: (charm: unknown) => pick(charm as C),
        args: Object.freeze([...args]),
      }),
    });
  }
}

/** As Scenario's factories: Juju sends rotate/expired/remove only to the secret's owner. */
function ownerOnly(event: string, secret: Secret): void {
  if (secret.owner === undefined) {
    throw new StateValidationError(
      `${event} is sent only to the owner of secret ${secret.id}: set owner 'app' or 'unit'`,
    );
  }
}
