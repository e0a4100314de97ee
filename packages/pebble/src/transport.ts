import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { APIError, ConnectionError, PebbleError, ProtocolError, TimeoutError } from './errors.js';
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

/**
 * HTTP over Pebble's unix socket, with error mapping and envelope parsing.
 * @internal
 */
export class Transport {
  readonly socketPath: string;
  readonly timeoutMs: number;
  readonly maxJsonBytes: number;
  readonly agent: Agent;

  constructor(socketPath: string, timeoutMs: number, maxJsonBytes: number) {
    this.socketPath = socketPath;
    this.timeoutMs = timeoutMs;
    this.maxJsonBytes = maxJsonBytes;
    this.agent = new Agent({
      connect: { socketPath, timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 1000,
      pipelining: 1,
    });
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
    const endpoint = `${method} ${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: Dispatcher.DispatchOptions['body'];
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.body !== undefined) {
      body = options.body as Dispatcher.DispatchOptions['body'];
    }
    try {
      const reply = await this.agent.request({
        origin: 'http://localhost',
        path: Transport.url(path, options.query),
        method,
        headers,
        body: body ?? null,
        headersTimeout: options.headersTimeoutMs ?? this.timeoutMs,
        bodyTimeout: options.bodyTimeoutMs ?? this.timeoutMs,
        signal: options.signal ?? null,
      });
      const type = reply.headers['content-type'];
      return {
        status: reply.statusCode,
        contentType: typeof type === 'string' ? type : '',
        body: reply.body,
      };
    } catch (cause) {
      throw this.mapError(cause, endpoint, options.headersTimeoutMs ?? this.timeoutMs);
    }
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
      `${endpoint}: could not talk to Pebble at '${this.socketPath}': ${why}${code ? ` (${String(code)})` : ''}`,
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

  /** Closes every connection, ending requests in flight. */
  async close(): Promise<void> {
    if (this.agent.destroyed) return;
    await this.agent.destroy();
  }
}

/**
 * Stops reading a reply body. Destroying an unfinished undici body emits an `error`
 * (RequestAbortedError), which is expected here and must not go unhandled.
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
