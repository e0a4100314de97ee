/**
 * Base class of every error the testing tools throws.
 *
 * Each error class has a stable literal `code`; prefer `err.code` to `instanceof` when
 * comparing across versions. `instanceof` also works across two installed copies of this
 * package (a charm library may bring its own): instances carry a
 * `Symbol.for('opsjs.error.<code>')` brand for their class and every ancestor.
 */
export class TestingError extends Error {
  /** The stable code of this class, also found on each instance as `code`. */
  static readonly code: string = 'OPSJS_TESTING';
  override readonly name: string = 'TestingError';
  readonly code: string = 'OPSJS_TESTING';

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

function isErrorClass(value: unknown): value is typeof TestingError {
  return typeof value === 'function' && Object.hasOwn(value, 'code');
}

/**
 * The input state, event and charm metadata describe something Juju could never produce
 * (Scenario's `InconsistentScenarioError`). `errors` lists every problem found.
 */
export class InconsistentScenarioError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_INCONSISTENT_SCENARIO';
  override readonly name: string = 'InconsistentScenarioError';
  override readonly code: string = 'OPSJS_TESTING_INCONSISTENT_SCENARIO';
  /** Each problem the consistency checker found, in check order. */
  readonly errors: readonly string[];

  constructor(errors: readonly string[], options?: ErrorOptions) {
    super(`Inconsistent scenario. The following errors were found: ${errors.join('\n')}`, options);
    this.errors = errors;
  }
}

/** A state object was built with invalid values (Scenario's `StateValidationError`). */
export class StateValidationError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_STATE_VALIDATION';
  override readonly name: string = 'StateValidationError';
  override readonly code: string = 'OPSJS_TESTING_STATE_VALIDATION';
}

/**
 * The charm threw while handling an event in `Context.run` (Scenario's
 * `UncaughtCharmError`); the charm's error is the `cause`.
 */
export class UncaughtCharmError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_UNCAUGHT_CHARM_ERROR';
  override readonly name: string = 'UncaughtCharmError';
  override readonly code: string = 'OPSJS_TESTING_UNCAUGHT_CHARM_ERROR';
}

/**
 * An action handler called `event.fail()` (ops' `ActionFailed`). `output` holds the
 * action's logs and results; `state` the output state when raised by `Context.run`.
 */
export class ActionFailed<S = unknown> extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_ACTION_FAILED';
  override readonly name: string = 'ActionFailed';
  override readonly code: string = 'OPSJS_TESTING_ACTION_FAILED';
  /** The failure message the charm passed to `fail()`. */
  readonly failureMessage: string;
  /** Logs and results recorded before the failure. */
  readonly output: {
    readonly logs: readonly string[];
    readonly results: Readonly<Record<string, unknown>>;
  };
  /** The output state (only from `Context.run`). */
  readonly state: S | undefined;

  constructor(
    failureMessage: string,
    output: {
      readonly logs: readonly string[];
      readonly results: Readonly<Record<string, unknown>>;
    },
    state?: S,
  ) {
    // As ops and Scenario, the error's message is the failure message itself.
    super(failureMessage);
    this.failureMessage = failureMessage;
    this.output = output;
    this.state = state;
  }
}

/** The event passed to `Context.run` is not defined on the charm (Scenario's `NoObserverError`). */
export class NoObserverError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_NO_OBSERVER';
  override readonly name: string = 'NoObserverError';
  override readonly code: string = 'OPSJS_TESTING_NO_OBSERVER';
}

/** A `Manager` was run twice (Scenario's `AlreadyEmittedError`). */
export class AlreadyEmittedError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_ALREADY_EMITTED';
  override readonly name: string = 'AlreadyEmittedError';
  override readonly code: string = 'OPSJS_TESTING_ALREADY_EMITTED';
}

/** The `Context` could not be set up, e.g. its metadata is invalid (Scenario's `ContextSetupError`). */
export class ContextSetupError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_CONTEXT_SETUP';
  override readonly name: string = 'ContextSetupError';
  override readonly code: string = 'OPSJS_TESTING_CONTEXT_SETUP';
}

/** No charm metadata was given and none was found on disk (Scenario's `MetadataNotFoundError`). */
export class MetadataNotFoundError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_METADATA_NOT_FOUND';
  override readonly name: string = 'MetadataNotFoundError';
  override readonly code: string = 'OPSJS_TESTING_METADATA_NOT_FOUND';
}

/** A `Harness` method was used wrongly (before `begin`, unknown relation id, ...). */
export class HarnessError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_HARNESS';
  override readonly name: string = 'HarnessError';
  override readonly code: string = 'OPSJS_TESTING_HARNESS';
}

/**
 * A process-level dispatch (`runDispatch`) could not run or the charm process exited
 * non-zero; carries the exit code and the captured output.
 */
export class DispatchError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_DISPATCH';
  override readonly name: string = 'DispatchError';
  override readonly code: string = 'OPSJS_TESTING_DISPATCH';
  /** Exit code of the charm process (`null` when killed by a signal). */
  readonly exitCode: number | null;
  /** Captured standard output. */
  readonly stdout: string;
  /** Captured standard error. */
  readonly stderr: string;

  constructor(
    message: string,
    details: { exitCode: number | null; stdout: string; stderr: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.exitCode = details.exitCode;
    this.stdout = details.stdout;
    this.stderr = details.stderr;
  }
}
