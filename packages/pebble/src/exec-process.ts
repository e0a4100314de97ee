import { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { MessageEvent, WebSocket } from 'undici';
import { formatSeconds } from './duration.js';
import {
  ChangeError,
  ConnectionError,
  ExecError,
  ExecTimeoutError,
  ProtocolError,
} from './errors.js';
import type { PebbleClient } from './pebble-client.js';
import { type Change, execResultSchema, stringSchema } from './schemas.js';
import { signalName } from './signals.js';
import { loadUndici, parseResult, type Transport } from './transport.js';

/** A source of standard input for {@link PebbleClient.exec}. */
export type ExecStdin = string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>;

/** Options of {@link PebbleClient.exec}. */
export interface ExecOptions {
  /** Run in the context of this service: its environment, user, group and working dir. */
  serviceContext?: string;
  /** Extra environment variables. */
  environment?: Record<string, string>;
  workingDir?: string;
  /** Kill the command after this long, in milliseconds; Pebble then fails the change. */
  timeoutMs?: number;
  userId?: number;
  user?: string;
  groupId?: number;
  group?: string;
  /**
   * Standard input, sent and then closed. Without it, `process.stdin` is a Writable that the
   * caller writes to and must `end()`.
   */
  stdin?: ExecStdin;
  /** Write standard output here instead of exposing `process.stdout` (it is not ended). */
  stdout?: Writable;
  /** Write standard error here instead of exposing `process.stderr` (it is not ended). */
  stderr?: Writable;
  /** Merge standard error into standard output. */
  combineStderr?: boolean;
  /** Encoding of text input and captured output (default `utf8`); `null` for bytes. */
  encoding?: BufferEncoding | null;
}

/** Captured output of {@link ExecProcess.waitOutput}. */
export interface ExecOutput<T extends string | Buffer> {
  stdout: T;
  /** `undefined` when `combineStderr` was set. */
  stderr: T | undefined;
}

const MAX_BUFFERED_STDIN = 1024 * 1024;
// WebSocket ready states (WHATWG), as constants: undici itself is loaded only by an exec.
const CONNECTING = 0;
const OPEN = 1;
const END = JSON.stringify({ command: 'end' });

interface Channel {
  ws: WebSocket;
  ended: Promise<void>;
}

/**
 * A command running in the workload, returned by {@link PebbleClient.exec}. Call
 * {@link wait} or {@link waitOutput} exactly once.
 */
export class ExecProcess<T extends string | Buffer = string> {
  /** Standard input, when no `stdin` option was given; `end()` it to close the command's stdin. */
  readonly stdin: Writable | undefined;
  /** Standard output, when no `stdout` option was given. */
  readonly stdout: Readable | undefined;
  /** Standard error, when neither `stderr` nor `combineStderr` was given. */
  readonly stderr: Readable | undefined;
  /** The command line. */
  readonly command: readonly string[];
  /** The ID of the exec change. */
  readonly changeId: string;
  /** The ID of the exec task. */
  readonly taskId: string;
  /** The exit code, once {@link wait} or {@link waitOutput} has returned or thrown `ExecError`. */
  exitCode: number | undefined;

  readonly #client: PebbleClient;
  readonly #options: ExecOptions;
  readonly #control: WebSocket;
  readonly #channels: Channel[];
  readonly #stdinDone: Promise<void>;
  #waited = false;

  /** @internal */
  constructor(init: {
    client: PebbleClient;
    options: ExecOptions;
    command: readonly string[];
    changeId: string;
    taskId: string;
    control: WebSocket;
    channels: Channel[];
    stdin: Writable | undefined;
    stdout: Readable | undefined;
    stderr: Readable | undefined;
    stdinDone: Promise<void>;
  }) {
    this.#client = init.client;
    this.#options = init.options;
    this.command = init.command;
    this.changeId = init.changeId;
    this.taskId = init.taskId;
    this.#control = init.control;
    this.#channels = init.channels;
    this.stdin = init.stdin;
    this.stdout = init.stdout;
    this.stderr = init.stderr;
    this.#stdinDone = init.stdinDone;
    this.exitCode = undefined;
  }

  /**
   * Sends a signal (`'SIGTERM'` or a number) to the command.
   * @throws {ConnectionError} when the control connection is closed.
   */
  sendSignal(signal: string | number): void {
    const name = typeof signal === 'number' ? signalName(signal) : signal;
    if (this.#control.readyState !== OPEN) {
      throw new ConnectionError(
        `exec ${JSON.stringify(this.command)}: cannot send ${name}: control connection closed`,
        this.#client.socketPath,
      );
    }
    this.#control.send(JSON.stringify({ command: 'signal', signal: { name } }));
  }

  /**
   * Waits for the command to finish; output not captured is left in the streams.
   * @throws {ExecError} when it exits non-zero (without captured output).
   * @throws {ExecTimeoutError} when it ran past `timeoutMs` (a {@link ChangeError}).
   * @throws {ChangeError} when Pebble failed to run it.
   */
  async wait(): Promise<void> {
    const exitCode = await this.#waitExit();
    if (exitCode !== 0) throw new ExecError<T>(this.command, exitCode, undefined, undefined);
  }

  /**
   * Waits for the command to finish and returns its captured output (text, or bytes with
   * `encoding: null`). Only for processes started without `stdout`/`stderr` options.
   * @throws {ExecError} when it exits non-zero, carrying the captured output.
   * @throws {ExecTimeoutError} when it ran past `timeoutMs`.
   * @throws {TypeError} when `stdout` or `stderr` streams were given.
   */
  async waitOutput(): Promise<ExecOutput<T>> {
    const { stdout, stderr } = this;
    if (stdout === undefined || (stderr === undefined && !this.#options.combineStderr)) {
      throw new TypeError('waitOutput() cannot be used with stdout or stderr streams; use wait()');
    }
    const encoding = this.#options.encoding === undefined ? 'utf8' : this.#options.encoding;
    const [out, err, exitCode] = await Promise.all([
      collect(stdout, encoding),
      stderr === undefined ? Promise.resolve(undefined) : collect(stderr, encoding),
      this.#waitExit(),
    ]);
    // collect() returns a string with an encoding and a Buffer without, matching T.
    const typedOut = out as T;
    const typedErr = err as T | undefined;
    if (exitCode !== 0) throw new ExecError<T>(this.command, exitCode, typedOut, typedErr);
    return { stdout: typedOut, stderr: typedErr };
  }

  async #waitExit(): Promise<number> {
    if (this.#waited) throw new TypeError('wait() or waitOutput() was already called');
    this.#waited = true;
    let change: Change;
    try {
      const timeoutMs = this.#options.timeoutMs;
      change = await this.#client.waitChange(this.changeId, {
        timeoutMs: timeoutMs === undefined ? null : timeoutMs + 1000,
      });
    } catch (error) {
      this.#teardown();
      throw error;
    }
    if (change.err !== undefined) {
      this.#teardown();
      if (/timed out after/u.test(change.err)) throw new ExecTimeoutError(change.err, change);
      throw new ChangeError(change.err, change);
    }
    const raw = change.tasks[0]?.data['exit-code'];
    const exitCode = typeof raw === 'number' && Number.isInteger(raw) ? raw : -1;
    // The change can be ready a little before the last output frames arrive.
    await Promise.all(this.#channels.map((c) => c.ended));
    await this.#stdinDone;
    this.#teardown();
    this.exitCode = exitCode;
    return exitCode;
  }

  #teardown(): void {
    for (const ws of [this.#control, ...this.#channels.map((c) => c.ws)]) {
      if (ws.readyState === OPEN || ws.readyState === CONNECTING) ws.close(1000);
    }
  }
}

async function collect(
  stream: Readable,
  encoding: BufferEncoding | null,
): Promise<string | Buffer> {
  if (encoding === null) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  const decoder = new StringDecoder(encoding);
  let text = '';
  for await (const chunk of stream) text += decoder.write(chunk as Buffer);
  return text + decoder.end();
}

async function openSocket(url: string, transport: Transport): Promise<WebSocket> {
  const ws = await transport.webSocket(url);
  ws.binaryType = 'arraybuffer';
  await new Promise<void>((resolve, reject) => {
    const onOpen = (): void => {
      cleanup();
      resolve();
    };
    const onFail = (): void => {
      cleanup();
      reject(new Error(`cannot connect websocket ${url}`));
    };
    const cleanup = (): void => {
      ws.removeEventListener('open', onOpen);
      ws.removeEventListener('error', onFail);
      ws.removeEventListener('close', onFail);
    };
    ws.addEventListener('open', onOpen);
    ws.addEventListener('error', onFail);
    ws.addEventListener('close', onFail);
  });
  return ws;
}

/** Reads data frames into `target` until the `end` text frame (or a close). */
interface Sink {
  write(chunk: Buffer): void;
  end(): void;
}

/** A caller's Writable as a sink (never ended: the caller owns it). */
function writableSink(target: Writable): Sink {
  return { write: (chunk) => void target.write(chunk), end: () => undefined };
}

/**
 * An output stream of our own, fed directly (a websocket cannot be paused, so there is no
 * backpressure to relay: a plain Readable avoids a Transform's per-chunk machinery).
 */
function outputStream(): { stream: Readable; sink: Sink } {
  const stream = new Readable({ highWaterMark: 1024 * 1024, read: () => undefined });
  return {
    stream,
    sink: {
      write: (chunk) => void stream.push(chunk),
      end: () => void stream.push(null),
    },
  };
}

function readChannel(ws: WebSocket, target: Sink): Promise<void> {
  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      ws.removeEventListener('message', onMessage);
      ws.removeEventListener('close', finish);
      target.end();
      resolve();
    };
    const onMessage = (event: MessageEvent): void => {
      const data: unknown = event.data;
      if (typeof data === 'string') {
        try {
          const parsed: unknown = JSON.parse(data);
          if (
            typeof parsed === 'object' &&
            parsed !== null &&
            Reflect.get(parsed, 'command') === 'end'
          )
            finish();
        } catch {
          // Pebble's receivers ignore invalid JSON text frames; so do we.
        }
        return;
      }
      if (data instanceof ArrayBuffer) target.write(Buffer.from(data));
    };
    ws.addEventListener('message', onMessage);
    ws.addEventListener('close', finish);
  });
}

async function waitBuffered(ws: WebSocket): Promise<void> {
  while (ws.bufferedAmount > MAX_BUFFERED_STDIN && ws.readyState === OPEN)
    await new Promise((resolve) => setTimeout(resolve, 1));
}

async function pumpStdin(
  ws: WebSocket,
  source: ExecStdin,
  encoding: BufferEncoding,
): Promise<void> {
  try {
    if (typeof source === 'string') ws.send(Buffer.from(source, encoding));
    else if (source instanceof Uint8Array) ws.send(source);
    else {
      for await (const chunk of source) {
        if (ws.readyState !== OPEN) return;
        ws.send(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
        await waitBuffered(ws);
      }
    }
    if (ws.readyState === OPEN) ws.send(END);
  } catch {
    // A failing stdin source ends the command's input; the exit status tells the rest.
    if (ws.readyState === OPEN) ws.send(END);
  }
}

/** @internal */
export async function startExec(
  client: PebbleClient,
  transport: Transport,
  command: readonly string[],
  options: ExecOptions,
  open: Set<() => void>,
): Promise<ExecProcess<string> | ExecProcess<Buffer>> {
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    command.some((c) => typeof c !== 'string')
  ) {
    throw new TypeError('exec: command must be a non-empty array of strings');
  }
  const combine = options.combineStderr ?? false;
  if (combine && options.stderr !== undefined) {
    throw new TypeError('exec: stderr cannot be given with combineStderr');
  }
  // Load undici while the exec request makes its round trip.
  void loadUndici();
  const env = await transport.request('POST', '/v1/exec', {
    // The body ops sends: every field present, `null` when not given, environment `{}`.
    json: {
      command,
      'service-context': options.serviceContext ?? null,
      environment: options.environment ?? {},
      'working-dir': options.workingDir ?? null,
      timeout: options.timeoutMs === undefined ? null : formatSeconds(options.timeoutMs),
      'user-id': options.userId ?? null,
      user: options.user ?? null,
      'group-id': options.groupId ?? null,
      group: options.group ?? null,
      'split-stderr': !combine,
    },
  });
  const result = parseResult(execResultSchema(), env.result, 'POST /v1/exec');
  const changeId = parseResult(stringSchema(), env.change, 'POST /v1/exec (change)');
  const taskId = result['task-id'];
  const base = `ws://localhost/v1/tasks/${encodeURIComponent(taskId)}/websocket`;
  const sockets: WebSocket[] = [];
  try {
    for (const id of combine ? ['control', 'stdio'] : ['control', 'stdio', 'stderr']) {
      sockets.push(await openSocket(`${base}/${id}`, transport));
    }
  } catch (cause) {
    for (const ws of sockets) ws.close(1000);
    const change = await client
      .waitChange(changeId, { timeoutMs: transport.timeoutMs })
      .catch(() => undefined);
    if (change?.err !== undefined) throw new ChangeError(change.err, change, { cause });
    throw new ConnectionError(
      `exec ${JSON.stringify(command)}: cannot connect to the task's websockets at '${transport.socketPath}'`,
      transport.socketPath,
      { cause },
    );
  }
  const [control, stdio, stderrWs] = sockets;
  if (control === undefined || stdio === undefined) {
    throw new ProtocolError('exec: websockets missing', 'POST /v1/exec');
  }
  const encoding = options.encoding === undefined ? 'utf8' : options.encoding;
  const ownStdout = options.stdout === undefined ? outputStream() : undefined;
  const stdoutSink = ownStdout?.sink ?? writableSink(options.stdout as Writable);
  const channels: Channel[] = [{ ws: stdio, ended: readChannel(stdio, stdoutSink) }];
  let ownStderr: { stream: Readable; sink: Sink } | undefined;
  if (stderrWs !== undefined) {
    ownStderr = options.stderr === undefined ? outputStream() : undefined;
    const sink = ownStderr?.sink ?? writableSink(options.stderr as Writable);
    channels.push({ ws: stderrWs, ended: readChannel(stderrWs, sink) });
  }
  // Once every output stream has ended the process is gone: close the sockets even if the
  // caller never waits, and let the client close them if it is closed first.
  const closeAll = (): void => {
    open.delete(closeAll);
    for (const ws of sockets) {
      if (ws.readyState === OPEN || ws.readyState === CONNECTING) {
        ws.close(1000);
      }
    }
  };
  open.add(closeAll);
  void Promise.all(channels.map((c) => c.ended)).then(closeAll, closeAll);
  let stdin: Writable | undefined;
  let stdinDone: Promise<void> = Promise.resolve();
  if (options.stdin !== undefined) {
    stdinDone = pumpStdin(stdio, options.stdin, encoding ?? 'utf8');
  } else {
    stdin = new Writable({
      write(chunk: Buffer, _enc, callback): void {
        if (stdio.readyState !== OPEN) {
          callback(
            new ConnectionError(
              'exec: stdin closed: the command has finished',
              transport.socketPath,
            ),
          );
          return;
        }
        stdio.send(chunk);
        waitBuffered(stdio).then(() => callback(), callback);
      },
      final(callback): void {
        if (stdio.readyState === OPEN) stdio.send(END);
        callback();
      },
    });
  }
  return new ExecProcess<string>({
    client,
    options,
    command: [...command],
    changeId,
    taskId,
    control,
    channels,
    stdin,
    stdout: ownStdout?.stream,
    stderr: ownStderr?.stream,
    stdinDone,
  });
}
