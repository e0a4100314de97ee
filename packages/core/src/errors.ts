/**
 * Base class of every error the charm framework throws.
 *
 * Each error class has a stable literal `code`; prefer `err.code` to `instanceof` when
 * comparing across versions. `instanceof` also works across two installed copies of this
 * package (a charm library may bring its own): instances carry a
 * `Symbol.for('opsjs.error.<code>')` brand for their class and every ancestor.
 */
export class FrameworkError extends Error {
  /** The stable code of this class, also found on each instance as `code`. */
  static readonly code: string = 'OPSJS_FRAMEWORK';
  override readonly name: string = 'FrameworkError';
  readonly code: string = 'OPSJS_FRAMEWORK';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    for (let ctor: unknown = new.target; isErrorClass(ctor); ctor = Object.getPrototypeOf(ctor)) {
      Object.defineProperty(this, Symbol.for(`opsjs.error.${ctor.code}`), { value: true });
    }
  }

  // `this` is the class on the right of `instanceof`, which may be a subclass.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      // biome-ignore lint/complexity/noThisInStatic: the brand of the class being tested
      Reflect.get(value, Symbol.for(`opsjs.error.${this.code}`)) === true
    );
  }
}

function isErrorClass(value: unknown): value is typeof FrameworkError {
  return typeof value === 'function' && Object.hasOwn(value, 'code');
}

/**
 * A handle path could not be parsed (`Handle.fromPath`), e.g. `MyCharm/on/install[3`.
 */
export class InvalidHandlePathError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_INVALID_HANDLE_PATH';
  override readonly name: string = 'InvalidHandlePathError';
  override readonly code: 'OPSJS_FRAMEWORK_INVALID_HANDLE_PATH' =
    'OPSJS_FRAMEWORK_INVALID_HANDLE_PATH';
  /** The path that failed to parse. */
  readonly path: string;

  constructor(path: string, options?: ErrorOptions) {
    super(`attempted to restore invalid handle path ${path}`, options);
    this.path = path;
  }
}

/**
 * Two live framework objects were created with the same handle path
 * (ops raises `RuntimeError: two objects claiming to be <path> have been created`).
 */
export class DuplicateHandleError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_DUPLICATE_HANDLE';
  override readonly name: string = 'DuplicateHandleError';
  override readonly code: 'OPSJS_FRAMEWORK_DUPLICATE_HANDLE' = 'OPSJS_FRAMEWORK_DUPLICATE_HANDLE';
  /** The handle path claimed twice. */
  readonly path: string;

  constructor(path: string) {
    super(`two objects claiming to be ${path} have been created`);
    this.path = path;
  }
}

/**
 * `observe()` or `defineEvent()` was called with something the framework cannot re-deliver in
 * a later process: a handler that is not a method of the observer, an event of another
 * framework, an invalid or duplicate event name.
 */
export class ObserveError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_OBSERVE';
  override readonly name: string = 'ObserveError';
  override readonly code: 'OPSJS_FRAMEWORK_OBSERVE' = 'OPSJS_FRAMEWORK_OBSERVE';
}

/**
 * `defer()` was called on an event that cannot be deferred (actions, `stop`, `remove`,
 * `secret-rotate`, `secret-expired`, collect-status, pre-commit and commit).
 */
export class DeferError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_DEFER';
  override readonly name: string = 'DeferError';
  override readonly code: 'OPSJS_FRAMEWORK_DEFER' = 'OPSJS_FRAMEWORK_DEFER';
  /** The handle path of the event. */
  readonly eventPath: string;

  /**
   * @param what - the kind of event, e.g. `action events`; the message is ops' text for it
   * @param eventPath - the handle path of the event (kept in {@link DeferError.eventPath})
   */
  constructor(what: string, eventPath: string) {
    super(
      what.startsWith('secret ')
        ? `Cannot defer ${what}. Juju will keep firing this event until you create a new revision.`
        : `cannot defer ${what}`,
    );
    this.eventPath = eventPath;
  }
}

/** No event or object type is registered for a stored handle path (ops `NoTypeError`). */
export class NoTypeError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_NO_TYPE';
  override readonly name: string = 'NoTypeError';
  override readonly code: 'OPSJS_FRAMEWORK_NO_TYPE' = 'OPSJS_FRAMEWORK_NO_TYPE';
  /** The handle path that could not be restored. */
  readonly handlePath: string;

  constructor(handlePath: string) {
    super(`cannot restore ${handlePath} since no class was registered for it`);
    this.handlePath = handlePath;
  }
}

/** A snapshot contains something other than null, booleans, finite numbers, strings, arrays and plain objects. */
export class SnapshotDataError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_SNAPSHOT_DATA';
  override readonly name: string = 'SnapshotDataError';
  override readonly code: 'OPSJS_FRAMEWORK_SNAPSHOT_DATA' = 'OPSJS_FRAMEWORK_SNAPSHOT_DATA';
  /** The handle path of the object whose snapshot was rejected. */
  readonly handlePath: string;
  /** Where inside the snapshot the bad value sits, e.g. `config.ports[2]`. */
  readonly dataPath: string;

  constructor(handlePath: string, dataPath: string, problem: string) {
    super(
      `unable to save the data for ${handlePath}: ${dataPath || '(root)'} ${problem}; ` +
        'snapshots hold only null, booleans, finite numbers, strings, arrays and plain objects',
    );
    this.handlePath = handlePath;
    this.dataPath = dataPath;
  }
}

/**
 * The state store could not be read or written: a corrupted or truncated file, an unknown
 * format version, a failed `state-get`/`state-set` call.
 */
export class StateStoreError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_STATE_STORE';
  override readonly name: string = 'StateStoreError';
  override readonly code: 'OPSJS_FRAMEWORK_STATE_STORE' = 'OPSJS_FRAMEWORK_STATE_STORE';
  /** The file or controller key concerned. */
  readonly location: string;

  constructor(location: string, message: string, options?: ErrorOptions) {
    super(`${location}: ${message}`, options);
    this.location = location;
  }
}

/**
 * Stored state holds data that does not match the charm's declared shape (e.g. it was written
 * by an older version of the charm) or a value that cannot be stored.
 */
export class StoredStateError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_STORED_STATE';
  override readonly name: string = 'StoredStateError';
  override readonly code: 'OPSJS_FRAMEWORK_STORED_STATE' = 'OPSJS_FRAMEWORK_STORED_STATE';
  /** The handle path of the stored state, e.g. `MyCharm/StoredStateData[stored]`. */
  readonly handlePath: string;

  constructor(handlePath: string, message: string, options?: ErrorOptions) {
    super(`${handlePath}: ${message}`, options);
    this.handlePath = handlePath;
  }
}

/**
 * The dispatch could not start: missing or invalid `JUJU_*` environment, an unusable
 * `JUJU_DISPATCH_PATH`, unreadable metadata.
 */
export class DispatchError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_DISPATCH';
  override readonly name: string = 'DispatchError';
  override readonly code: 'OPSJS_FRAMEWORK_DISPATCH' = 'OPSJS_FRAMEWORK_DISPATCH';
}

/**
 * Thrown by `loadConfig(..., { errors: 'blocked' })` and `loadParams(..., { errors: 'fail' })`
 * to end the dispatch early with `exitCode` and without committing framework state
 * (ops' internal `_Abort`). `runDispatch()` and `main()` catch it; charm code should let it
 * propagate.
 */
export class DispatchAbort extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_DISPATCH_ABORT';
  override readonly name: string = 'DispatchAbort';
  override readonly code: 'OPSJS_FRAMEWORK_DISPATCH_ABORT' = 'OPSJS_FRAMEWORK_DISPATCH_ABORT';
  /** The process exit code the dispatch ends with. */
  readonly exitCode: number;

  constructor(exitCode: number, reason: string, options?: ErrorOptions) {
    super(`dispatch aborted with exit code ${exitCode}: ${reason}`, options);
    this.exitCode = exitCode;
  }
}

/**
 * Typed loading (`loadConfig`, `loadParams`, `relation.load`) found data that does not match
 * the schema. The message lists each issue with its field path; it never contains the values.
 */
export class LoadError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_LOAD';
  override readonly name: string = 'LoadError';
  override readonly code: 'OPSJS_FRAMEWORK_LOAD' = 'OPSJS_FRAMEWORK_LOAD';
  /** What was being loaded: `config`, `action parameters`, `relation data`. */
  readonly source: string;
  /** One line per problem, `<field>: <message>`. */
  readonly issues: readonly string[];

  constructor(source: string, issues: readonly string[], options?: ErrorOptions) {
    super(issues.join('; '), options);
    this.source = source;
    this.issues = issues;
  }
}

/** `Framework.breakpoint()` was given a reserved or malformed name. */
export class BreakpointError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_BREAKPOINT';
  override readonly name: string = 'BreakpointError';
  override readonly code: 'OPSJS_FRAMEWORK_BREAKPOINT' = 'OPSJS_FRAMEWORK_BREAKPOINT';
}
