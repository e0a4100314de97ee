import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AnyCharm,
  type BoundEvent,
  type EventBase,
  HookEvent,
  logger,
  MemoryStateStore,
  runDispatch,
  type SelectedEvent,
} from '@opsjs/core';
import {
  type CharmMeta,
  HookToolBackend,
  JujuVersion,
  type ModelBackend,
  StatusBase,
} from '@opsjs/model';
import type { FakePebbleServer } from '@opsjs/pebble/fake';
import { type CharmSpecOptions, resolveMeta } from './charm-spec.js';
import type { CharmType } from './charm-type.js';
import { checkConsistency, skipConsistencyChecks } from './consistency-checker.js';
import { type ExecRecord, SimulatedContainer } from './container-sim.js';
import {
  ActionFailed,
  AlreadyEmittedError,
  ContextSetupError,
  NoObserverError,
  StateValidationError,
  UncaughtCharmError,
} from './errors.js';
import { type CustomEventSelector, EventFactories, type ScenarioEvent } from './event.js';
import { buildEventEnv, contextFromEventEnv } from './event-env.js';
import { MemoryBackend } from './memory-backend.js';
import { Container } from './state/container.js';
import { Storage } from './state/misc.js';
import { PeerRelation, Relation, SubordinateRelation } from './state/relation.js';
import { Secret } from './state/secret.js';
import type { State } from './state/state.js';
import { stateToStore, storeToState } from './state-store.js';
import { stateToWorld, worldToState } from './state-world.js';
import { World } from './world.js';
import { worldRunner } from './world-runner.js';

/** One `juju-log` record (Scenario's `JujuLogLine`). */
export interface JujuLogLine {
  /** Level name, e.g. `DEBUG`. */
  readonly level: string;
  /** The message. */
  readonly message: string;
}

/** An event the framework emitted during a run (Scenario's `ctx.emitted_events` entries). */
export interface EmittedEvent {
  /** The event kind, e.g. `config_changed`. */
  readonly name: string;
  /** The event's handle path, e.g. `MyCharm/on/config_changed[3]`. */
  readonly handlePath: string;
  /**
   * `juju` for the dispatched event, `deferred` for a re-emitted one, `framework` for
   * collect-status and commit events, `custom` for events the charm emitted itself.
   */
  readonly origin: 'juju' | 'deferred' | 'custom' | 'framework';
  /** The live event object, as the handlers received it. */
  readonly event: EventBase;
}

const FRAMEWORK_KINDS: readonly string[] = [
  'collect_app_status',
  'collect_unit_status',
  'pre_commit',
  'commit',
];

/** Options of a {@link Context}. */
export interface ContextOptions extends CharmSpecOptions {
  /** The simulated Juju version (default `3.6.14`, as Scenario). */
  jujuVersion?: string;
  /** Application name (default: the metadata's charm name). */
  appName?: string;
  /** Number of the unit under test (default 0). */
  unitId?: number;
  /** `JUJU_MACHINE_ID`. */
  machineId?: string;
  /** `JUJU_AVAILABILITY_ZONE`. */
  availabilityZone?: string;
  /** `JUJU_PRINCIPAL_UNIT`. */
  principalUnit?: string;
  /** Whether the app is trusted (`juju trust`): `credential-get` works only then. */
  appTrusted?: boolean;
  /** Also record re-emitted deferred events in `emittedEvents` (Scenario's `capture_deferred_events`). */
  captureDeferredEvents?: boolean;
  /** Also record collect-status and commit events (Scenario's `capture_framework_events`). */
  captureFrameworkEvents?: boolean;
  /**
   * The backend the charm's model runs on: `hook-tools` (default) runs `@opsjs/model`'s
   * production `HookToolBackend` with the hook tools simulated in-process (same argv, parsing
   * and error mapping as in production); `memory` uses {@link MemoryBackend} directly.
   */
  backend?: 'hook-tools' | 'memory';
}

/** Callbacks into a run, for {@link Manager}. @internal */
export interface RunHooks {
  /** Called with the live charm just before the Juju event is emitted. */
  beforeEmit?: (charm: unknown) => void;
  /** Called with the charm after the run, when it was built. */
  after?: (charm: unknown) => void;
}

/** What one `Context.run` produced besides the output state. */
export interface RunOutput {
  /** The output state. */
  readonly state: State;
  /** `juju-log` records of this run. */
  readonly jujuLog: readonly JujuLogLine[];
  /** Events emitted in this run. */
  readonly emittedEvents: readonly EmittedEvent[];
  /** Unit statuses before each `status-set` of this run. */
  readonly unitStatusHistory: readonly StatusBase[];
  /** App statuses before each `status-set --application` of this run. */
  readonly appStatusHistory: readonly StatusBase[];
  /** Workload versions before each `application-version-set` of this run. */
  readonly workloadVersionHistory: readonly string[];
  /** Action logs (action events only). */
  readonly actionLogs: readonly string[];
  /** Action results (action events only; `undefined` when none were set). */
  readonly actionResults: Readonly<Record<string, unknown>> | undefined;
  /** Failure message when the action called `fail()`. */
  readonly actionFailure: string | undefined;
  /** Secret revisions removed with `removeRevision`, by secret id. */
  readonly removedSecretRevisions: readonly number[];
  /** Storage requested with `storages.request` (name → count). */
  readonly requestedStorages: Readonly<Record<string, number>>;
  /** Execs the charm ran, per container. */
  readonly execHistory: Readonly<Record<string, readonly ExecRecord[]>>;
  /** Every hook-tool call, as argv. */
  readonly hookToolCalls: readonly (readonly string[])[];
  /** What the consistency checker found unlikely (but possible) about the input. */
  readonly consistencyWarnings: readonly string[];
}

function charmHandlePath(charmClass: CharmType): string {
  const kind: unknown = Reflect.get(charmClass, 'handleKind');
  return typeof kind === 'string' ? kind : charmClass.name;
}

/**
 * The simulated Juju environment of one charm for state-transition tests (Scenario's
 * `Context`): run one event against an immutable input {@link State} and get the output state.
 * The charm runs through `@opsjs/core`'s `runDispatch` (the code `main()` runs), with its
 * containers served by real fake-Pebble servers on unix sockets.
 *
 * Side effects that are not part of the state accumulate on the context over runs, as in
 * Scenario (`jujuLog`, `unitStatusHistory`, ...); {@link Context.runWithOutput} returns those
 * of one run.
 *
 * @example
 * ```ts
 * const ctx = new Context(MyCharm, { meta: CHARMCRAFT_YAML });
 * const out = await ctx.run(ctx.on.configChanged(), new State({ config: { port: 80 } }));
 * expect(out.unitStatus).toEqual(new ActiveStatus('port 80'));
 * ctx.close();
 * ```
 */
export class Context<C extends CharmType = CharmType> {
  /**
   * The event factories: `ctx.on.install()`, `ctx.on.relationChanged(rel)`, ...; `ctx.on.custom`
   * hands its picker this context's charm type.
   */
  readonly on = new EventFactories<InstanceType<C>>();
  /** The charm's metadata. */
  readonly meta: CharmMeta;
  /** The charm class under test. */
  readonly charmClass: C;
  /** Simulated Juju version. */
  readonly jujuVersion: string;
  /** Application name. */
  readonly appName: string;
  /** Unit number. */
  readonly unitId: number;
  /** All `juju-log` records, over every run. */
  readonly jujuLog: JujuLogLine[] = [];
  /** Every event emitted, over every run. */
  readonly emittedEvents: EmittedEvent[] = [];
  /** Unit statuses before each change, over every run. */
  readonly unitStatusHistory: StatusBase[] = [];
  /** App statuses before each change, over every run. */
  readonly appStatusHistory: StatusBase[] = [];
  /** Workload versions before each change, over every run. */
  readonly workloadVersionHistory: string[] = [];
  /** Logs of the last action run. */
  readonly actionLogs: string[] = [];
  /** Results of the last action run. */
  actionResults: Record<string, unknown> | undefined;
  /** Removed secret revisions, over every run. */
  readonly removedSecretRevisions: number[] = [];
  /** Requested storage, over every run. */
  readonly requestedStorages: Record<string, number> = {};
  /** Execs per container, over every run. */
  readonly execHistory: Record<string, ExecRecord[]> = {};
  readonly #options: ContextOptions;
  readonly #servers = new Map<string, FakePebbleServer>();
  readonly #version: JujuVersion;
  readonly #charmPath: string;
  #tempDir: string | undefined;

  /**
   * @param charmClass - the charm under test
   * @param options - metadata and simulated environment
   * @throws {MetadataNotFoundError} when no metadata is given or found
   * @throws {ContextSetupError} when the metadata is invalid
   */
  constructor(charmClass: C, options: ContextOptions = {}) {
    this.charmClass = charmClass;
    this.#options = options;
    this.meta = resolveMeta(options);
    this.jujuVersion = options.jujuVersion ?? '3.6.14';
    this.#version = new JujuVersion(this.jujuVersion);
    this.#charmPath = charmHandlePath(charmClass);
    this.appName = options.appName ?? this.meta.name;
    this.unitId = options.unitId ?? 0;
  }

  /** This context's temporary directory (container roots, storage, sockets). */
  get tempDir(): string {
    this.#tempDir ??= mkdtempSync(join(tmpdir(), 'opsjs-ctx-'));
    return this.#tempDir;
  }

  /** The directory standing for `/` of container `name` (Scenario's `container.get_filesystem(ctx)`). */
  containerRoot(name: string | Container): string {
    return join(this.tempDir, 'containers', typeof name === 'string' ? name : name.name);
  }

  /** The directory standing for the mount point of storage `name/index`. */
  storageRoot(name: string, index: number): string {
    return join(this.tempDir, 'storage', name, String(index));
  }

  /**
   * Runs `event` against `state` and returns the output state.
   *
   * @throws {InconsistentScenarioError} when the state and event are inconsistent
   * @throws {UncaughtCharmError} when the charm throws (the charm's error is the `cause`)
   * @throws {ActionFailed} when an action handler called `fail()` (with the output state)
   * @throws {NoObserverError} when the charm does not define the event
   */
  async run(event: ScenarioEvent, state: State): Promise<State> {
    return (await this.runWithOutput(event, state)).state;
  }

  /** Like {@link Context.run}, and also returns what happened in this run. */
  async runWithOutput(event: ScenarioEvent, state: State, hooks?: RunHooks): Promise<RunOutput> {
    const consistencyWarnings = !skipConsistencyChecks()
      ? checkConsistency({
          state,
          event,
          meta: this.meta,
          jujuVersion: this.jujuVersion,
          unitId: this.unitId,
        })
      : [];
    const unitName = `${this.appName}/${this.unitId}`;
    const charmDir = this.#options.charmRoot ?? this.tempDir;
    const data = stateToWorld(
      state,
      this.meta,
      { unitName, jujuVersion: this.jujuVersion },
      event,
      (name, index) => {
        const dir = this.storageRoot(name, index);
        mkdirSync(dir, { recursive: true });
        return dir;
      },
    );
    if (this.#options.appTrusted !== true) delete data.cloudSpec;
    const world = new World(data);
    const env = buildEventEnv(
      event,
      state,
      {
        appName: this.appName,
        unitId: this.unitId,
        jujuVersion: this.jujuVersion,
        machineId: this.#options.machineId,
        availabilityZone: this.#options.availabilityZone,
        principalUnit: this.#options.principalUnit,
      },
      charmDir,
    );
    const context = contextFromEventEnv(env, this.#version);
    const backend: ModelBackend =
      this.#options.backend === 'memory'
        ? new MemoryBackend(world)
        : new HookToolBackend({ context, runner: worldRunner(world), exit: () => {} });
    const charmPath = this.#charmPath;
    const store = new MemoryStateStore(stateToStore(state, charmPath));

    const jujuLog: JujuLogLine[] = [];
    const emitted: EmittedEvent[] = [];
    // The process-wide logger, as under main(): records a charm sends to core's `logger`
    // reach this run's juju-log too. The sink is removed when the run ends.
    const removeSink = logger.addSink((level, message) => backend.jujuLog(level, message));
    const eventKind = event.name;
    const custom =
      event.customEvent === undefined ? undefined : customEventPicker(event.customEvent);
    let jujuSeen = false;
    const isDispatched = (emittedEvent: EventBase): boolean =>
      custom === undefined
        ? emittedEvent.handle.kind === eventKind
        : custom.picked !== undefined &&
          emittedEvent.handle.kind === custom.picked.kind &&
          emittedEvent.handle.parent?.path === custom.picked.emitter.handle.path;
    const onEmit = (emittedEvent: EventBase, info: { readonly reemitted: boolean }): void => {
      const name = emittedEvent.handle.kind;
      let origin: EmittedEvent['origin'];
      if (info.reemitted) origin = 'deferred';
      else if (FRAMEWORK_KINDS.includes(name)) origin = 'framework';
      else if (!jujuSeen && isDispatched(emittedEvent)) {
        origin = 'juju';
        jujuSeen = true;
        hooks?.beforeEmit?.(emittedEvent.framework.objectAt(this.#charmPath));
      } else origin = 'custom';
      if (origin === 'deferred' && this.#options.captureDeferredEvents !== true) return;
      if (origin === 'framework' && this.#options.captureFrameworkEvents !== true) return;
      emitted.push({ name, handlePath: emittedEvent.handle.path, origin, event: emittedEvent });
    };

    const execHistory: Record<string, ExecRecord[]> = {};
    const sims = new Map<string, SimulatedContainer>();
    // A container that cannot connect has no listening server: its socket does not exist.
    // Servers are kept across runs of this context and reset for each run.
    const connectable = state.containers.filter((c) => c.canConnect);
    const socketDir = join(this.tempDir, 'sockets');
    let result: Awaited<ReturnType<typeof runDispatch>>;
    let output: State;
    try {
      for (const [name, server] of this.#servers) {
        if (!connectable.some((c) => c.name === name)) await server.setAvailable(false);
      }
      for (const container of state.containers) execHistory[container.name] = [];
      if (connectable.length > 0) mkdirSync(socketDir, { recursive: true });
      for (const container of connectable) {
        const history: ExecRecord[] = execHistory[container.name] ?? [];
        const pooled = this.#servers.get(container.name);
        const sim = await SimulatedContainer.start(container, {
          socketPath: join(socketDir, `${container.name}.socket`),
          root: this.containerRoot(container.name),
          execHistory: history,
          ...(pooled === undefined ? {} : { server: pooled }),
        });
        this.#servers.set(container.name, sim.server);
        sims.set(container.name, sim);
      }
      result = await runDispatch(this.charmClass, {
        context,
        meta: this.meta,
        backend,
        store,
        charmDir,
        logger,
        onEmit,
        modelOptions: { containerSocketPath: (name: string) => join(socketDir, `${name}.socket`) },
        ...(custom === undefined ? {} : { selectEvent: custom.select }),
      });
      const containers: Container[] = [];
      for (const container of state.containers) {
        const sim = sims.get(container.name);
        containers.push(sim === undefined ? container : sim.toState());
      }
      const stored = result.committed ? storeToState(store.committed) : undefined;
      output = worldToState(world.data, state, {
        containers,
        ...(stored === undefined ? {} : stored),
      });
    } finally {
      removeSink();
      // The servers stay up for the next run; close() stops them.
    }
    jujuLog.push(...world.data.jujuLog);
    const action = world.data.action;
    const removed = world.data.secrets.flatMap((s) => s.removedRevisions);
    const run: RunOutput = {
      state: output,
      jujuLog,
      emittedEvents: emitted,
      unitStatusHistory: world.data.unitStatusHistory.map((s) =>
        StatusBase.fromName(s.status, s.message),
      ),
      appStatusHistory: world.data.appStatusHistory.map((s) =>
        StatusBase.fromName(s.status, s.message),
      ),
      workloadVersionHistory: [...world.data.workloadVersionHistory],
      actionLogs: action?.logs ?? [],
      actionResults:
        action === undefined
          ? undefined
          : backend instanceof MemoryBackend
            ? backend.actionResults
            : unflatten(action.results),
      actionFailure: action?.failed === true ? (action.failureMessage ?? '') : undefined,
      removedSecretRevisions: removed,
      requestedStorages: { ...world.data.storageRequests },
      execHistory,
      hookToolCalls: world.data.calls,
      consistencyWarnings,
    };
    this.#record(run, event);
    if (result.charm !== undefined) hooks?.after?.(result.charm);

    if (custom?.hookEvent !== undefined) {
      // Scenario's ValueError from `ctx.on.custom()`; ours is known once the charm exists.
      throw new StateValidationError(
        `ctx.on.custom: ${custom.hookEvent} is a Juju hook event: run it with its own factory ` +
          '(e.g. ctx.on.relationChanged(relation)) instead of as a custom event',
      );
    }
    if (result.error !== undefined) {
      if (bareCharmErrors()) throw result.error;
      const err = result.error;
      const name = err instanceof Error ? err.name : typeof err;
      const message = err instanceof Error ? err.message : String(err);
      throw new UncaughtCharmError(`Uncaught ${name} in charm: ${message}`, { cause: err });
    }
    if (!result.emitted && result.abort === undefined) {
      throw new NoObserverError(
        `cannot run ${event.name} on ${this.charmClass.name}: the charm does not define this event`,
      );
    }
    if (run.actionFailure !== undefined) {
      throw new ActionFailed(
        run.actionFailure,
        { logs: run.actionLogs, results: run.actionResults ?? {} },
        output,
      );
    }
    return run;
  }

  /**
   * A manager for one run that gives access to the live charm (Scenario's
   * `with ctx(event, state) as mgr`): `beforeEmit` sees it just before the event is
   * emitted; `mgr.charm` is the same instance after `await mgr.run()`.
   */
  manager(
    event: ScenarioEvent,
    state: State,
    options: { beforeEmit?: (charm: InstanceType<C>) => void } = {},
  ): Manager<C> {
    return new Manager(this, event, state, options.beforeEmit);
  }

  #record(run: RunOutput, event: ScenarioEvent): void {
    this.jujuLog.push(...run.jujuLog);
    this.emittedEvents.push(...run.emittedEvents);
    this.unitStatusHistory.push(...run.unitStatusHistory);
    this.appStatusHistory.push(...run.appStatusHistory);
    this.workloadVersionHistory.push(...run.workloadVersionHistory);
    if (event.kind === 'action') {
      this.actionLogs.splice(0, this.actionLogs.length, ...run.actionLogs);
      // As Scenario: results stay unset until an action sets some; a later action that sets
      // none leaves them empty.
      const results = run.actionResults ?? {};
      if (Object.keys(results).length > 0) this.actionResults = { ...results };
      else if (this.actionResults !== undefined) this.actionResults = {};
    }
    this.removedSecretRevisions.push(...run.removedSecretRevisions);
    for (const [name, count] of Object.entries(run.requestedStorages)) {
      this.requestedStorages[name] = (this.requestedStorages[name] ?? 0) + count;
    }
    for (const [name, records] of Object.entries(run.execHistory)) {
      const list = this.execHistory[name] ?? [];
      list.push(...records);
      this.execHistory[name] = list;
    }
  }

  /**
   * Stops the fake Pebble servers (in the background) and removes the temporary directory
   * (container roots, storage).
   */
  close(): void {
    for (const server of this.#servers.values()) {
      server.close().catch(() => {
        // Already closed, or its socket went with the temporary directory: nothing to release.
      });
    }
    this.#servers.clear();
    if (this.#tempDir !== undefined) rmSync(this.#tempDir, { recursive: true, force: true });
    this.#tempDir = undefined;
  }
}

/** A run's view of `ctx.on.custom(pick, ...args)`: core's `selectEvent` and what it picked. */
interface CustomEventPicker {
  readonly select: (charm: AnyCharm) => SelectedEvent | undefined;
  /** The picked event, once the charm has been built. */
  readonly picked: BoundEvent<EventBase, never> | undefined;
  /** The picked event's description, when it is a Juju hook event (refused). */
  readonly hookEvent: string | undefined;
}

function customEventPicker(selector: CustomEventSelector): CustomEventPicker {
  const state: { picked?: BoundEvent<EventBase, never>; hookEvent?: string } = {};
  return {
    select: (charm) => {
      const bound = selector.pick(charm);
      const type = bound.eventType;
      if (type === HookEvent || type.prototype instanceof HookEvent) {
        state.hookEvent = `${type.name} (${bound.emitter.handle.path}/${bound.kind})`;
        return undefined;
      }
      state.picked = bound;
      return { event: bound, args: selector.args.map((arg) => toModelObject(charm, arg)) };
    },
    get picked() {
      return state.picked;
    },
    get hookEvent() {
      return state.hookEvent;
    },
  };
}

/**
 * A state object given to `ctx.on.custom` as the charm's model object (Scenario's
 * `_object_to_ops_object`); anything else as given.
 */
function toModelObject(charm: AnyCharm, arg: unknown): unknown {
  if (
    arg instanceof Relation ||
    arg instanceof PeerRelation ||
    arg instanceof SubordinateRelation
  ) {
    return charm.model.getRelation(arg.endpoint, arg.id);
  }
  if (arg instanceof Secret) {
    return charm.model.getSecret({
      id: arg.id,
      ...(arg.label === undefined ? {} : { label: arg.label }),
    });
  }
  if (arg instanceof Container) return charm.unit.getContainer(arg.name);
  if (arg instanceof Storage) {
    return charm.model.storages.get(arg.name).find((s) => s.index === arg.index) ?? arg;
  }
  return arg;
}

/** `a.b=1` → `{a: {b: '1'}}` (action results read back from `action-set` argv). */
function unflatten(flat: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
        node = next as Record<string, unknown>;
      } else {
        const created: Record<string, unknown> = {};
        node[part] = created;
        node = created;
      }
    }
    node[parts.at(-1) ?? key] = value;
  }
  return out;
}

/** One run with access to the live charm; see {@link Context.manager}. */
export class Manager<C extends CharmType = CharmType> {
  readonly #ctx: Context<C>;
  readonly #event: ScenarioEvent;
  readonly #state: State;
  readonly #beforeEmit: ((charm: InstanceType<C>) => void) | undefined;
  #charm: InstanceType<C> | undefined;
  #output: RunOutput | undefined;
  #ran = false;

  /** @internal */
  constructor(
    ctx: Context<C>,
    event: ScenarioEvent,
    state: State,
    beforeEmit: ((charm: InstanceType<C>) => void) | undefined,
  ) {
    this.#ctx = ctx;
    this.#event = event;
    this.#state = state;
    this.#beforeEmit = beforeEmit;
  }

  /** The charm of this run. @throws {ContextSetupError} before `run()` has built it */
  get charm(): InstanceType<C> {
    if (this.#charm === undefined) {
      throw new ContextSetupError('the charm exists only once run() has built it');
    }
    return this.#charm;
  }

  /** What the run produced. @throws {ContextSetupError} before `run()` */
  get output(): RunOutput {
    if (this.#output === undefined) throw new ContextSetupError('run() has not completed');
    return this.#output;
  }

  /**
   * Runs the event (once) and returns the output state.
   * @throws {AlreadyEmittedError} on a second call; otherwise as {@link Context.run}
   */
  async run(): Promise<State> {
    if (this.#ran) throw new AlreadyEmittedError('a Manager runs its event only once');
    this.#ran = true;
    const keep = (charm: unknown): void => {
      this.#charm = charm as InstanceType<C>;
    };
    this.#output = await this.#ctx.runWithOutput(this.#event, this.#state, {
      beforeEmit: (charm) => {
        keep(charm);
        if (this.#charm !== undefined) this.#beforeEmit?.(this.#charm);
      },
      after: keep,
    });
    return this.#output.state;
  }
}

/** As Scenario's `SCENARIO_BARE_CHARM_ERRORS`: `true` (any case) or a non-zero number. */
function bareCharmErrors(): boolean {
  const value = (process.env.OPSJS_BARE_CHARM_ERRORS ?? 'false').toLowerCase();
  return value === 'true' || (/^\d+$/.test(value) && Number(value) !== 0);
}
