/** Details of a failed hook-tool call, carried by {@link ModelError} and its subclasses. */
export interface HookToolFailure {
  /** The hook tool that failed, e.g. `relation-get`. */
  readonly hookTool: string;
  /** The arguments passed to the tool (never containing secret values). */
  readonly argv: readonly string[];
  /** The exit code, or `null` when the process did not exit normally. */
  readonly exitCode: number | null;
  /** What the tool printed on stderr. */
  readonly stderr: string;
}

/** Options accepted by {@link ModelError} and its subclasses. */
export interface ModelErrorOptions extends ErrorOptions {
  /** The failed hook-tool call behind this error, if any. */
  readonly failure?: HookToolFailure;
}

/**
 * Base class of every error the Juju model throws.
 *
 * Each error class has a stable literal `code`; prefer `err.code` to `instanceof` when
 * comparing across versions. `instanceof` also works across two installed copies of this
 * package (a charm library may bring its own): instances carry a
 * `Symbol.for('opsjs.error.<code>')` brand for their class and every ancestor.
 *
 * When the error comes from a hook tool, `hookTool`, `argv`, `exitCode` and `stderr` describe
 * the call (as in ops, the message is then the tool's stderr).
 */
export class ModelError extends Error {
  /** The stable code of this class, also found on each instance as `code`. */
  static readonly code: string = 'OPSJS_MODEL';
  override readonly name: string = 'ModelError';
  readonly code: string = 'OPSJS_MODEL';
  /** The hook tool that failed, if this error comes from one. */
  readonly hookTool: string | undefined;
  /** The argv of the failed hook tool (without secret values), if any. */
  readonly argv: readonly string[] | undefined;
  /** The exit code of the failed hook tool, if any. */
  readonly exitCode: number | null | undefined;
  /** The stderr of the failed hook tool, if any. */
  readonly stderr: string | undefined;

  constructor(message: string, options?: ModelErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hookTool = options?.failure?.hookTool;
    this.argv = options?.failure?.argv;
    this.exitCode = options?.failure?.exitCode;
    this.stderr = options?.failure?.stderr;
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

function isErrorClass(value: unknown): value is typeof ModelError {
  return typeof value === 'function' && Object.hasOwn(value, 'code');
}

/** A hook tool is not on `PATH` (not in a hook context, or a Juju too old to have it). */
export class HookToolMissingError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_HOOK_TOOL_MISSING';
  override readonly name: string = 'HookToolMissingError';
  override readonly code: string = 'OPSJS_MODEL_HOOK_TOOL_MISSING';
}

/** A hook tool did not finish within the configured timeout and was killed. */
export class HookToolTimeoutError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_HOOK_TOOL_TIMEOUT';
  override readonly name: string = 'HookToolTimeoutError';
  override readonly code: string = 'OPSJS_MODEL_HOOK_TOOL_TIMEOUT';
}

/** A hook tool printed output that is not the JSON shape Juju documents. */
export class HookToolOutputError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_HOOK_TOOL_OUTPUT';
  override readonly name: string = 'HookToolOutputError';
  override readonly code: string = 'OPSJS_MODEL_HOOK_TOOL_OUTPUT';
}

/** A relation no longer exists (Juju: `relation not found`). */
export class RelationNotFoundError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_RELATION_NOT_FOUND';
  override readonly name: string = 'RelationNotFoundError';
  override readonly code: string = 'OPSJS_MODEL_RELATION_NOT_FOUND';
}

/** A secret does not exist or this unit cannot see it (Juju: `not found`). */
export class SecretNotFoundError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_SECRET_NOT_FOUND';
  override readonly name: string = 'SecretNotFoundError';
  override readonly code: string = 'OPSJS_MODEL_SECRET_NOT_FOUND';
}

/** A status that cannot be set (only active, blocked, maintenance and waiting can). */
export class InvalidStatusError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_INVALID_STATUS';
  override readonly name: string = 'InvalidStatusError';
  override readonly code: string = 'OPSJS_MODEL_INVALID_STATUS';
}

/** Base class of relation databag errors. */
export class RelationDataError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_RELATION_DATA';
  override readonly name: string = 'RelationDataError';
  override readonly code: string = 'OPSJS_MODEL_RELATION_DATA';
}

/** A relation databag key or value is not a string. */
export class RelationDataTypeError extends RelationDataError {
  static override readonly code: string = 'OPSJS_MODEL_RELATION_DATA_TYPE';
  override readonly name: string = 'RelationDataTypeError';
  override readonly code: string = 'OPSJS_MODEL_RELATION_DATA_TYPE';
}

/** This unit may not read or write that relation databag (ops' access rules). */
export class RelationDataAccessError extends RelationDataError {
  static override readonly code: string = 'OPSJS_MODEL_RELATION_DATA_ACCESS';
  override readonly name: string = 'RelationDataAccessError';
  override readonly code: string = 'OPSJS_MODEL_RELATION_DATA_ACCESS';
}

/** `getRelation(name)` found more than one relation on the endpoint. */
export class TooManyRelatedAppsError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_TOO_MANY_RELATED_APPS';
  override readonly name: string = 'TooManyRelatedAppsError';
  override readonly code: string = 'OPSJS_MODEL_TOO_MANY_RELATED_APPS';
  /** The endpoint with several relations. */
  readonly endpoint: string;
  /** How many relations there are. */
  readonly numRelated: number;
  /** How many were expected (1). */
  readonly maxSupported: number;

  constructor(endpoint: string, numRelated: number, maxSupported: number) {
    super(`Too many remote applications on ${endpoint} (${numRelated} > ${maxSupported})`);
    this.endpoint = endpoint;
    this.numRelated = numRelated;
    this.maxSupported = maxSupported;
  }
}

/**
 * The operation is not allowed for this unit: another unit's status, the application status
 * when not leader, leadership of another unit, and the like (ops raises `RuntimeError`).
 */
export class ModelAccessError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_ACCESS';
  override readonly name: string = 'ModelAccessError';
  override readonly code: string = 'OPSJS_MODEL_ACCESS';
}

/** A name (resource, storage, container, binding) is not declared in the charm metadata. */
export class UnknownNameError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_UNKNOWN_NAME';
  override readonly name: string = 'UnknownNameError';
  override readonly code: string = 'OPSJS_MODEL_UNKNOWN_NAME';
}

/** An argument is invalid (wrong type or shape); nothing was sent to Juju. */
export class InvalidArgumentError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_INVALID_ARGUMENT';
  override readonly name: string = 'InvalidArgumentError';
  override readonly code: string = 'OPSJS_MODEL_INVALID_ARGUMENT';
}

/** Secret content is invalid (empty, bad key, non-string value). Values are never shown. */
export class SecretContentError extends InvalidArgumentError {
  static override readonly code: string = 'OPSJS_MODEL_SECRET_CONTENT';
  override readonly name: string = 'SecretContentError';
  override readonly code: string = 'OPSJS_MODEL_SECRET_CONTENT';
}

/** A config value from Juju does not match the option's declared type. */
export class ConfigTypeError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_CONFIG_TYPE';
  override readonly name: string = 'ConfigTypeError';
  override readonly code: string = 'OPSJS_MODEL_CONFIG_TYPE';
  /** The config option. */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}

/** Charm metadata (charmcraft.yaml, metadata.yaml, config.yaml, actions.yaml) is invalid. */
export class MetadataError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_METADATA';
  override readonly name: string = 'MetadataError';
  override readonly code: string = 'OPSJS_MODEL_METADATA';
  /** The file the problem is in, when known. */
  readonly file: string | undefined;

  constructor(message: string, options?: ModelErrorOptions & { readonly file?: string }) {
    super(message, options);
    this.file = options?.file;
  }
}

/** The `JUJU_*` environment is missing a required variable or has a malformed one. */
export class JujuContextError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_JUJU_CONTEXT';
  override readonly name: string = 'JujuContextError';
  override readonly code: string = 'OPSJS_MODEL_JUJU_CONTEXT';
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(message);
    this.variable = variable;
  }
}

/** A string is not a valid Juju version. */
export class JujuVersionError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_JUJU_VERSION';
  override readonly name: string = 'JujuVersionError';
  override readonly code: string = 'OPSJS_MODEL_JUJU_VERSION';
}

/** `@opsjs/pebble` is not installed, so containers cannot be reached. */
export class PebbleUnavailableError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_PEBBLE_UNAVAILABLE';
  override readonly name: string = 'PebbleUnavailableError';
  override readonly code: string = 'OPSJS_MODEL_PEBBLE_UNAVAILABLE';
}

/** Several files failed in `Container.pushPath` / `pullPath`; `errors` lists each one. */
export class MultiPushPullError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_MULTI_PUSH_PULL';
  override readonly name: string = 'MultiPushPullError';
  override readonly code: string = 'OPSJS_MODEL_MULTI_PUSH_PULL';
  /** Each failed path with its error. */
  readonly errors: readonly (readonly [path: string, error: Error])[];

  constructor(message: string, errors: readonly (readonly [string, Error])[]) {
    super(message);
    this.errors = errors;
  }
}
