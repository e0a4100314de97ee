/**
 * Base class of every error the Pebble client throws.
 *
 * Each error class has a stable literal `code`; prefer `err.code` to `instanceof` when
 * comparing across versions. `instanceof` also works across two installed copies of this
 * package (a charm library may bring its own): instances carry a
 * `Symbol.for('opsjs.error.<code>')` brand for their class and every ancestor.
 */
export class PebbleError extends Error {
  /** The stable code of this class, also found on each instance as `code`. */
  static readonly code: string = 'OPSJS_PEBBLE';
  override readonly name: string = 'PebbleError';
  readonly code: string = 'OPSJS_PEBBLE';

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

function isErrorClass(value: unknown): value is typeof PebbleError {
  return typeof value === 'function' && Object.hasOwn(value, 'code');
}

/**
 * The Pebble socket could not be reached: the socket file is missing, the connection was
 * refused or reset, or the server closed the connection before replying.
 */
export class ConnectionError extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_CONNECTION';
  override readonly name: string = 'ConnectionError';
  override readonly code: string = 'OPSJS_PEBBLE_CONNECTION';
  /** The socket path the client tried to use. */
  readonly socketPath: string;

  constructor(message: string, socketPath: string, options?: ErrorOptions) {
    super(message, options);
    this.socketPath = socketPath;
  }
}

/**
 * The server replied with something that does not follow Pebble's protocol: a malformed
 * envelope, an unexpected content type, a reply too large, or a result of the wrong shape.
 */
export class ProtocolError extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_PROTOCOL';
  override readonly name: string = 'ProtocolError';
  override readonly code: string = 'OPSJS_PEBBLE_PROTOCOL';
  /** The request that got the reply, such as `GET /v1/changes`. */
  readonly endpoint: string;

  constructor(message: string, endpoint: string, options?: ErrorOptions) {
    super(message, options);
    this.endpoint = endpoint;
  }
}

/** Pebble answered a request with an error envelope (HTTP 4xx or 5xx). */
export class APIError extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_API';
  override readonly name: string = 'APIError';
  override readonly code: string = 'OPSJS_PEBBLE_API';
  /** The HTTP status code, such as 404. */
  readonly status: number;
  /** The HTTP reason phrase Pebble sent, such as `Not Found`. */
  readonly statusText: string;
  /** Pebble's error kind (`result.kind`), such as `not-found`, when it sent one. */
  readonly kind: string | undefined;
  /** Pebble's error message (`result.message`). */
  readonly apiMessage: string;
  /** The request that failed, such as `POST /v1/services`. */
  readonly endpoint: string;
  /** The parsed error envelope, as Pebble sent it. */
  readonly body: unknown;

  constructor(
    init: {
      status: number;
      statusText: string;
      kind?: string | undefined;
      message: string;
      endpoint: string;
      body?: unknown;
    },
    options?: ErrorOptions,
  ) {
    super(`${init.endpoint}: ${init.status} ${init.statusText}: ${init.message}`, options);
    this.status = init.status;
    this.statusText = init.statusText;
    this.kind = init.kind;
    this.apiMessage = init.message;
    this.endpoint = init.endpoint;
    this.body = init.body;
  }
}

/** The shape of a change carried by a {@link ChangeError}; see `Change` in the client types. */
export interface ChangeErrorChange {
  readonly id: string;
  readonly kind: string;
  readonly summary: string;
  readonly status: string;
  readonly err?: string | undefined;
  readonly tasks: readonly { readonly summary: string; readonly log: readonly string[] }[];
}

/**
 * A change finished with an error (`change.err`), such as a service that failed to start.
 * The message appends each task's log lines, as ops does.
 */
export class ChangeError extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_CHANGE';
  override readonly name: string = 'ChangeError';
  override readonly code: string = 'OPSJS_PEBBLE_CHANGE';
  /** The error text of the change. */
  readonly err: string;
  /** The change that failed, as Pebble reported it. */
  readonly change: ChangeErrorChange;

  constructor(err: string, change: ChangeErrorChange, options?: ErrorOptions) {
    super(formatChangeError(err, change), options);
    this.err = err;
    this.change = change;
  }
}

// The text of ops' `str(ChangeError)`: the error, then each task's log under its index.
function formatChangeError(err: string, change: ChangeErrorChange): string {
  const parts = [err];
  for (const [i, task] of change.tasks.entries()) {
    if (task.log.length === 0) continue;
    parts.push(`\n----- Logs from task ${i} -----\n`);
    parts.push(task.log.join('\n'));
  }
  if (parts.length > 1) parts.push('\n-----');
  return parts.join('');
}

/**
 * An exec command ran past its `timeoutMs`: Pebble killed it and failed its change (exit code
 * -1). It is a {@link ChangeError}, as in ops, and recognisable by its own class and code.
 */
export class ExecTimeoutError extends ChangeError {
  static override readonly code: string = 'OPSJS_PEBBLE_EXEC_TIMEOUT';
  override readonly name: string = 'ExecTimeoutError';
  override readonly code: string = 'OPSJS_PEBBLE_EXEC_TIMEOUT';
  /** Always true: the change failed because the command timed out. */
  readonly timedOut = true;
}

/** A wait ran out of time: a change did not become ready, or a request got no reply in time. */
export class TimeoutError extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_TIMEOUT';
  override readonly name: string = 'TimeoutError';
  override readonly code: string = 'OPSJS_PEBBLE_TIMEOUT';
  /** How long the client waited, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options?: ErrorOptions) {
    super(message, options);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An exec'd command exited with a non-zero code. `stdout`/`stderr` hold the captured output
 * when it was captured (`waitOutput`), `undefined` otherwise.
 */
export class ExecError<T extends string | Uint8Array = string | Uint8Array> extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_EXEC';
  override readonly name: string = 'ExecError';
  override readonly code: string = 'OPSJS_PEBBLE_EXEC';
  /** The command line that was run. */
  readonly command: readonly string[];
  /** The exit code (128 + n when killed by signal n). */
  readonly exitCode: number;
  /** Captured standard output, when captured. */
  readonly stdout: T | undefined;
  /** Captured standard error, when captured separately. */
  readonly stderr: T | undefined;

  constructor(
    command: readonly string[],
    exitCode: number,
    stdout: T | undefined,
    stderr: T | undefined,
    options?: ErrorOptions,
  ) {
    super(formatExecError(command, exitCode, stdout, stderr), options);
    this.command = command;
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

const EXEC_MAX_OUTPUT = 1024;

// The text of ops' `str(ExecError)`: the executable's name and each captured output in
// Python's repr, cut to 1024 characters (bytes when captured as bytes).
function formatExecError(
  command: readonly string[],
  exitCode: number,
  stdout: string | Uint8Array | undefined,
  stderr: string | Uint8Array | undefined,
): string {
  let message = `non-zero exit code ${exitCode} executing ${pyRepr(command[0] ?? '')}`;
  for (const [name, out] of [
    ['stdout', stdout],
    ['stderr', stderr],
  ] as const) {
    if (out === undefined) continue;
    // Python counts characters (code points) of a str, bytes of a bytes object.
    const units = typeof out === 'string' ? Array.from(out) : out;
    const truncated = units.length > EXEC_MAX_OUTPUT ? ' [truncated]' : '';
    const head =
      typeof out === 'string'
        ? Array.from(out).slice(0, EXEC_MAX_OUTPUT).join('')
        : out.subarray(0, EXEC_MAX_OUTPUT);
    message += `, ${name}=${pyRepr(head)}${truncated}`;
  }
  return message;
}

/**
 * Python's `repr()` of a str (or, for bytes, of a bytes object), so messages read as ops'.
 * @internal
 */
export function pyRepr(value: string | Uint8Array): string {
  const isBytes = typeof value !== 'string';
  const chars = isBytes ? Array.from(value, (b) => String.fromCharCode(b)) : Array.from(value);
  const hasSingle = chars.includes("'");
  const quote = hasSingle && !chars.includes('"') ? '"' : "'";
  let out = '';
  for (const c of chars) {
    const code = c.codePointAt(0) ?? 0;
    if (c === quote || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (
      code < 0x20 ||
      code === 0x7f ||
      (isBytes && code > 0x7f) ||
      (code > 0x7f && code < 0xa1)
    )
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `${isBytes ? 'b' : ''}${quote}${out}${quote}`;
}

/** The kinds of per-path failure Pebble reports for file operations. */
export type PathErrorKind =
  | 'not-found'
  | 'permission-denied'
  | 'generic-file-error'
  | (string & {});

/** A file operation failed for one path (push, pull, makeDir, removePath). */
export class PathError extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_PATH';
  override readonly name: string = 'PathError';
  override readonly code: string = 'OPSJS_PEBBLE_PATH';
  /** Pebble's error kind: `not-found`, `permission-denied` or `generic-file-error`. */
  readonly kind: PathErrorKind;
  /** The path the operation was for. */
  readonly path: string;
  /** Pebble's message for the path (the error's `message` is `<kind> - <that>`, as ops). */
  readonly apiMessage: string;

  constructor(kind: PathErrorKind, message: string, path: string, options?: ErrorOptions) {
    super(`${kind} - ${message}`, options);
    this.kind = kind;
    this.path = path;
    this.apiMessage = message;
  }
}
