/**
 * Running a hook tool to completion, as `child_process.spawnSync` does, without loading
 * `node:child_process`.
 *
 * Loading `node:child_process` makes Node evaluate `net`, `dgram`, every stream module and
 * their bindings: about 3.5 ms of a hook's start on Node 24, a fifth of `node -e 0`, paid by
 * every dispatch for a handful of short-lived children. `child_process.spawnSync` is a thin
 * JavaScript layer over Node's `spawn_sync` binding; this module calls that binding directly
 * where the running Node offers it (through `process.binding`, which Node keeps for it) with
 * the options `spawnSync` itself would pass, and decodes the result the same way. Elsewhere —
 * a Node without the binding, `--pending-deprecation` set (where `process.binding` warns), or an
 * argument `spawnSync` would reject — it uses `child_process.spawnSync`, loaded on first use.
 * The two give the same results; the tests run both.
 *
 * @internal
 */

/** What a finished (or failed to start) tool run gives back. */
export interface SpawnSyncResult {
  /** The exit code, or `null` when killed by a signal or not started. */
  readonly status: number | null;
  /** The signal that killed it (`'SIGKILL'`), or `null`. */
  readonly signal: string | null;
  /** Its stdout, UTF-8 decoded (empty when it did not start). */
  readonly stdout: string;
  /** Its stderr, UTF-8 decoded (empty when it did not start). */
  readonly stderr: string;
  /**
   * Set when the child could not be started or was stopped: `code` is `'ENOENT'` (not found),
   * `'ETIMEDOUT'` (ran past `timeout`, then killed), `'ENOBUFS'` (output past `maxBuffer`), ...
   */
  readonly error?: NodeJS.ErrnoException;
}

/** How to run it: stdio is always piped (stdin gets `input`, then end of file). */
export interface SpawnSyncOptions {
  /** Written to the child's stdin. */
  readonly input: string;
  /**
   * The child's whole environment (and the `PATH` the program is looked up in), or `null`: the
   * environment of this process, inherited as the operating system holds it — on the main
   * thread, what `process.env` shows, without copying it for each call.
   */
  readonly env: NodeJS.ProcessEnv | null;
  /** Kill the child with SIGKILL after this many milliseconds. */
  readonly timeout: number;
  /** Kill the child with SIGKILL when stdout or stderr grows past this many bytes. */
  readonly maxBuffer: number;
  /** Working directory of the child; default the current one. */
  readonly cwd?: string;
}

/** Which implementation {@link spawnSync} uses: `'auto'` (the binding where usable) or `'public'`. */
export type SpawnImplementation = 'auto' | 'public';

interface RawPipe {
  readonly type: 'pipe';
  readonly readable: boolean;
  readonly writable: boolean;
  readonly input?: Buffer;
}

interface RawSpawnOptions {
  readonly file: string;
  readonly args: readonly string[];
  readonly envPairs?: readonly string[];
  readonly stdio: readonly RawPipe[];
  readonly timeout: number;
  readonly maxBuffer: number;
  readonly killSignal: number;
  readonly cwd?: string;
}

interface SpawnBinding {
  spawn(options: RawSpawnOptions): unknown;
}

interface RawResult {
  readonly status: number | null;
  readonly signal: string | null;
  readonly output: ReadonlyArray<Buffer | null> | null;
  readonly error?: number;
}

/** SIGKILL's number, the same on every platform Node runs charms on (POSIX fixes it at 9). */
const SIGKILL = 9;

let binding: SpawnBinding | null | undefined;

/** Node's `spawn_sync` binding, or `null` where it is missing or would print a warning. */
function spawnBinding(): SpawnBinding | null {
  if (binding !== undefined) return binding;
  binding = null;
  const pending =
    process.execArgv.includes('--pending-deprecation') ||
    /(^|\s)--pending-deprecation(\s|$)/.test(process.env.NODE_OPTIONS ?? '') ||
    process.env.NODE_PENDING_DEPRECATION === '1';
  const legacy: unknown = Reflect.get(process, 'binding');
  if (pending || typeof legacy !== 'function') return binding;
  try {
    const candidate: unknown = Reflect.apply(legacy, process, ['spawn_sync']);
    if (
      typeof candidate === 'object' &&
      candidate !== null &&
      typeof Reflect.get(candidate, 'spawn') === 'function'
    ) {
      binding = candidate as SpawnBinding;
    }
  } catch {
    binding = null;
  }
  return binding;
}

function isRawResult(value: unknown): value is RawResult {
  if (typeof value !== 'object' || value === null) return false;
  const status: unknown = Reflect.get(value, 'status');
  const signal: unknown = Reflect.get(value, 'signal');
  const output: unknown = Reflect.get(value, 'output');
  const error: unknown = Reflect.get(value, 'error');
  return (
    (status === null || typeof status === 'number') &&
    (signal === null || typeof signal === 'string') &&
    (output === null ||
      (Array.isArray(output) && output.every((o) => o === null || Buffer.isBuffer(o)))) &&
    (error === undefined || typeof error === 'number')
  );
}

/** The error `child_process.spawnSync` makes of a libuv error number. */
function spawnError(errno: number, file: string, args: readonly string[]): NodeJS.ErrnoException {
  const util = process.getBuiltinModule('node:util');
  let code: string;
  try {
    code = util.getSystemErrorName(errno);
  } catch {
    code = `Unknown system error ${errno}`;
  }
  const error: NodeJS.ErrnoException = new Error(`spawnSync ${file} ${code}`);
  error.errno = errno;
  error.code = code;
  error.syscall = `spawnSync ${file}`;
  error.path = file;
  Object.defineProperty(error, 'spawnargs', {
    value: [...args],
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return error;
}

/**
 * `KEY=value` for each variable of `env` with a value, as `spawnSync` passes them, or `undefined`
 * when a name or value holds a NUL byte (the binding would cut it there; `spawnSync` throws).
 * One pass: each read of `process.env` goes through Node's C++ accessors.
 */
function envPairsOf(env: NodeJS.ProcessEnv): string[] | undefined {
  const pairs: string[] = [];
  for (const key in env) {
    const value = env[key];
    if (value === undefined) continue;
    if (key.includes('\0') || value.includes('\0')) return undefined;
    pairs.push(`${key}=${value}`);
  }
  return pairs;
}

function viaPublicApi(
  file: string,
  args: readonly string[],
  options: SpawnSyncOptions,
): SpawnSyncResult {
  const { spawnSync: nodeSpawnSync } = process.getBuiltinModule('node:child_process');
  const result = nodeSpawnSync(file, args, {
    encoding: 'utf8',
    input: options.input,
    env: options.env ?? process.env,
    timeout: options.timeout,
    killSignal: 'SIGKILL',
    maxBuffer: options.maxBuffer,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return {
    status: result.status,
    signal: result.signal,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    ...(result.error === undefined ? {} : { error: result.error }),
  };
}

/**
 * Runs `file` (looked up on `options.env.PATH` when it has no slash) with `args`, no shell,
 * and waits for it: `child_process.spawnSync(file, args, { encoding: 'utf8', input, env,
 * timeout, killSignal: 'SIGKILL', maxBuffer, cwd })`, without loading `node:child_process`
 * where Node's binding can be used (see the module comment).
 *
 * @throws what `child_process.spawnSync` throws for arguments it rejects (a NUL byte, a
 *   timeout that is not an integer ≥ 0, a negative maxBuffer).
 */
export function spawnSync(
  file: string,
  args: readonly string[],
  options: SpawnSyncOptions,
  implementation: SpawnImplementation = 'auto',
): SpawnSyncResult {
  const raw = implementation === 'auto' ? spawnBinding() : null;
  // What spawnSync would reject (a NUL byte, a timeout or maxBuffer out of range) goes to it, so
  // that it throws its own error.
  const valid =
    raw !== null &&
    Number.isInteger(options.timeout) &&
    options.timeout >= 0 &&
    options.maxBuffer >= 0 &&
    !file.includes('\0') &&
    !args.some((a) => a.includes('\0'));
  const envPairs = !valid ? undefined : options.env === null ? null : envPairsOf(options.env);
  if (raw === null || envPairs === undefined) return viaPublicApi(file, args, options);
  const stdin: RawPipe =
    options.input === ''
      ? { type: 'pipe', readable: true, writable: false }
      : { type: 'pipe', readable: true, writable: false, input: Buffer.from(options.input) };
  const result = raw.spawn({
    file,
    args: [file, ...args],
    // No envPairs: libuv gives the child this process's environment.
    ...(envPairs === null ? {} : { envPairs }),
    stdio: [
      stdin,
      { type: 'pipe', readable: false, writable: true },
      { type: 'pipe', readable: false, writable: true },
    ],
    timeout: options.timeout,
    maxBuffer: options.maxBuffer,
    killSignal: SIGKILL,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  if (!isRawResult(result)) {
    // A Node whose binding answers differently: report it as a tool that could not run.
    const error: NodeJS.ErrnoException = new Error(
      `spawnSync ${file}: unexpected result from Node's spawn_sync binding`,
    );
    return { status: null, signal: null, stdout: '', stderr: '', error };
  }
  const out = result.output;
  return {
    status: result.status,
    signal: result.signal,
    stdout: out?.[1]?.toString('utf8') ?? '',
    stderr: out?.[2]?.toString('utf8') ?? '',
    ...(result.error === undefined ? {} : { error: spawnError(result.error, file, args) }),
  };
}
