import { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { formatGoDuration } from '../duration.js';
import type { ChangeStore, FakeChange, FakeTask } from './changes.js';
import type { ExecMatcher, FakeExecContext, FakeExecHandler } from './exec-types.js';

const SIGNUMS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
};
const FRAME = 128 * 1024;
const END = JSON.stringify({ command: 'end' });

/** Tells whether `matcher` selects `command`. @internal */
export function matches(matcher: ExecMatcher, command: readonly string[]): boolean {
  if (typeof matcher === 'function') return matcher(command);
  const prefix = typeof matcher === 'string' ? [matcher] : matcher;
  return prefix.every((part, i) => command[i] === part);
}

/** Settings of one exec. @internal */
export interface ExecSpec {
  command: string[];
  environment: Record<string, string>;
  workingDir: string;
  userId: number | undefined;
  user: string | undefined;
  groupId: number | undefined;
  group: string | undefined;
  serviceContext: string | undefined;
  timeoutMs: number | undefined;
  splitStderr: boolean;
  handler: FakeExecHandler;
}

function sendFrames(
  ws: WebSocket | undefined,
  chunk: Buffer,
  callback: (error?: Error | null) => void,
): void {
  if (ws === undefined || ws.readyState !== ws.OPEN) {
    callback();
    return;
  }
  // Frames of at most 128 KiB, as Pebble sends; the callback waits for the last one only.
  for (let offset = 0; offset < chunk.length; offset += FRAME) {
    const last = offset + FRAME >= chunk.length;
    const piece = chunk.subarray(offset, offset + FRAME);
    if (last) ws.send(piece, { binary: true }, () => callback());
    else ws.send(piece, { binary: true });
  }
  if (chunk.length === 0) callback();
}

/** One running (or waiting) exec task. @internal */
export class FakeExec {
  readonly spec: ExecSpec;
  readonly change: FakeChange;
  readonly task: FakeTask;
  readonly sockets = new Map<string, WebSocket>();
  readonly #changes: ChangeStore;
  readonly #abort = new AbortController();
  readonly #signalListeners: ((name: string) => void)[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #stdin: Readable;
  #started = false;
  #finished = false;

  constructor(
    spec: ExecSpec,
    change: FakeChange,
    task: FakeTask,
    changes: ChangeStore,
    connectTimeoutMs: number,
  ) {
    this.spec = spec;
    this.change = change;
    this.task = task;
    this.#changes = changes;
    this.#stdin = new Readable({
      read: () => {
        this.sockets.get('stdio')?.resume();
      },
    });
    changes.setTask(change, task, 'Doing');
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#started || this.#finished) return;
      this.#fail(
        `exec ${task.id}: timeout waiting for websocket connections: context deadline exceeded`,
      );
    }, connectTimeoutMs);
    this.#timers.add(timer);
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** Attaches a websocket; starts the process when the data sockets are all there. */
  attach(id: string, ws: WebSocket): void {
    this.sockets.set(id, ws);
    if (id === 'stdio') {
      ws.on('message', (data, isBinary) => {
        if (isBinary) {
          const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
          if (!this.#stdin.push(buf)) ws.pause();
        } else if (isEnd(data)) this.#stdin.push(null);
      });
      ws.on('close', () => {
        if (!this.#stdin.readableEnded) this.#stdin.push(null);
      });
    }
    if (id === 'control') {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        this.#control(String(data));
      });
      ws.on('close', (code) => {
        // An abnormal drop of the control socket while the process runs kills it (Pebble).
        if (code === 1006 && this.#started && !this.#finished) this.#kill('SIGKILL');
      });
    }
    ws.on('error', () => undefined);
    const needed = this.spec.splitStderr ? ['stdio', 'stderr'] : ['stdio'];
    if (!this.#started && needed.every((n) => this.sockets.has(n))) {
      this.#started = true;
      this.#run().catch(() => undefined);
    }
  }

  #control(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (Reflect.get(message, 'command') !== 'signal') return;
    const signal: unknown = Reflect.get(message, 'signal');
    const name =
      typeof signal === 'object' && signal !== null ? Reflect.get(signal, 'name') : undefined;
    if (typeof name !== 'string') return;
    if (this.#signalListeners.length > 0)
      for (const listener of this.#signalListeners) listener(name);
    else this.#kill(name);
  }

  #kill(name: string): void {
    if (this.#finished) return;
    this.#abort.abort(new Error(`killed by ${name}`));
    void this.#complete(128 + (SIGNUMS[name] ?? 9));
  }

  async #run(): Promise<void> {
    const stdio = this.sockets.get('stdio');
    const stderrWs = this.spec.splitStderr ? this.sockets.get('stderr') : stdio;
    const makeWritable = (ws: WebSocket | undefined, sendEnd: boolean): Writable =>
      new Writable({
        // Room for a few chunks in flight, so that a handler writing as fast as it can is
        // not woken for every chunk (the frames are queued on the socket, not copied).
        highWaterMark: 4 * 1024 * 1024,
        write: (chunk: Buffer, _enc, callback) => sendFrames(ws, chunk, callback),
        final: (callback) => {
          if (sendEnd && ws !== undefined && ws.readyState === ws.OPEN)
            ws.send(END, () => callback());
          else callback();
        },
      });
    const stdout = makeWritable(stdio, true);
    const stderr = makeWritable(stderrWs, this.spec.splitStderr);
    this.#outputs = [stdout, stderr];
    if (this.spec.timeoutMs !== undefined && this.spec.timeoutMs > 0) {
      const timeout = this.spec.timeoutMs;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (this.#finished) return;
        this.#abort.abort(new Error('timeout'));
        this.#fail(`timed out after ${formatGoDuration(timeout)}: context deadline exceeded`, -1);
      }, timeout);
      this.#timers.add(timer);
    }
    const context: FakeExecContext = {
      command: this.spec.command,
      environment: this.spec.environment,
      workingDir: this.spec.workingDir,
      userId: this.spec.userId,
      user: this.spec.user,
      groupId: this.spec.groupId,
      group: this.spec.group,
      serviceContext: this.spec.serviceContext,
      stdin: this.#stdin,
      stdout,
      stderr,
      signal: this.#abort.signal,
      onSignal: (listener) => this.#signalListeners.push(listener),
    };
    let exitCode: number;
    try {
      exitCode = (await this.spec.handler(context)) ?? 0;
    } catch (error) {
      if (this.#finished) return;
      this.#fail(`exec handler for "${this.spec.command[0]}" failed: ${(error as Error).message}`);
      return;
    }
    await this.#complete(exitCode);
  }

  #outputs: Writable[] = [];

  async #endOutputs(): Promise<void> {
    await Promise.all(
      this.#outputs.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.writableFinished || w.destroyed) {
              resolve();
              return;
            }
            w.once('finish', () => resolve());
            w.once('error', () => resolve());
            w.end();
          }),
      ),
    );
  }

  async #complete(exitCode: number): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    this.#clearTimers();
    await this.#endOutputs();
    this.task.data = { 'exit-code': exitCode };
    this.#changes.setTask(this.change, this.task, 'Done');
    this.#dropControl();
  }

  #fail(message: string, exitCode?: number): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#clearTimers();
    for (const w of this.#outputs) w.end();
    if (this.#outputs.length === 0) {
      for (const id of ['stdio', 'stderr']) {
        const ws = this.sockets.get(id);
        if (ws !== undefined && ws.readyState === ws.OPEN) ws.send(END);
      }
    }
    if (exitCode !== undefined) this.task.data = { 'exit-code': exitCode };
    this.#changes.log(this.task, 'ERROR', message);
    this.#changes.setTask(this.change, this.task, 'Error');
    this.#dropControl();
  }

  /** Aborts the exec as Pebble does: kill, exit code 137, change Done. */
  abort(): void {
    if (this.#finished) return;
    if (!this.#started) {
      this.#finished = true;
      this.#clearTimers();
      this.#changes.setTask(this.change, this.task, 'Hold');
      return;
    }
    this.#abort.abort(new Error('aborted'));
    void this.#complete(137);
  }

  #dropControl(): void {
    // Pebble drops the control connection without a close frame when the process exits.
    this.sockets.get('control')?.terminate();
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Ends everything (server shutdown). */
  destroy(): void {
    this.#clearTimers();
    this.#abort.abort(new Error('server closed'));
    for (const ws of this.sockets.values()) ws.terminate();
    this.#stdin.destroy();
  }
}

function isEnd(data: unknown): boolean {
  try {
    const parsed: unknown = JSON.parse(String(data));
    return (
      typeof parsed === 'object' && parsed !== null && Reflect.get(parsed, 'command') === 'end'
    );
  } catch {
    return false;
  }
}
