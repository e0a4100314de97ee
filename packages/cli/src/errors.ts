/** Options accepted by {@link CliError} and its subclasses. */
export interface CliErrorOptions extends ErrorOptions {
  /** The file the problem is in, when there is one. */
  readonly file?: string;
  /** The field (or command-line option) inside that file, when there is one. */
  readonly field?: string;
}

/**
 * Base class of every error the `opsjs` command line raises.
 *
 * The message is one line naming the file, the field and what was wrong, as the command
 * prints it. Each class has a stable literal `code`; `instanceof` also works across two
 * installed copies of this package: instances carry a `Symbol.for('opsjs.error.<code>')` brand
 * for their class and every ancestor.
 */
export class CliError extends Error {
  /** The stable code of this class, also found on each instance as `code`. */
  static readonly code: string = 'OPSJS_CLI';
  override readonly name: string = 'CliError';
  readonly code: string = 'OPSJS_CLI';
  /** The file the problem is in, if any. */
  readonly file: string | undefined;
  /** The field or command-line option at fault, if any. */
  readonly field: string | undefined;

  constructor(message: string, options?: CliErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.file = options?.file;
    this.field = options?.field;
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

function isErrorClass(value: unknown): value is typeof CliError {
  return typeof value === 'function' && Object.hasOwn(value, 'code');
}

/** The command line itself is wrong: unknown command or option, missing or bad argument. */
export class UsageError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_USAGE';
  override readonly name: string = 'UsageError';
  override readonly code: string = 'OPSJS_CLI_USAGE';
}

/** The charm project directory does not exist, is not a directory, or lacks metadata. */
export class ProjectNotFoundError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_PROJECT_NOT_FOUND';
  override readonly name: string = 'ProjectNotFoundError';
  override readonly code: string = 'OPSJS_CLI_PROJECT_NOT_FOUND';
}

/** A charm metadata file (charmcraft.yaml, metadata.yaml, config.yaml, actions.yaml) is invalid. */
export class CharmMetadataError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_CHARM_METADATA';
  override readonly name: string = 'CharmMetadataError';
  override readonly code: string = 'OPSJS_CLI_CHARM_METADATA';
}

/** The charm's entry file does not exist. */
export class EntryNotFoundError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_ENTRY_NOT_FOUND';
  override readonly name: string = 'EntryNotFoundError';
  override readonly code: string = 'OPSJS_CLI_ENTRY_NOT_FOUND';
}

/** esbuild could not bundle the charm's entry. */
export class BundleError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_BUNDLE';
  override readonly name: string = 'BundleError';
  override readonly code: string = 'OPSJS_CLI_BUNDLE';
}

/** No Node runtime for the target architecture is installed (or `--runtime` is not usable). */
export class RuntimeNotFoundError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_RUNTIME_NOT_FOUND';
  override readonly name: string = 'RuntimeNotFoundError';
  override readonly code: string = 'OPSJS_CLI_RUNTIME_NOT_FOUND';
}

/** An output file or directory cannot be written (not writable, not a directory, exists). */
export class OutputError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_OUTPUT';
  override readonly name: string = 'OutputError';
  override readonly code: string = 'OPSJS_CLI_OUTPUT';
}

/** `opsjs typegen --check` found the generated file missing or different from the metadata. */
export class StaleTypesError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_STALE_TYPES';
  override readonly name: string = 'StaleTypesError';
  override readonly code: string = 'OPSJS_CLI_STALE_TYPES';
}

/** A zip archive cannot be written: an entry is invalid or too large for a non-zip64 archive. */
export class ZipError extends CliError {
  static override readonly code: string = 'OPSJS_CLI_ZIP';
  override readonly name: string = 'ZipError';
  override readonly code: string = 'OPSJS_CLI_ZIP';
}
