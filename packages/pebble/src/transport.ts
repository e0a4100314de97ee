import { existsSync } from 'node:fs';
import type {
  ClientRequest,
  RequestOptions as HttpRequestOptions,
  IncomingMessage,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Agent as UndiciAgent, WebSocket } from 'undici';
import { APIError, ConnectionError, PebbleError, ProtocolError, TimeoutError } from './errors.js';
import { download } from './http-download.js';
import { envelopeSchema, errorResultSchema, partialEnvelopeSchema } from './schemas.js';
import type { ZodError, ZodOutput, ZodType } from './zod.js';
import { safeParse } from './zod.js';

/** A query string value: lists are sent as repeated parameters. @internal */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** Options for one request. @internal */
export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (streamed). */
  body?: AsyncIterable<Uint8Array> | Uint8Array;
  headers?: Record<string, string>;
  /** How long to wait for the reply's headers, when longer than the client's timeout. */
  headersTimeoutMs?: number;
  /** How long to wait between body chunks; 0 waits forever. */
  bodyTimeoutMs?: number;
  /** Statuses other than 2xx whose envelope is a normal reply (health's 502). */
  okStatuses?: readonly number[];
  signal?: AbortSignal;
}

/** A raw reply. @internal */
export interface RawReply {
  status: number;
  contentType: string;
  body: Readable;
}

/** A parsed JSON envelope. @internal */
export interface EnvelopeReply {
  status: number;
  type: 'sync' | 'async' | 'error';
  change: string | undefined;
  result: unknown;
}

// `node:http` through getBuiltinModule, not an `import`: Node's ES module wrapper of a built-in
// reads every export, and `http.WebSocket` (with `MessageEvent`, `CloseEvent`) is a getter that
// loads Node's own bundled undici with tls, http2 and zlib: about 25 ms per process.
const { Agent, request: httpRequest, STATUS_CODES } = process.getBuiltinModule('node:http');

/** How long an idle kept-alive connection stays open, in milliseconds. */
const IDLE_MS = 1000;

/**
 * A transport failure found by the transport itself (a timeout, a closed client). The names
 * and codes are those of the undici errors an earlier transport raised, so that code looking
 * at an error's `cause` keeps working.
 */
class TransportFailure extends Error {
  readonly code: string;

  constructor(name: string, message: string, code: string) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

const connectTimeout = (): Error =>
  new TransportFailure('ConnectTimeoutError', 'Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT');
const headersTimeout = (): Error =>
  new TransportFailure('HeadersTimeoutError', 'Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT');
const bodyTimeout = (): Error =>
  new TransportFailure('BodyTimeoutError', 'Body Timeout Error', 'UND_ERR_BODY_TIMEOUT');
const socketClosed = (): Error =>
  new TransportFailure('SocketError', 'other side closed', 'UND_ERR_SOCKET');
const clientClosed = (): Error =>
  new TransportFailure('ClientClosedError', 'the client is closed', 'OPSJS_PEBBLE_CLIENT_CLOSED');

/** The error of connecting to a missing unix socket, as `node:net` reports it. */
function socketMissing(socketPath: string): Error {
  return Object.assign(new Error(`connect ENOENT ${socketPath}`), {
    errno: -2,
    code: 'ENOENT',
    syscall: 'connect',
    address: socketPath,
  });
}

/** A request in flight, as {@link Transport.close} ends it. */
interface InFlight {
  req: ClientRequest;
  res: IncomingMessage | undefined;
}

/**
 * HTTP over Pebble's unix socket (`node:http`, built into Node: no HTTP library to load), with
 * error mapping and envelope parsing. Exec's websockets use undici, loaded on the first exec.
 * @internal
 */
export class Transport {
  readonly socketPath: string;
  readonly timeoutMs: number;
  readonly maxJsonBytes: number;
  /**
   * Keeps connections open between calls. Node's agent unrefs an idle socket, so that a kept
   * connection never keeps the process alive, and closes it after {@link IDLE_MS}.
   */
  readonly #agent = new Agent({ keepAlive: true, timeout: IDLE_MS });
  readonly #inFlight = new Set<InFlight>();
  readonly #downloads = new Set<(error: Error) => void>();
  #closed = false;
  #wsAgent: UndiciAgent | undefined;

  constructor(socketPath: string, timeoutMs: number, maxJsonBytes: number) {
    this.socketPath = socketPath;
    this.timeoutMs = timeoutMs;
    this.maxJsonBytes = maxJsonBytes;
  }

  /** Builds the path and query of a request. */
  static url(path: string, query: Record<string, QueryValue> | undefined): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
      else params.append(key, String(value));
    }
    const text = params.toString();
    return text === '' ? path : `${path}?${text}`;
  }

  /** Sends a request and returns the raw reply, mapping transport failures to typed errors. */
  async raw(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<RawReply> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: string | Uint8Array | AsyncIterable<Uint8Array> | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else {
      body = options.body;
    }
    if (typeof body === 'string' || body instanceof Uint8Array) {
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const headersTimeoutMs = options.headersTimeoutMs ?? this.timeoutMs;
    try {
      return await this.#send(
        method,
        Transport.url(path, options.query),
        headers,
        body,
        headersTimeoutMs,
        options.bodyTimeoutMs ?? this.timeoutMs,
        options.signal,
        true,
      );
    } catch (cause) {
      throw this.mapError(cause, `${method} ${path}`, headersTimeoutMs);
    }
  }

  /**
   * One HTTP exchange: resolves with the reply once its headers are in. Timeouts as undici's:
   * connecting, then the headers (restarted by each body chunk sent), then each body chunk
   * while the reader is not holding the body back.
   */
  #send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array | AsyncIterable<Uint8Array> | undefined,
    headersTimeoutMs: number,
    bodyTimeoutMs: number,
    signal: AbortSignal | undefined,
    mayRetry: boolean,
  ): Promise<RawReply> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(clientClosed());
    // A missing socket (the container is not up yet, a common case) fails at once, without a
    // connection attempt, with the error connecting would give.
    if (!existsSync(this.socketPath)) return Promise.reject(socketMissing(this.socketPath));
    return new Promise<RawReply>((resolve, reject) => {
      const options: HttpRequestOptions & { readonly servername: string } = {
        agent: this.#agent,
        socketPath: this.socketPath,
        method,
        path: url,
        headers,
        // A TLS option, meaningless on a unix socket, but set: otherwise Node's agent derives it
        // from the Host header with net.isIP, whose IPv6 regular expression takes a fresh
        // process (every hook) about 3.5 ms to compile.
        servername: '',
      };
      const req = httpRequest(options);
      const entry: InFlight = { req, res: undefined };
      this.#inFlight.add(entry);
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const onAbort = (): void => {
        const reason: unknown = signal?.reason;
        const error = reason instanceof Error ? reason : new Error(String(reason));
        if (entry.res === undefined) req.destroy(error);
        else entry.res.destroy(error);
      };
      const done = (): void => {
        clearTimeout(timer);
        timer = undefined;
        signal?.removeEventListener('abort', onAbort);
        this.#inFlight.delete(entry);
      };
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        done();
        // A kept-alive connection the server has just closed: send again on a new one, when
        // the body can be sent again and nothing came back.
        const code: unknown = Reflect.get(error, 'code');
        if (
          mayRetry &&
          req.reusedSocket &&
          (code === 'ECONNRESET' || code === 'EPIPE') &&
          !isStream(body)
        ) {
          resolve(
            this.#send(method, url, headers, body, headersTimeoutMs, bodyTimeoutMs, signal, false),
          );
          return;
        }
        reject(signal?.aborted && !(error instanceof TransportFailure) ? signal.reason : error);
      };
      const arm = (ms: number, make: () => Error): void => {
        clearTimeout(timer);
        timer = undefined;
        if (ms > 0 && Number.isFinite(ms)) {
          timer = setTimeout(() => req.destroy(make()), ms);
          timer.unref();
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', fail);
      req.once('socket', (socket: Socket) => {
        if (socket.connecting) {
          arm(this.timeoutMs, connectTimeout);
          socket.once('connect', () => {
            if (!settled && entry.res === undefined) arm(headersTimeoutMs, headersTimeout);
          });
        } else {
          arm(headersTimeoutMs, headersTimeout);
        }
      });
      req.once('response', (res: IncomingMessage) => {
        settled = true;
        clearTimeout(timer);
        timer = undefined;
        entry.res = res;
        watchBody(res, bodyTimeoutMs, done);
        const type = res.headers['content-type'];
        resolve({
          status: res.statusCode ?? 0,
          contentType: typeof type === 'string' ? type : '',
          body: res,
        });
      });
      if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
        req.end(body);
      } else {
        pump(req, body, () => {
          if (timer !== undefined && entry.res === undefined) timer.refresh();
        }).catch((error: unknown) => {
          req.destroy(error instanceof Error ? error : new Error(String(error)));
        });
      }
    });
  }

  /**
   * Sends a GET whose reply body is streamed off its own connection, without the copy of each
   * chunk that `node:http` makes (for pull): the same errors and timeouts as {@link raw}.
   */
  async download(
    path: string,
    options: { query?: Record<string, QueryValue>; headers?: Record<string, string> },
  ): Promise<RawReply> {
    try {
      if (this.#closed) throw clientClosed();
      if (!existsSync(this.socketPath)) throw socketMissing(this.socketPath);
      return await download({
        socketPath: this.socketPath,
        url: Transport.url(path, options.query),
        headers: { accept: 'application/json', ...options.headers },
        connectTimeoutMs: this.timeoutMs,
        headersTimeoutMs: this.timeoutMs,
        bodyTimeoutMs: this.timeoutMs,
        failure: (kind) =>
          kind === 'connect'
            ? connectTimeout()
            : kind === 'headers'
              ? headersTimeout()
              : kind === 'body'
                ? bodyTimeout()
                : socketClosed(),
        track: (end) => {
          this.#downloads.add(end);
          return () => {
            this.#downloads.delete(end);
          };
        },
      });
    } catch (cause) {
      throw this.mapError(cause, `GET ${path}`, this.timeoutMs);
    }
  }

  /**
   * Opens a websocket on Pebble's socket with undici's `WebSocket` (undici is loaded by the
   * first call, so that a process without exec never evaluates it).
   * @throws {Error} when the client is closed.
   */
  async webSocket(url: string): Promise<WebSocket> {
    const undici = await loadUndici();
    if (this.#closed) throw clientClosed();
    this.#wsAgent ??= new undici.Agent({
      connect: { socketPath: this.socketPath, timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: IDLE_MS,
      pipelining: 1,
    });
    return new undici.WebSocket(url, { dispatcher: this.#wsAgent });
  }

  /** Converts a transport failure to a {@link ConnectionError} or {@link TimeoutError}. */
  mapError(cause: unknown, endpoint: string, timeoutMs: number): Error {
    if (cause instanceof PebbleError) return cause;
    const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : '';
    const why = cause instanceof Error ? cause.message : String(cause);
    if (code === 'ENOENT') {
      return new ConnectionError(
        `${endpoint}: could not connect to Pebble: socket not found at '${this.socketPath}' (container restarted?)`,
        this.socketPath,
        { cause },
      );
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new TimeoutError(
        `${endpoint}: no reply from Pebble at '${this.socketPath}' within ${timeoutMs} ms`,
        timeoutMs,
        { cause },
      );
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new ConnectionError(
        `${endpoint}: timed out connecting to Pebble at '${this.socketPath}'`,
        this.socketPath,
        { cause },
      );
    }
    if (cause instanceof Error && cause.name === 'AbortError') return cause;
    return new ConnectionError(
      `${endpoint}: could not talk to Pebble at '${this.socketPath}': ${why}${code && !(cause instanceof TransportFailure) ? ` (${String(code)})` : ''}`,
      this.socketPath,
      { cause },
    );
  }

  /** Reads a whole JSON body, refusing more than {@link maxJsonBytes}. */
  async readJson(reply: RawReply, endpoint: string): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of reply.body) {
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > this.maxJsonBytes) {
          discard(reply.body);
          throw new ProtocolError(
            `${endpoint}: reply is larger than the limit of ${this.maxJsonBytes} bytes`,
            endpoint,
          );
        }
        chunks.push(buf);
      }
    } catch (cause) {
      throw this.mapError(cause, endpoint, this.timeoutMs);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new ProtocolError(
        `${endpoint}: reply is not valid JSON: ${(cause as Error).message}`,
        endpoint,
        {
          cause,
        },
      );
    }
  }

  /** Parses an envelope from a raw reply, throwing {@link APIError} for error replies. */
  async envelope(
    reply: RawReply,
    endpoint: string,
    okStatuses: readonly number[] = [],
  ): Promise<EnvelopeReply> {
    const ok = (reply.status >= 200 && reply.status < 300) || okStatuses.includes(reply.status);
    if (!ok) await this.#failure(reply, endpoint);
    if (!reply.contentType.startsWith('application/json')) {
      discard(reply.body);
      throw new ProtocolError(
        `${endpoint}: expected Content-Type 'application/json', got '${reply.contentType}' (HTTP ${reply.status})`,
        endpoint,
      );
    }
    const raw = await this.readJson(reply, endpoint);
    const parsed = safeParse(envelopeSchema(), raw);
    if (!parsed.success) {
      throw new ProtocolError(
        `${endpoint}: malformed reply envelope: ${describeIssues(parsed.error)}`,
        endpoint,
        { cause: parsed.error },
      );
    }
    const env = parsed.data;
    if (env.type === 'error') {
      const error = safeParse(errorResultSchema(), env.result);
      throw new APIError({
        status: reply.status,
        statusText: env.status,
        kind: error.success ? error.data.kind : undefined,
        message: error.success
          ? error.data.message
          : `no error message in reply (HTTP ${reply.status})`,
        endpoint,
        body: raw,
      });
    }
    return { status: reply.status, type: env.type, change: env.change, result: env.result };
  }

  /**
   * Throws the {@link APIError} of an HTTP error status. As ops, any error status is an
   * `APIError`, whatever the body: one that is not a JSON error envelope gives a message
   * saying why (a transport failure while reading it stays a `ConnectionError`).
   */
  async #failure(reply: RawReply, endpoint: string): Promise<never> {
    let raw: unknown;
    let why: string | undefined;
    if (reply.contentType.startsWith('application/json')) {
      try {
        raw = await this.readJson(reply, endpoint);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        why = error.message.slice(endpoint.length + 2);
      }
    } else {
      discard(reply.body);
      why = `Content-Type '${reply.contentType}'`;
    }
    const env = safeParse(partialEnvelopeSchema(), raw);
    const result = safeParse(errorResultSchema(), env.success ? env.data.result : undefined);
    throw new APIError({
      status: reply.status,
      statusText: (env.success ? env.data.status : undefined) ?? STATUS_CODES[reply.status] ?? '',
      kind: result.success ? result.data.kind : undefined,
      message: result.success
        ? result.data.message
        : `no error message in reply (HTTP ${reply.status}${why === undefined ? '' : `: ${why}`})`,
      endpoint,
      body: raw,
    });
  }

  /** Sends a request and returns its envelope. */
  async request(
    method: 'GET' | 'POST',
    path: string,
    options: RequestOptions = {},
  ): Promise<EnvelopeReply> {
    const reply = await this.raw(method, path, options);
    return this.envelope(reply, `${method} ${path}`, options.okStatuses);
  }

  /** Sends a request and returns its `result`, validated by `schema`. */
  async result<S extends ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    options: RequestOptions = {},
  ): Promise<ZodOutput<S>> {
    const env = await this.request(method, path, options);
    return parseResult(schema, env.result, `${method} ${path}`);
  }

  /** Closes every connection, ending requests in flight; later requests fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const { req, res } of [...this.#inFlight]) {
      if (res === undefined) req.destroy(clientClosed());
      else res.destroy(clientClosed());
    }
    this.#inFlight.clear();
    for (const end of [...this.#downloads]) end(clientClosed());
    this.#agent.destroy();
    await this.#wsAgent?.destroy();
  }
}

let undiciLoading: Promise<typeof import('undici')> | undefined;

/**
 * Loads undici once (a dynamic import, which a bundler keeps lazy). Exec calls it before its
 * first request so that loading overlaps the round trip; a failure is reported by the caller
 * that awaits it.
 * @internal
 */
export function loadUndici(): Promise<typeof import('undici')> {
  if (undiciLoading === undefined) {
    undiciLoading = import('undici');
    void undiciLoading.catch(() => undefined);
  }
  return undiciLoading;
}

function isStream(
  body: string | Uint8Array | AsyncIterable<Uint8Array> | undefined,
): body is AsyncIterable<Uint8Array> {
  return body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
}

/** Writes a streamed body, waiting for the socket to drain; `progress` after each chunk. */
async function pump(
  req: ClientRequest,
  body: AsyncIterable<Uint8Array>,
  progress: () => void,
): Promise<void> {
  for await (const chunk of body) {
    if (req.destroyed) return;
    if (chunk.length === 0) continue;
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const go = (): void => {
          req.off('drain', go);
          req.off('close', go);
          resolve();
        };
        req.on('drain', go);
        req.on('close', go);
      });
      if (req.destroyed) return;
    }
    progress();
  }
  req.end();
}

/**
 * Ends a reply body that brings no chunk for `ms` while its reader takes what comes (as
 * undici's body timeout: a reader holding the body back pauses the socket, and the clock);
 * `done` runs once the body has ended or been destroyed.
 */
function watchBody(res: IncomingMessage, ms: number, done: () => void): void {
  const socket = res.socket;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    timer?.refresh();
  };
  const finish = (): void => {
    clearTimeout(timer);
    socket.off('data', tick);
    done();
  };
  if (ms > 0 && Number.isFinite(ms)) {
    timer = setTimeout(() => {
      // All of it has come (what is left is the reader's to take), or the reader holds it back.
      if (res.complete) return;
      if (socket.isPaused()) timer?.refresh();
      else res.destroy(bodyTimeout());
    }, ms);
    timer.unref();
    socket.on('data', tick);
  }
  res.once('end', finish);
  res.once('close', finish);
}

/**
 * Stops reading a reply body, closing its connection when the body is unfinished. An error
 * the body emits then is expected here and must not go unhandled.
 * @internal
 */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Validates a `result` against a schema, as a {@link ProtocolError} naming the endpoint. @internal */
export function parseResult<S extends ZodType>(
  schema: S,
  value: unknown,
  endpoint: string,
): ZodOutput<S> {
  const parsed = safeParse(schema, value);
  if (!parsed.success) {
    throw new ProtocolError(
      `${endpoint}: unexpected result: ${describeIssues(parsed.error)}`,
      endpoint,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/** Describes the first issues of a zod error with their paths. @internal */
export function describeIssues(error: ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
