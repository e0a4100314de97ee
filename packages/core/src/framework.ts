import type { CharmMeta, Model } from '@opsjs/model';
import { pauseInInspector } from './breakpoint.js';
import {
  BreakpointError,
  DeferError,
  DuplicateHandleError,
  FrameworkError,
  NoTypeError,
  ObserveError,
  StateStoreError,
} from './errors.js';
import { Handle } from './handle.js';
import { logger as defaultLogger, type Logger } from './logger.js';
import { validateSnapshot } from './snapshot.js';
import type { SnapshotData, StateStore } from './storage/state-store.js';

/** A handler for events of type `E`; it may be async (the framework awaits it). */
export type Handler<E> = (event: E) => unknown;

/** An event class whose constructor takes the handle and then the emit arguments `A`. */
export type EventType<
  E extends EventBase = EventBase,
  A extends unknown[] = never[],
> = abstract new (handle: Handle, ...args: A) => E;

/** A concrete (constructible) {@link EventType}. */
export type ConcreteEventType<
  E extends EventBase = EventBase,
  A extends unknown[] = never[],
> = new (handle: Handle, ...args: A) => E;

/** The instance type of an event class. */
export type EventOf<T> = T extends abstract new (
  ...args: never[]
) => infer E
  ? E extends EventBase
    ? E
    : never
  : never;

/** The emit arguments of an event class (its constructor parameters after the handle). */
export type EmitArgs<T> = T extends abstract new (
  handle: Handle,
  ...args: infer A
) => EventBase
  ? A
  : never;

/**
 * Base class of everything that lives in the framework's object tree: the charm, charm
 * libraries, event containers, stored state. Each object has a {@link Handle} made of its
 * parent's handle, its kind (the static `handleKind`, else the class name) and its `key`.
 *
 * Handle paths identify observers and state across processes, so they must be stable: give
 * each object of one class under one parent a distinct key, and keep class names when
 * bundling (esbuild `keepNames`) or set `static handleKind`.
 *
 * @example
 * ```ts
 * class Webapp extends FrameworkObject {
 *   constructor(charm: CharmBase) {
 *     super(charm, 'web');            // handle path `MyCharm/Webapp[web]`
 *     this.observe(charm.on.configChanged, this.onConfigChanged);
 *   }
 *   onConfigChanged(event: ConfigChangedEvent): void {}
 * }
 * ```
 */
export class FrameworkObject {
  /** Override to set the handle kind of a class (default: the class name). */
  static handleKind?: string;
  /** The framework this object belongs to. */
  readonly framework: Framework;
  /** This object's handle. */
  readonly handle: Handle;

  /**
   * @param parent - the framework (the object is then a root of the tree) or a parent object
   * @param key - distinguishes objects of the same kind under one parent
   * @throws {DuplicateHandleError} when another live object already has the same path
   */
  constructor(parent: Framework | FrameworkObject, key: string | null = null) {
    const kind = handleKindOf(this);
    if (parent instanceof Framework) {
      this.framework = parent;
      this.handle = new Handle(null, kind, key);
    } else {
      this.framework = parent.framework;
      this.handle = new Handle(parent.handle, kind, key);
    }
    this.framework._track(this);
  }

  /** The Juju model (shortcut for `this.framework.model`). */
  get model(): Model {
    return this.framework.model;
  }

  /**
   * Observe `event` with `handler`, a method of this object. The framework records this
   * object's handle path and the method's name, so a deferred event reaches the same method
   * in a later process.
   *
   * @param event - the bound event; `undefined` (an event name the metadata does not define,
   *   when the metadata is untyped) is rejected with a clear error
   * @throws {ObserveError} when `handler` is not a method of this object, the event is
   *   undefined, or it belongs to another framework
   */
  observe<E extends EventBase>(
    event: BoundEvent<E, never[]> | undefined,
    handler: Handler<E>,
  ): void {
    this.framework.observe(event, this, handler);
  }
}

function handleKindOf(obj: object): string {
  const ctor: unknown = obj.constructor;
  const declared: unknown =
    typeof ctor === 'function' ? Reflect.get(ctor, 'handleKind') : undefined;
  if (typeof declared === 'string' && declared !== '') return declared;
  return typeof ctor === 'function' ? ctor.name : 'Object';
}

/**
 * Base class of all events. Subclass it for custom events and persist their fields with
 * {@link EventBase.snapshot} and {@link EventBase.restore}: a handler always receives an event
 * restored from its snapshot, in this process or (when deferred) in a later one, and a
 * restored event is created without running its constructor or field initialisers.
 *
 * @example
 * ```ts
 * class DbReadyEvent extends EventBase {
 *   url = '';
 *   constructor(handle: Handle, url: string) { super(handle); this.url = url; }
 *   override snapshot() { return { url: this.url }; }
 *   override restore(snapshot: SnapshotData) { super.restore(snapshot); this.url = String(snapshot.url); }
 * }
 * ```
 */
export class EventBase {
  /** This event's handle, e.g. `MyCharm/on/config_changed[3]`. */
  handle: Handle;
  /** Whether a handler called {@link EventBase.defer} during the current delivery. */
  deferred = false;
  /** @internal set by the framework on emission and restore */
  _framework: Framework | undefined;

  /** @param handle - the handle the framework allocated for this emission */
  constructor(handle: Handle) {
    this.handle = handle;
  }

  /** The framework that emitted or restored this event. */
  get framework(): Framework {
    if (this._framework === undefined) {
      throw new FrameworkError(`${this.handle.path} is not attached to a framework`);
    }
    return this._framework;
  }

  /**
   * Defer this event for the current observer: after the handler returns, its notice stays
   * queued and it is delivered again, oldest first, at the start of the next dispatch. The
   * handler should return right after calling this; a later delivery starts from the top.
   *
   * @throws {DeferError} for events that cannot be deferred
   */
  defer(): void {
    this.framework.logger.debug(`Deferring ${this}.`);
    this.deferred = true;
  }

  /** The data needed to rebuild this event later; override in events with fields. */
  snapshot(): SnapshotData {
    return {};
  }

  /** Rebuild this event from {@link EventBase.snapshot}'s output; call `super.restore()`. */
  restore(_snapshot: SnapshotData): void {
    this.deferred = false;
  }

  /** `<ClassName via path>`, as ops' `repr` (used in log lines). */
  toString(): string {
    return `<${this.constructor.name} via ${this.handle.path}>`;
  }
}

/**
 * Framework-internal events that run at every dispatch (pre-commit, commit, collect-status);
 * they cannot be deferred.
 */
export class LifecycleEvent extends EventBase {
  /** @throws {DeferError} always */
  override defer(): never {
    throw new DeferError('lifecycle events', this.handle.path);
  }
}

/** Emitted by `Framework.commit()` before {@link CommitEvent}: persist last-minute data here. */
export class PreCommitEvent extends LifecycleEvent {
  declare protected readonly __preCommitEvent: undefined;
}

/** Emitted by `Framework.commit()`; stored state saves itself on it. */
export class CommitEvent extends LifecycleEvent {
  declare protected readonly __commitEvent: undefined;
}

/**
 * An event kind bound to its emitter object: what `observe()` takes and what `emit()` is
 * called on (ops `BoundEvent`).
 */
export class BoundEvent<E extends EventBase = EventBase, A extends unknown[] = never[]> {
  /** The object that emits this event (an {@link ObjectEvents}). */
  readonly emitter: FrameworkObject;
  /** The event class. */
  readonly eventType: EventType<E, A>;
  /** The event kind: its name in handle paths, e.g. `config_changed`. */
  readonly kind: string;

  /** @internal created by {@link ObjectEvents.defineEvent} */
  constructor(emitter: FrameworkObject, eventType: EventType<E, A>, kind: string) {
    this.emitter = emitter;
    this.eventType = eventType;
    this.kind = kind;
  }

  /**
   * Emit the event to every observer, in registration order, awaiting each handler. Events
   * emitted from inside a handler are handled before `emit()` returns (nested, not queued).
   *
   * @param args - the event class's constructor arguments after the handle
   */
  async emit(...args: A): Promise<void> {
    const framework = this.emitter.framework;
    const key = framework._nextEventKey();
    const Ctor: unknown = this.eventType;
    if (typeof Ctor !== 'function') throw new FrameworkError(`${this.kind}: not an event class`);
    const event: unknown = Reflect.construct(Ctor, [
      new Handle(this.emitter.handle, this.kind, key),
      ...args,
    ]);
    if (!(event instanceof EventBase)) {
      throw new FrameworkError(`${this.kind}: ${Ctor.name} does not extend EventBase`);
    }
    event._framework = framework;
    await framework._emit(event);
  }

  /** `<BoundEvent Type bound to Emitter.kind>`. */
  toString(): string {
    return `<BoundEvent ${this.eventType.name} bound to ${this.emitter.constructor.name}.${this.kind}>`;
  }
}

/** Bound events for a map of event name → event class (see {@link ObjectEvents.define}). */
export type BoundEvents<M> = {
  readonly [K in keyof M]: BoundEvent<EventOf<M[K]>, EmitArgs<M[K]>>;
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** @internal One event kind of an {@link ObjectEvents} class or instance. */
export interface EventDefinition {
  /** The property name, e.g. `dbReady`. */
  readonly name: string;
  /** The event class. */
  readonly type: EventType<EventBase, never[]>;
  /** The kind in handle paths, e.g. `db_ready`. */
  readonly kind: string;
}

// Events declared on each ObjectEvents subclass (own declarations only), and the merged view
// of a class and its ancestors by kind, computed once per class.
const CLASS_EVENTS = new WeakMap<object, readonly EventDefinition[]>();
const CLASS_KINDS = new WeakMap<object, ReadonlyMap<string, EventDefinition>>();

function classKinds(ctor: object): ReadonlyMap<string, EventDefinition> {
  let kinds = CLASS_KINDS.get(ctor);
  if (kinds === undefined) {
    const chain: object[] = [];
    for (let c: unknown = ctor; typeof c === 'function' && c !== ObjectEvents; ) {
      chain.unshift(c);
      c = Object.getPrototypeOf(c);
    }
    const merged = new Map<string, EventDefinition>();
    for (const c of chain) for (const def of CLASS_EVENTS.get(c) ?? []) merged.set(def.kind, def);
    kinds = merged;
    CLASS_KINDS.set(ctor, kinds);
  }
  return kinds;
}

function checkDefinition(
  def: EventDefinition,
  taken: (def: EventDefinition) => boolean,
  where: string,
): void {
  const fail = (why: string): ObserveError =>
    new ObserveError(
      `unable to define an event named ${JSON.stringify(def.name)} on ${where}: ${why}`,
    );
  if (!IDENTIFIER.test(def.name) || !IDENTIFIER.test(def.kind))
    throw fail('not a valid identifier');
  if (taken(def)) throw fail('it overlaps with an existing attribute or event');
  if (!(def.type.prototype instanceof EventBase) && (def.type as unknown) !== EventBase) {
    throw fail(`${def.type.name} does not extend EventBase`);
  }
}

/**
 * @internal A subclass of `Base` with `defs` declared on its prototype: each event's
 * `BoundEvent` is created on first access (ops creates them on attribute access too), so
 * building an events object costs nothing per event.
 */
export function withEvents<C extends abstract new (...args: never[]) => ObjectEvents>(
  Base: C,
  defs: readonly EventDefinition[],
): C {
  const baseKinds = classKinds(Base);
  const seen = new Set<string>();
  for (const def of defs) {
    checkDefinition(
      def,
      (d) => d.name in Base.prototype || baseKinds.has(d.kind) || seen.has(d.kind),
      Base.name,
    );
    seen.add(def.kind);
  }
  // The subclass adds no members of its own, so it is still a `C`.
  const Sub = class extends (Base as unknown as typeof ObjectEvents) {} as unknown as C;
  for (const def of defs) {
    Object.defineProperty(Sub.prototype, def.name, {
      configurable: true,
      enumerable: true,
      get(this: ObjectEvents) {
        return this._bind(def);
      },
    });
  }
  CLASS_EVENTS.set(Sub, defs);
  return Sub;
}

/**
 * A container of events, the `on` of an object (handle kind `on`). Event kinds are declared
 * with {@link ObjectEvents.define} or added with {@link ObjectEvents.defineEvent}; each is
 * available as a property under its name (`on.dbReady`) and by its snake_case kind
 * (`on.get('db_ready')`).
 *
 * @example
 * ```ts
 * class DbEvents extends ObjectEvents.define({ dbReady: DbReadyEvent }) {}
 * class Db extends FrameworkObject {
 *   readonly on = new DbEvents(this);
 * }
 * // elsewhere: this.observe(db.on.dbReady, this.onDbReady); await db.on.dbReady.emit(url);
 * ```
 */
export class ObjectEvents extends FrameworkObject {
  static override handleKind = 'on';
  readonly #bound = new Map<string, BoundEvent<EventBase, never[]>>();
  readonly #runtime = new Map<string, EventDefinition>();

  /**
   * A subclass of `ObjectEvents` whose instances carry one typed bound event per entry of
   * `events` (name → event class; the kind is the snake_case of the name).
   *
   * @throws {ObserveError} when a name is not an identifier or clashes with another event
   */
  static define<M extends Record<string, EventType<EventBase, never[]>>>(
    events: M,
  ): new (
    parent: Framework | FrameworkObject,
    key?: string | null,
  ) => ObjectEvents & BoundEvents<M> {
    const defs = Object.entries(events).map(([name, type]) => ({
      name,
      type,
      kind: toSnakeCase(name),
    }));
    return withEvents(ObjectEvents, defs) as unknown as new (
      parent: Framework | FrameworkObject,
      key?: string | null,
    ) => ObjectEvents & BoundEvents<M>;
  }

  /** @internal The bound event of a definition, created and registered on first use. */
  _bind(def: EventDefinition): BoundEvent<EventBase, never[]> {
    let bound = this.#bound.get(def.kind);
    if (bound === undefined) {
      bound = new BoundEvent<EventBase, never[]>(this, def.type, def.kind);
      this.#bound.set(def.kind, bound);
      this.framework.registerType(def.type, this.handle, def.kind);
    }
    return bound;
  }

  #definition(kind: string): EventDefinition | undefined {
    return this.#runtime.get(kind) ?? classKinds(this.constructor).get(kind);
  }

  /**
   * Define an event on this container at run time (ops `define_event`) and return it.
   *
   * @param name - the property name, e.g. `dbReady` (or `db_ready`)
   * @param type - the event class
   * @param kind - the kind in handle paths; defaults to the snake_case of `name`
   * @throws {ObserveError} when the name is not an identifier or is already taken
   */
  defineEvent<T extends EventType<EventBase, never[]>>(
    name: string,
    type: T,
    kind: string = toSnakeCase(name),
  ): BoundEvent<EventOf<T>, EmitArgs<T>> {
    const def: EventDefinition = { name, type, kind };
    checkDefinition(
      def,
      (d) => d.name in this || this.#definition(d.kind) !== undefined,
      this.handle.path,
    );
    this.#runtime.set(kind, def);
    const bound = this._bind(def);
    Object.defineProperty(this, name, { value: bound, enumerable: true });
    return bound as unknown as BoundEvent<EventOf<T>, EmitArgs<T>>;
  }

  /** The bound event of `kind` (snake_case, e.g. `config_changed`), if defined. */
  get(kind: string): BoundEvent<EventBase, never[]> | undefined {
    const bound = this.#bound.get(kind);
    if (bound !== undefined) return bound;
    const def = this.#definition(kind);
    return def === undefined ? undefined : this._bind(def);
  }

  /** Every defined event, by kind: declared ones in declaration order, then run-time ones. */
  events(): ReadonlyMap<string, BoundEvent<EventBase, never[]>> {
    const all = new Map<string, BoundEvent<EventBase, never[]>>();
    for (const def of classKinds(this.constructor).values()) all.set(def.kind, this._bind(def));
    for (const def of this.#runtime.values()) all.set(def.kind, this._bind(def));
    return all;
  }

  /**
   * The events whose kind starts with the metadata name `name` (hyphens become underscores),
   * keyed by the rest of the kind: `on.prefixed('my-db').get('relation_joined')` is
   * `on.myDbRelationJoined` (ops `self.on['my-db'].relation_joined`).
   */
  prefixed(name: string): ReadonlyMap<string, BoundEvent<EventBase, never[]>> {
    const prefix = `${name.replaceAll('-', '_')}_`;
    const result = new Map<string, BoundEvent<EventBase, never[]>>();
    for (const [kind, bound] of this.events()) {
      if (kind.startsWith(prefix)) result.set(kind.slice(prefix.length), bound);
    }
    return result;
  }
}

/** Whether `type` is `base` or a subclass of it. */
export function isEventType(
  type: unknown,
  base: abstract new (...args: never[]) => EventBase,
): boolean {
  return type === base || (typeof type === 'function' && type.prototype instanceof base);
}

/** `dbRelationChanged` → `db_relation_changed`; names already in snake_case are unchanged. */
export function toSnakeCase(name: string): string {
  let out = SNAKE.get(name);
  if (out === undefined) {
    out = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    SNAKE.set(name, out);
  }
  return out;
}

/** `db_relation_changed` or `db-relation-changed` → `dbRelationChanged`. */
export function toCamelCase(name: string): string {
  let out = CAMEL.get(name);
  if (out === undefined) {
    out = name.replace(/[-_]+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    CAMEL.set(name, out);
  }
  return out;
}

// Event names come from class definitions and metadata: a small, fixed set per process.
const SNAKE = new Map<string, string>();
const CAMEL = new Map<string, string>();

/** The framework's own events: `preCommit` and `commit` (handle path `on`). */
export class FrameworkEvents extends ObjectEvents.define({
  preCommit: PreCommitEvent,
  commit: CommitEvent,
}) {}

/** Options of {@link Framework}. */
export interface FrameworkOptions {
  /** Persistence for snapshots, deferred notices and stored state. */
  readonly store: StateStore;
  /** The Juju model the charm sees. */
  readonly model: Model;
  /** The charm's metadata. */
  readonly meta: CharmMeta;
  /** The charm directory. */
  readonly charmDir: string;
  /**
   * The event kind this dispatch is for (e.g. `config_changed`); used to tell custom events
   * apart in the debug log.
   */
  readonly eventName?: string | undefined;
  /**
   * Skip storing a notice when an identical one (same observer, method, event kind and
   * snapshot) is already queued (default `true`, as in ops; Harness turns it off).
   */
  readonly skipDuplicateEvents?: boolean | undefined;
  /** Where framework log records go (default: the process-wide `logger`). */
  readonly logger?: Logger | undefined;
  /**
   * Called once per event just before its observers run: for each emission, and for each
   * deferred event re-emitted from the store (`reemitted: true`). For test harnesses.
   */
  readonly onEmit?: ((event: EventBase, info: { readonly reemitted: boolean }) => void) | undefined;
  /** `JUJU_DEBUG_AT`: the breakpoints to stop at (`all`, `hook`, or names). Default: none. */
  readonly debugAt?: ReadonlySet<string> | undefined;
  /**
   * What a selected breakpoint does (default {@link pauseInInspector}: wait for a debugger in
   * the Node inspector, then stop).
   */
  readonly onBreakpoint?: ((name: string | undefined) => void) | undefined;
}

interface Observer {
  readonly observerPath: string;
  readonly methodName: string;
  readonly emitterPath: string;
  readonly kind: string;
}

type RestorableType = abstract new (...args: never[]) => { restore(data: SnapshotData): void };

const COUNTER_PATH = 'StoredStateData[_stored]';

/**
 * The root of the object tree: owns the state store, the model and the metadata, keeps the
 * observer registry, emits and re-emits events, and commits state (ops `Framework`).
 *
 * `runDispatch()` and `main()` build one per dispatch; `@opsjs/testing` builds one and emits
 * many events through it.
 */
export class Framework {
  /** The framework's handle (path `Framework`). */
  readonly handle: Handle = new Handle(null, 'Framework', null);
  /** The framework's own events (`preCommit`, `commit`). */
  readonly on: FrameworkEvents;
  /** The state store. */
  readonly store: StateStore;
  /** The charm directory. */
  readonly charmDir: string;
  /** The charm's metadata. */
  readonly meta: CharmMeta;
  /** The logger framework records go to. */
  readonly logger: Logger;
  /** Whether identical notices are skipped at emit time (see {@link FrameworkOptions}). */
  skipDuplicateEvents: boolean;
  /** The event kind of the current dispatch (see {@link FrameworkOptions.eventName}). */
  eventName: string | undefined;
  /**
   * Handle paths of the events emitted through this framework, in emission order (deferred
   * events re-emitted from the store are not listed again). For test harnesses and tooling.
   */
  readonly emitted: string[] = [];
  readonly #onEmit: FrameworkOptions['onEmit'];
  readonly #onBreakpoint: (name: string | undefined) => void;
  /** The breakpoints `JUJU_DEBUG_AT` selects (`all`, `hook`, or names). */
  readonly debugAt: ReadonlySet<string>;
  readonly #model: Model;
  readonly #objects = new Map<string, FrameworkObject>();
  readonly #observerObjects = new Map<string, FrameworkObject>();
  readonly #observers: Observer[] = [];
  readonly #types = new Map<string | null, Map<string, RestorableType>>();
  #eventCount: number;
  #closed = false;

  /**
   * @throws {StateStoreError} when the stored event counter is malformed
   */
  constructor(options: FrameworkOptions) {
    this.store = options.store;
    this.#model = options.model;
    this.meta = options.meta;
    this.charmDir = options.charmDir;
    this.eventName = options.eventName?.replaceAll('-', '_');
    this.skipDuplicateEvents = options.skipDuplicateEvents ?? true;
    this.logger = options.logger ?? defaultLogger;
    this.#onEmit = options.onEmit;
    this.debugAt = options.debugAt ?? new Set();
    this.#onBreakpoint = options.onBreakpoint ?? pauseInInspector;
    const counter = this.store.loadSnapshot(COUNTER_PATH);
    const count = counter?.event_count ?? 0;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new StateStoreError(COUNTER_PATH, 'event_count is not a non-negative integer');
    }
    this.#eventCount = count;
    this.on = new FrameworkEvents(this);
  }

  /** The Juju model the charm sees. */
  get model(): Model {
    return this.#model;
  }

  /** The number of events emitted so far over the charm's life (persisted at commit). */
  get eventCount(): number {
    return this.#eventCount;
  }

  /** @internal register a new object; called by the FrameworkObject constructor */
  _track(obj: FrameworkObject): void {
    const path = obj.handle.path;
    if (this.#objects.has(path)) {
      throw new DuplicateHandleError(path);
    }
    this.#objects.set(path, obj);
  }

  /** @internal forget an object (so its path may be claimed again) */
  _forget(obj: FrameworkObject): void {
    if (this.#objects.get(obj.handle.path) === obj) this.#objects.delete(obj.handle.path);
  }

  /** The live object with `path`, if any. */
  objectAt(path: string): FrameworkObject | undefined {
    return this.#objects.get(path);
  }

  /**
   * Register the class that restores snapshots stored under `parent`/`kind` (ops
   * `register_type`). Events defined on an `ObjectEvents` are registered automatically.
   */
  registerType(type: RestorableType, parent: Handle | null, kind: string): void {
    const parentPath = parent?.path ?? null;
    let kinds = this.#types.get(parentPath);
    if (kinds === undefined) {
      kinds = new Map();
      this.#types.set(parentPath, kinds);
    }
    kinds.set(kind, type);
  }

  /**
   * Observe `event` with a method of `observer`. Registration records the observer's handle
   * path and the method's name, which is how a deferred event finds its handler in a later
   * process; anything that could not be found that way is rejected here.
   *
   * @param event - a bound event, e.g. `charm.on.configChanged`
   * @param observer - the object whose method handles the event
   * @param handler - the method itself (`this.onConfigChanged`) or its name
   * @throws {ObserveError} when the event belongs to another framework, `handler` is not a
   *   method reachable by name on `observer` (arrow functions, bound functions, closures and
   *   `#private` methods are not), or it takes more than one parameter
   */
  observe<E extends EventBase>(
    event: BoundEvent<E, never[]> | undefined,
    observer: FrameworkObject,
    handler: Handler<E> | string,
  ): void {
    if (!(event instanceof BoundEvent)) {
      throw new ObserveError(
        `observe() requires a BoundEvent, got ${event === undefined ? 'undefined' : typeof event}` +
          ' (is the event name spelt as the metadata defines it?)',
      );
    }
    if (event.emitter.framework !== this) {
      throw new ObserveError(
        `cannot observe ${event.emitter.handle.path}/${event.kind}: it belongs to another framework`,
      );
    }
    if (observer.framework !== this) {
      throw new ObserveError(
        `cannot register ${observer.handle.path} as an observer: it belongs to another framework`,
      );
    }
    const methodName = typeof handler === 'string' ? handler : findMethodName(observer, handler);
    const method: unknown = Reflect.get(observer, methodName);
    if (typeof method !== 'function') {
      throw new ObserveError(
        typeof handler === 'string'
          ? `${observer.handle.path} has no method ${JSON.stringify(handler)}`
          : `the handler given for ${event.kind} is not a method of ${observer.handle.path} ` +
              '(pass a method of the observer, or a function stored in one of its properties; ' +
              'inline arrow functions, bound functions and #private methods cannot be found by ' +
              'name, so a deferred event could not reach them in a later process)',
      );
    }
    if (method.length > 1) {
      throw new ObserveError(
        `${observer.constructor.name}.${methodName} must be callable with only the event`,
      );
    }
    this.registerType(event.eventType, event.emitter.handle, event.kind);
    const existing = this.#observerObjects.get(observer.handle.path);
    if (existing !== undefined && existing !== observer) {
      throw new ObserveError(`another object already observes as ${observer.handle.path}`);
    }
    this.#observerObjects.set(observer.handle.path, observer);
    this.#observers.push({
      observerPath: observer.handle.path,
      methodName,
      emitterPath: event.emitter.handle.path,
      kind: event.kind,
    });
  }

  /** @internal allocate the next event key (ops `_next_event_key`) */
  _nextEventKey(): string {
    this.#eventCount += 1;
    return String(this.#eventCount);
  }

  /** @internal store notices for `event` and deliver it (ops `_emit`) */
  async _emit(event: EventBase): Promise<void> {
    const eventPath = event.handle.path;
    const parent = event.handle.parent;
    if (parent === null) throw new FrameworkError(`event ${eventPath} has no emitter`);
    const data = event.snapshot();
    validateSnapshot(eventPath, data);
    this.emitted.push(eventPath);
    this.#onEmit?.(event, { reemitted: false });
    let saved = false;
    for (const obs of this.#observers) {
      if (obs.emitterPath !== parent.path || obs.kind !== event.handle.kind) continue;
      if (
        this.skipDuplicateEvents &&
        this.#isQueued(obs.observerPath, obs.methodName, eventPath, data)
      ) {
        this.logger.info(
          `Skipping notice (${eventPath}/${obs.observerPath}/${obs.methodName}) - already in the queue.`,
        );
        continue;
      }
      if (!saved) {
        this.store.saveSnapshot(eventPath, data);
        saved = true;
      }
      this.store.saveNotice({
        eventPath,
        observerPath: obs.observerPath,
        methodName: obs.methodName,
      });
    }
    if (saved) await this.#reemit(eventPath);
  }

  /**
   * Deliver every deferred notice, oldest first (ops `reemit`). Only observers that deferred
   * are called again; an event deferred again keeps its place in the queue.
   */
  async reemit(): Promise<void> {
    await this.#reemit(undefined);
  }

  /**
   * Emit `preCommit` and `commit`, save the event counter, and make the store durable.
   */
  async commit(): Promise<void> {
    await this.on.preCommit.emit();
    await this.on.commit.emit();
    this.saveSnapshot(COUNTER_PATH, { event_count: this.#eventCount });
    this.store.commit();
  }

  /**
   * A breakpoint (ops `Framework.breakpoint`): stops only when `JUJU_DEBUG_AT` contains `all`
   * or `name` (`juju debug-code --at=<name>`), by default in the Node inspector; otherwise,
   * when `JUJU_DEBUG_AT` is set, logs that it was skipped. The `hook` breakpoint stops before
   * every Juju event and action handler.
   *
   * @throws {BreakpointError} when `name` is `all`, `hook`, or not like `foo` or `foo-bar`
   */
  breakpoint(name?: string): void {
    if (name !== undefined) {
      if (name === 'all' || name === 'hook') {
        throw new BreakpointError('breakpoint names "all" and "hook" are reserved');
      }
      if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name)) {
        throw new BreakpointError('breakpoint names must look like "foo" or "foo-bar"');
      }
    }
    if (this.debugAt.size === 0) return;
    if (this.debugAt.has('all') || (name !== undefined && this.debugAt.has(name))) {
      this.#onBreakpoint(name);
    } else {
      const wanted = [...this.debugAt].map((n) => `'${n}'`).join(', ');
      this.logger.warning(
        `Breakpoint ${name === undefined ? 'None' : `'${name}'`} skipped (not found in the ` +
          `requested breakpoints: {${wanted}})`,
      );
    }
  }

  /** Close the store; uncommitted changes are discarded. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.store.close();
  }

  /**
   * Validate and save a snapshot.
   *
   * @throws {SnapshotDataError} when `data` holds anything but simple values
   */
  saveSnapshot(handlePath: string, data: unknown): void {
    validateSnapshot(handlePath, data);
    this.store.saveSnapshot(handlePath, data);
  }

  /**
   * Restore the event or object stored under `handle` through its registered type.
   *
   * @throws {NoTypeError} when no type is registered for the handle's parent and kind
   * @throws {StateStoreError} when there is no snapshot
   */
  loadSnapshot(handle: Handle): EventBase {
    const type = this.#types.get(handle.parent?.path ?? null)?.get(handle.kind);
    if (type === undefined) throw new NoTypeError(handle.path);
    const data = this.store.loadSnapshot(handle.path);
    if (data === undefined) {
      throw new StateStoreError(handle.path, 'a queued notice refers to a missing snapshot');
    }
    const obj: unknown = Object.create(type.prototype);
    if (!(obj instanceof EventBase)) throw new NoTypeError(handle.path);
    obj.handle = handle;
    obj.deferred = false;
    obj._framework = this;
    obj.restore(data);
    return obj;
  }

  /**
   * Remove event snapshots that no notice refers to (ops `remove_unreferenced_events`).
   */
  removeUnreferencedEvents(): void {
    const referenced = new Set(this.store.notices().map((n) => n.eventPath));
    for (const path of this.store.listSnapshots()) {
      if (EVENT_PATH.test(path) && !referenced.has(path)) this.store.dropSnapshot(path);
    }
  }

  #isQueued(observerPath: string, methodName: string, eventPath: string, data: unknown): boolean {
    const kindPath = eventPath.split('[')[0];
    for (const n of this.store.notices()) {
      if (
        n.observerPath !== observerPath ||
        n.methodName !== methodName ||
        n.eventPath.split('[')[0] !== kindPath
      ) {
        continue;
      }
      const existing = this.store.loadSnapshot(n.eventPath) ?? {};
      if (JSON.stringify(existing) === JSON.stringify(data)) return true;
    }
    return false;
  }

  async #reemit(singleEventPath: string | undefined): Promise<void> {
    let lastEventPath: string | undefined;
    let deferred = true;
    const reported = new Set<string>();
    const notices = this.store.notices(singleEventPath);
    for (const [i, notice] of notices.entries()) {
      const { eventPath, observerPath, methodName } = notice;
      const eventHandle = Handle.fromPath(eventPath);
      if (lastEventPath !== eventPath) {
        if (!deferred && lastEventPath !== undefined) this.store.dropSnapshot(lastEventPath);
        lastEventPath = eventPath;
        deferred = false;
      }
      let event: EventBase;
      try {
        event = this.loadSnapshot(eventHandle);
      } catch (err) {
        if (err instanceof NoTypeError) {
          this.store.dropNotice(notice);
          continue;
        }
        throw err;
      }
      const observer = this.#observerObjects.get(observerPath);
      if (observer !== undefined) {
        if (singleEventPath === undefined) {
          if (!reported.has(eventPath)) {
            reported.add(eventPath);
            this.#onEmit?.(event, { reemitted: true });
          }
          this.logger.debug(
            `Re-emitting deferred event ${event} (${i + 1} of ${notices.length} in queue).`,
          );
        } else if (
          !(event instanceof LifecycleEvent) &&
          this.eventName !== undefined &&
          this.eventName !== '' &&
          this.eventName !== event.handle.kind
        ) {
          this.logger.debug(`Emitting custom event ${event}.`);
        }
        // As ops: an observer without the method drops the notice without a word.
        const method: unknown = Reflect.get(observer, methodName);
        if (typeof method === 'function') {
          // ops `_event_context`: the model applies hook-time rules (relation-data access)
          // while a handler runs, under the kind of the event being handled.
          await this.#runHandler(event, () => Reflect.apply(method, observer, [event]));
        }
      } else {
        this.logger.warning(
          `Reference to ops.Object at path ${observerPath} has been garbage collected between ` +
            'when the charm was initialised and when the event was emitted. ' +
            'Make sure sure you store a reference to the observer.',
        );
      }
      if (event.deferred) {
        deferred = true;
      } else {
        this.store.dropNotice(notice);
      }
    }
    if (!deferred && lastEventPath !== undefined) this.store.dropSnapshot(lastEventPath);
  }

  /** Run one deferred-event handler as ops `_reemit` does (breakpoint, hook-time rules). */
  async #runHandler(event: EventBase, handler: () => unknown): Promise<void> {
    if (
      (this.debugAt.has('all') || this.debugAt.has('hook')) &&
      Reflect.get(event.constructor, 'jujuEvent') === true
    ) {
      this.#onBreakpoint('hook');
    }
    const model = this.#model;
    const previous = model.hookRunning;
    model.hookRunning = event.handle.kind;
    try {
      await handler();
    } finally {
      model.hookRunning = previous;
    }
  }
}

const EVENT_PATH = /^(|.*\/)on\/[a-zA-Z_]+\[\d+\]$/;

function findMethodName(observer: FrameworkObject, handler: unknown): string {
  for (let proto: unknown = observer; proto !== null && proto !== Object.prototype; ) {
    if (typeof proto !== 'object' && typeof proto !== 'function') break;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      if (desc !== undefined && 'value' in desc && desc.value === handler) return name;
    }
    proto = Object.getPrototypeOf(proto);
  }
  return '';
}
