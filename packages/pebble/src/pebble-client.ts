import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { formatGoDuration, formatSeconds } from './duration.js';
import { APIError, ChangeError, PathError, ProtocolError, TimeoutError } from './errors.js';
import { type ExecOptions, type ExecProcess, startExec } from './exec-process.js';
import { type Layer, type LayerDict, layerToYaml, type Plan, parseLayer } from './layer.js';
import { boundaryOf, MultipartParser, quote } from './multipart.js';
import {
  type Change,
  type CheckInfo,
  changeSchema,
  changesSchema,
  checksChangedSchema,
  checksSchema,
  type FileInfo,
  fileInfosSchema,
  type fileResultSchema,
  fileResultsReplySchema,
  fileResultsSchema,
  healthSchema,
  type Identity,
  type IdentityAccess,
  identitiesSchema,
  intSchema,
  type LogEntry,
  logEntrySchema,
  type Notice,
  noticeSchema,
  noticesSchema,
  notifyResultSchema,
  type RefreshCheckResult,
  refreshCheckResultSchema,
  type ServiceInfo,
  type SystemInfo,
  servicesSchema,
  stringSchema,
  systemInfoSchema,
  type Warning,
  warningsSchema,
} from './schemas.js';
import { signalName } from './signals.js';
import { discard, parseResult, Transport } from './transport.js';
import type { ZodOutput } from './zod.js';

/** Options of {@link PebbleClient}. */
export interface PebbleClientOptions {
  /** Path of Pebble's unix socket, such as `/charm/containers/web/pebble.socket`. */
  socketPath: string;
  /**
   * How long to wait to connect and for each reply or chunk of a reply, in milliseconds
   * (default 5000). Long operations (waiting for changes, long-polls) are not bounded by it.
   */
  timeoutMs?: number;
  /** Largest JSON reply accepted, in bytes (default 16 MiB). */
  maxJsonBytes?: number;
}

/** Options of the methods that wait for a change. */
export interface WaitOptions {
  /** How long to wait for the change, in milliseconds (default 30000); 0 returns at once. */
  timeoutMs?: number;
  /** Polling interval when the server has no wait endpoint, in milliseconds (default 100). */
  delayMs?: number;
}

/** Ownership and mode options for files and directories. */
export interface OwnerOptions {
  /** Permission bits, such as `0o644`. */
  permissions?: number;
  userId?: number;
  user?: string;
  groupId?: number;
  group?: string;
}

/** Options of {@link PebbleClient.push}. */
export interface PushOptions extends OwnerOptions {
  /** Create missing parent directories. */
  makeDirs?: boolean;
  /** Encoding of a string source (default `utf8`). */
  encoding?: BufferEncoding;
}

/** Options of {@link PebbleClient.makeDir}. */
export interface MakeDirOptions extends OwnerOptions {
  /** Create missing parents, and accept an existing directory. */
  makeParents?: boolean;
}

/** Filters of {@link PebbleClient.getNotices}. */
export interface NoticesFilter {
  /** `all` to see every user's notices (admin only). */
  users?: 'all';
  /** Only this user's and public notices (admin only). */
  userId?: number;
  types?: readonly string[];
  keys?: readonly string[];
  /** Only notices repeated after this time (a Date or Pebble's RFC 3339 text). */
  after?: Date | string;
  /** Long-poll: wait up to this long for a matching notice, in milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A source of bytes for {@link PebbleClient.push}. */
export type PushSource = string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>;

/** An identity to write with `replaceIdentities`. */
export interface IdentityInput {
  access: IdentityAccess;
  local?: { userId: number };
  basic?: { password: string };
  cert?: { pem: string };
}

/** Options of {@link PebbleClient.getLogs} and {@link PebbleClient.followLogs}. */
export interface LogsOptions {
  /** Services to read (default: all). */
  services?: readonly string[];
  /** How many lines: -1 for all buffered (default 30, or 0 when following). */
  n?: number;
}

const PUSH_BOUNDARY_BYTES = 16;

/**
 * A client for Pebble's HTTP API over its unix socket. Methods are the camelCase of
 * `ops.pebble.Client`'s; durations are in milliseconds.
 *
 * @example
 * ```ts
 * const client = new PebbleClient({ socketPath: '/charm/containers/web/pebble.socket' });
 * await client.addLayer('web', { services: { web: { override: 'replace', command: 'web' } } });
 * await client.replanServices();
 * await client.close();
 * ```
 */
export class PebbleClient {
  /** The socket path this client talks to. */
  readonly socketPath: string;
  /** The per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  readonly #transport: Transport;
  readonly #execSockets = new Set<() => void>();

  constructor(options: PebbleClientOptions) {
    this.socketPath = options.socketPath;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.#transport = new Transport(
      options.socketPath,
      this.timeoutMs,
      options.maxJsonBytes ?? 16 * 1024 * 1024,
    );
  }

  /**
   * Closes the client's connections, ending requests still in flight (a follow or a
   * long-poll); later calls fail with `ConnectionError`.
   */
  async close(): Promise<void> {
    for (const closeSockets of [...this.#execSockets]) closeSockets();
    await this.#transport.close();
  }

  /**
   * Gets Pebble's version and addresses.
   * @throws {ConnectionError} when Pebble cannot be reached.
   * @throws {APIError} when Pebble answers with an error.
   */
  async getSystemInfo(): Promise<SystemInfo> {
    return this.#transport.result('GET', '/v1/system-info', systemInfoSchema());
  }

  /**
   * Tells whether Pebble's health checks are up (Pebble answers HTTP 502 when one is down).
   * @param options - `level` (`alive` or `ready`) and check `names` to consider.
   * @throws {APIError} on a bad level.
   */
  async getHealth(
    options: { level?: 'alive' | 'ready'; names?: readonly string[] } = {},
  ): Promise<boolean> {
    const env = await this.#transport.request('GET', '/v1/health', {
      query: { level: options.level, names: options.names },
      okStatuses: [502],
    });
    return parseResult(healthSchema(), env.result, 'GET /v1/health').healthy;
  }

  /**
   * Gets warnings (Pebble before v1.16). Newer Pebble has no warnings endpoint and answers
   * 404: this method then throws an `APIError` with `status` 404; read warnings as notices of
   * type `warning` with {@link getNotices} instead.
   * @throws {APIError} on a Pebble without the endpoint (404).
   */
  async getWarnings(select: 'pending' | 'all' = 'pending'): Promise<Warning[]> {
    return this.#transport.result('GET', '/v1/warnings', warningsSchema(), {
      query: { select },
    });
  }

  /**
   * Acknowledges warnings up to `timestamp` (Pebble before v1.16); returns how many.
   * Newer Pebble answers 404 (`APIError`): its warnings are notices and need no acknowledging.
   * @throws {APIError} on a Pebble without the endpoint (404).
   */
  async ackWarnings(timestamp: Date): Promise<number> {
    return this.#transport.result('POST', '/v1/warnings', intSchema(), {
      json: { action: 'okay', timestamp: timestamp.toISOString() },
    });
  }

  /**
   * Lists changes, ordered by numeric ID.
   * @param options - `select` (`in-progress` by default, `ready` or `all`) and `service`.
   */
  async getChanges(
    options: { select?: 'all' | 'in-progress' | 'ready'; service?: string } = {},
  ): Promise<Change[]> {
    const changes = await this.#transport.result('GET', '/v1/changes', changesSchema(), {
      query: { select: options.select ?? 'in-progress', for: options.service },
    });
    return changes.sort((a, b) => compareIds(a.id, b.id));
  }

  /**
   * Gets one change.
   * @throws {APIError} 404 when there is no such change.
   */
  async getChange(changeId: string): Promise<Change> {
    return this.#transport.result('GET', `/v1/changes/${encodeId(changeId)}`, changeSchema());
  }

  /**
   * Asks Pebble to abort a change; returns the change as flagged.
   * @throws {APIError} 400 when the change is already ready, 404 when unknown.
   */
  async abortChange(changeId: string): Promise<Change> {
    return this.#transport.result('POST', `/v1/changes/${encodeId(changeId)}`, changeSchema(), {
      json: { action: 'abort' },
    });
  }

  /**
   * Waits for a change to be ready and returns it (whether it succeeded or failed). Uses the
   * server-side wait endpoint in slices no longer than the client timeout, and falls back to
   * polling on a Pebble without that endpoint.
   * @param options - `timeoutMs` (default 30000; `null` waits forever) and `delayMs`.
   * @throws {TimeoutError} when the change is not ready in time.
   */
  async waitChange(
    changeId: string,
    options: { timeoutMs?: number | null; delayMs?: number } = {},
  ): Promise<Change> {
    const timeoutMs = options.timeoutMs === undefined ? 30_000 : options.timeoutMs;
    const deadline = timeoutMs === null ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    const slice = Math.max(this.timeoutMs - 1000, 1000);
    const path = `/v1/changes/${encodeId(changeId)}/wait`;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const wait = Math.min(remaining, slice);
      try {
        const env = await this.#transport.request('GET', path, {
          query: { timeout: formatSeconds(wait) },
          headersTimeoutMs: wait + this.timeoutMs,
        });
        return parseResult(changeSchema(), env.result, `GET ${path}`);
      } catch (error) {
        if (error instanceof APIError && error.status === 504) continue;
        if (error instanceof APIError && error.status === 404) {
          return this.#pollChange(changeId, deadline, options.delayMs ?? 100, timeoutMs);
        }
        throw error;
      }
    }
    throw timeoutError(changeId, timeoutMs);
  }

  async #pollChange(
    changeId: string,
    deadline: number,
    delayMs: number,
    timeoutMs: number | null,
  ): Promise<Change> {
    for (;;) {
      const change = await this.getChange(changeId);
      if (change.ready) return change;
      if (Date.now() + delayMs > deadline) throw timeoutError(changeId, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  async #services(
    action: string,
    services: readonly string[],
    options: WaitOptions,
  ): Promise<string> {
    requireNames(`${action}Services`, 'services', services);
    const env = await this.#transport.request('POST', '/v1/services', {
      json: { action, services },
    });
    const changeId = parseResult(stringSchema(), env.change, 'POST /v1/services (change)');
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (timeoutMs === 0) return changeId;
    const change = await this.waitChange(changeId, {
      timeoutMs,
      ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs }),
    });
    if (change.err !== undefined) throw new ChangeError(change.err, change);
    return changeId;
  }

  /**
   * Starts the services marked `startup: enabled` and waits; returns the change ID.
   * @throws {ChangeError} when a service fails to start.
   * @throws {APIError} 400 (`no-default-services`) when no service is enabled.
   */
  async autostartServices(options: WaitOptions = {}): Promise<string> {
    return this.#services('autostart', [], options);
  }

  /**
   * Restarts changed services and starts enabled ones, then waits; returns the change ID.
   * @throws {ChangeError} when a service fails to start.
   */
  async replanServices(options: WaitOptions = {}): Promise<string> {
    return this.#services('replan', [], options);
  }

  /**
   * Starts services (and what they require) and waits; returns the change ID.
   * @throws {ChangeError} when a service fails to start.
   * @throws {APIError} 400 for an unknown service.
   */
  async startServices(services: readonly string[], options: WaitOptions = {}): Promise<string> {
    return this.#services('start', services, options);
  }

  /**
   * Stops services (and those that require them) and waits; returns the change ID.
   * @throws {ChangeError} when a service fails to stop.
   */
  async stopServices(services: readonly string[], options: WaitOptions = {}): Promise<string> {
    return this.#services('stop', services, options);
  }

  /**
   * Restarts services and waits; returns the change ID.
   * @throws {ChangeError} when a service fails to start.
   */
  async restartServices(services: readonly string[], options: WaitOptions = {}): Promise<string> {
    return this.#services('restart', services, options);
  }

  /** Gets the status of the services in the plan (all, or those named), sorted by name. */
  async getServices(names?: readonly string[]): Promise<ServiceInfo[]> {
    return this.#transport.result('GET', '/v1/services', servicesSchema(), {
      // As ops (and Pebble's Go client): one comma-joined `names`, sent (empty) for an empty list.
      query: { names: names === undefined ? undefined : names.join(',') },
    });
  }

  /**
   * Sends a signal (`'SIGHUP'` or a number such as 1) to running services.
   * @throws {APIError} 500 when a service is not running or the signal is unknown.
   */
  async sendSignal(signal: string | number, services: readonly string[]): Promise<void> {
    requireNames('sendSignal', 'services', services);
    const name = typeof signal === 'number' ? signalName(signal) : signal;
    await this.#transport.request('POST', '/v1/signals', { json: { signal: name, services } });
  }

  /**
   * Adds a layer to the plan, or with `combine` merges it into an existing layer with the same
   * label. Adding a layer starts nothing: call {@link replanServices}.
   * @param layer - a typed {@link Layer}, a kebab-case dictionary or YAML text.
   * @throws {APIError} 400 when Pebble rejects the layer.
   */
  async addLayer(
    label: string,
    layer: Layer | LayerDict | string,
    options: { combine?: boolean } = {},
  ): Promise<void> {
    const yaml =
      typeof layer === 'string'
        ? layer
        : layerToYaml(isTypedLayer(layer) ? layer : parseLayer(layer));
    await this.#transport.request('POST', '/v1/layers', {
      json: {
        action: 'add',
        combine: options.combine ?? false,
        label,
        format: 'yaml',
        layer: yaml,
      },
    });
  }

  /**
   * Gets the combined plan.
   * @throws {ProtocolError} when the plan YAML is not valid.
   */
  async getPlan(): Promise<Plan> {
    const text = await this.#transport.result('GET', '/v1/plan', stringSchema(), {
      query: { format: 'yaml' },
    });
    try {
      return parseLayer(text, 'GET /v1/plan');
    } catch (cause) {
      throw new ProtocolError(`GET /v1/plan: ${(cause as Error).message}`, 'GET /v1/plan', {
        cause,
      });
    }
  }

  /** Gets check statuses, filtered by level (exact match) and names. */
  async getChecks(level?: 'alive' | 'ready', names?: readonly string[]): Promise<CheckInfo[]> {
    return this.#transport.result('GET', '/v1/checks', checksSchema(), {
      query: { level, names },
    });
  }

  /** Starts checks; returns the names that were not already running. */
  async startChecks(names: readonly string[]): Promise<string[]> {
    return this.#checks('start', names);
  }

  /** Stops checks; returns the names that were running. */
  async stopChecks(names: readonly string[]): Promise<string[]> {
    return this.#checks('stop', names);
  }

  async #checks(action: string, names: readonly string[]): Promise<string[]> {
    requireNames(`${action}Checks`, 'checks', names);
    const r = await this.#transport.result('POST', '/v1/checks', checksChangedSchema(), {
      json: { action, checks: names },
    });
    return r.changed;
  }

  /**
   * Runs a check once now and returns its status and failure text (not in ops).
   * @throws {APIError} 404 for an unknown check.
   */
  async refreshCheck(name: string): Promise<RefreshCheckResult> {
    return this.#transport.result('POST', '/v1/checks/refresh', refreshCheckResultSchema(), {
      json: { name },
      headersTimeoutMs: this.timeoutMs + 60_000,
    });
  }

  /**
   * Writes a file, streaming `source` (text, bytes, or a Readable) without buffering it whole.
   * @throws {PathError} for a per-file failure (missing parent, unknown user...).
   * @throws {APIError} when Pebble rejects the request.
   */
  async push(path: string, source: PushSource, options: PushOptions = {}): Promise<void> {
    // node:crypto is loaded here: with its dependencies it costs a hook ≈ 2 ms to load, and only
    // a push needs it.
    const { randomBytes } = process.getBuiltinModule('node:crypto');
    const boundary = randomBytes(PUSH_BOUNDARY_BYTES).toString('hex');
    const meta = {
      action: 'write',
      files: [
        {
          ...ownerFields(options),
          path,
          ...(options.makeDirs ? { 'make-dirs': true } : {}),
        },
      ],
    };
    const head = Buffer.from(
      `--${boundary}\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name="request"\r\n\r\n${JSON.stringify(meta)}\r\n` +
        `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name="files"; filename=${quote(path)}\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const encoding = options.encoding ?? 'utf8';
    async function* body(): AsyncGenerator<Uint8Array> {
      yield head;
      if (typeof source === 'string') yield Buffer.from(source, encoding);
      else if (source instanceof Uint8Array) yield source;
      else {
        for await (const chunk of source) {
          yield typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
        }
      }
      yield tail;
    }
    const results = await this.#transport.result('POST', '/v1/files', fileResultsSchema(), {
      body: body(),
      headers: { 'content-type': `multipart/form-data; boundary=${quote(boundary)}` },
    });
    raisePathErrors(results, [path]);
  }

  /**
   * Reads a file: as text (default `utf8`), or with `encoding: null` as a Readable of bytes
   * streamed from Pebble. A per-file failure rejects the promise (or errors the stream when
   * it comes after the content).
   * @throws {PathError} when the file is missing, a directory, or unreadable.
   */
  async pull(path: string, options?: { encoding?: BufferEncoding }): Promise<string>;
  async pull(path: string, options: { encoding: null }): Promise<Readable>;
  async pull(
    path: string,
    options: { encoding?: BufferEncoding | null } = {},
  ): Promise<string | Readable> {
    const endpoint = 'GET /v1/files';
    const reply = await this.#transport.download('/v1/files', {
      query: { action: 'read', path },
      headers: { accept: 'multipart/form-data' },
    });
    const boundary = boundaryOf(reply.contentType);
    if (boundary === undefined) {
      // An error (or a wrong reply) comes back as a JSON envelope.
      await this.#transport.envelope(reply, endpoint);
      discard(reply.body);
      throw new ProtocolError(
        `${endpoint}: expected a multipart reply for ${path}, got '${reply.contentType}'`,
        endpoint,
      );
    }
    const body = reply.body;
    const parser = new MultipartParser(boundary);
    let current: string | undefined;
    let fileSeen = false;
    let finished = false;
    let failure: Error | undefined;
    const response: Buffer[] = [];
    const out = new Readable({
      highWaterMark: 1024 * 1024,
      read: () => {
        body.resume();
      },
      destroy: (error, callback) => {
        // The caller stopped reading: stop the download.
        if (!finished) {
          finished = true;
          discard(body);
          settle();
        }
        callback(error);
      },
    });
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    let reached: () => void = () => undefined;
    const firstFile = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const fail = (error: unknown): void => {
      if (finished) return;
      finished = true;
      discard(body);
      failure =
        error instanceof SyntaxError
          ? new ProtocolError(
              `${endpoint}: response part is not JSON: ${error.message}`,
              endpoint,
              {
                cause: error,
              },
            )
          : this.#transport.mapError(error, endpoint, this.#transport.timeoutMs);
      // Before any content the promise rejects; after it, the stream errors.
      if (fileSeen) out.destroy(failure);
      else out.destroy();
      reached();
      settle();
    };
    body.on('data', (chunk: Buffer) => {
      if (finished) return;
      try {
        for (const event of parser.push(chunk)) {
          if (event.type === 'part') {
            current = event.headers.name;
            if (current === 'files') {
              if (event.headers.filename !== path || fileSeen) {
                throw new ProtocolError(
                  `${endpoint}: unexpected file part '${event.headers.filename ?? ''}' for ${path}`,
                  endpoint,
                );
              }
              fileSeen = true;
              reached();
            }
          } else if (event.type === 'data') {
            if (current === 'files') {
              if (!out.push(event.chunk)) body.pause();
            } else if (current === 'response') {
              response.push(Buffer.from(event.chunk));
            }
          }
        }
      } catch (error) {
        fail(error);
      }
    });
    body.on('error', fail);
    body.on('end', () => {
      if (finished) return;
      try {
        if (!parser.done) {
          throw new ProtocolError(`${endpoint}: multipart reply for ${path} ended early`, endpoint);
        }
        const env = parseResult(
          fileResultsReplySchema(),
          JSON.parse(Buffer.concat(response).toString('utf8') || 'null'),
          `${endpoint} (response part)`,
        );
        raisePathErrors(env.result, [path], endpoint);
        if (!fileSeen) throw new ProtocolError(`${endpoint}: no file part for ${path}`, endpoint);
      } catch (error) {
        fail(error);
        return;
      }
      finished = true;
      out.push(null);
      reached();
      settle();
    });
    await firstFile;
    if (!fileSeen) {
      await settled;
      if (failure !== undefined) throw failure;
    }
    if (options.encoding === null) return out;
    const decoder = new StringDecoder(options.encoding ?? 'utf8');
    let text = '';
    for await (const chunk of out) text += decoder.write(chunk as Buffer);
    return text + decoder.end();
  }

  /**
   * Lists a directory's entries, or describes the path itself (`itself`, or a non-directory).
   * @param options - `pattern`: a glob on entry names; `itself`: describe the directory itself.
   * @throws {APIError} 404 when the path does not exist.
   */
  async listFiles(
    path: string,
    options: { pattern?: string; itself?: boolean } = {},
  ): Promise<FileInfo[]> {
    return this.#transport.result('GET', '/v1/files', fileInfosSchema(), {
      // As ops: an empty pattern is not sent, and `itself` only when true.
      query: {
        path,
        pattern: options.pattern === '' ? undefined : options.pattern,
        itself: options.itself ? 'true' : undefined,
        action: 'list',
      },
    });
  }

  /**
   * Creates a directory.
   * @throws {PathError} when it exists (without `makeParents`) or its parent is missing.
   */
  async makeDir(path: string, options: MakeDirOptions = {}): Promise<void> {
    const results = await this.#transport.result('POST', '/v1/files', fileResultsSchema(), {
      json: {
        action: 'make-dirs',
        dirs: [
          {
            ...ownerFields(options),
            path,
            ...(options.makeParents ? { 'make-parents': true } : {}),
          },
        ],
      },
    });
    raisePathErrors(results, [path]);
  }

  /**
   * Removes a file or directory (`recursive` removes a tree and accepts a missing path).
   * @throws {PathError} when it is missing or a non-empty directory (without `recursive`).
   */
  async removePath(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const results = await this.#transport.result('POST', '/v1/files', fileResultsSchema(), {
      json: {
        action: 'remove',
        paths: [{ path, ...(options.recursive ? { recursive: true } : {}) }],
      },
    });
    raisePathErrors(results, [path]);
  }

  /** Tells whether a path exists. */
  async exists(path: string): Promise<boolean> {
    return (await this.#stat(path)) !== undefined;
  }

  /** Tells whether a path exists and is a directory. */
  async isDir(path: string): Promise<boolean> {
    return (await this.#stat(path))?.type === 'directory';
  }

  async #stat(path: string): Promise<FileInfo | undefined> {
    try {
      const [info] = await this.listFiles(path, { itself: true });
      return info;
    } catch (error) {
      if (error instanceof APIError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Runs a command in the workload and returns the running {@link ExecProcess}.
   * @throws {APIError} 400 when the command is not found or the user is unknown.
   */
  async exec(
    command: readonly string[],
    options: ExecOptions & { encoding: null },
  ): Promise<ExecProcess<Buffer>>;
  async exec(
    command: readonly string[],
    options?: ExecOptions & { encoding?: BufferEncoding },
  ): Promise<ExecProcess<string>>;
  async exec(
    command: readonly string[],
    options: ExecOptions = {},
  ): Promise<ExecProcess<string> | ExecProcess<Buffer>> {
    return startExec(this, this.#transport, command, options, this.#execSockets);
  }

  /**
   * Records a custom notice (type `custom`); returns its ID.
   * @param key - in `domain.tld/path` form, such as `example.com/db/backup-done`.
   * @param repeatAfterMs - do not repeat the notice within this time.
   * @throws {APIError} 400 for an invalid key or data larger than 4 KiB.
   */
  async notify(
    key: string,
    data?: Record<string, string>,
    repeatAfterMs?: number,
  ): Promise<string> {
    const r = await this.#transport.result('POST', '/v1/notices', notifyResultSchema(), {
      json: {
        action: 'add',
        type: 'custom',
        key,
        ...(data === undefined ? {} : { data }),
        ...(repeatAfterMs === undefined ? {} : { 'repeat-after': formatSeconds(repeatAfterMs) }),
      },
    });
    return r.id;
  }

  /**
   * Gets one notice.
   * @throws {APIError} 404 when there is no such notice.
   */
  async getNotice(id: string): Promise<Notice> {
    return this.#transport.result('GET', `/v1/notices/${encodeId(id)}`, noticeSchema());
  }

  /**
   * Lists notices, oldest repeat first. With `timeoutMs` this long-polls: it returns as soon
   * as a notice matches (repeated after `after`), or `[]` at the deadline.
   */
  async getNotices(filter: NoticesFilter = {}): Promise<Notice[]> {
    const after = filter.after instanceof Date ? rfc3339Nano(filter.after) : filter.after;
    return this.#transport.result('GET', '/v1/notices', noticesSchema(), {
      query: {
        users: filter.users,
        'user-id': filter.userId,
        types: filter.types,
        keys: filter.keys,
        after,
        // As Pebble's Go client: a Go duration (`time.Duration.String()`).
        timeout: filter.timeoutMs === undefined ? undefined : formatGoDuration(filter.timeoutMs),
      },
      ...(filter.timeoutMs === undefined
        ? {}
        : { headersTimeoutMs: filter.timeoutMs + this.timeoutMs }),
      ...(filter.signal === undefined ? {} : { signal: filter.signal }),
    });
  }

  /** Gets the identities Pebble knows (secrets come back masked). */
  async getIdentities(): Promise<Record<string, Identity>> {
    return this.#transport.result('GET', '/v1/identities', identitiesSchema());
  }

  /**
   * Adds or updates identities; a `null` value removes that identity.
   * @throws {APIError} 400 when an identity is invalid.
   */
  async replaceIdentities(identities: Record<string, IdentityInput | null>): Promise<void> {
    const wire: Record<string, unknown> = {};
    for (const [name, identity] of Object.entries(identities)) {
      wire[name] = identity === null ? null : identityToWire(identity);
    }
    await this.#transport.request('POST', '/v1/identities', {
      json: { action: 'replace', identities: wire },
    });
  }

  /**
   * Removes identities.
   * @throws {APIError} 400 when one does not exist.
   */
  async removeIdentities(names: readonly string[]): Promise<void> {
    await this.#transport.request('POST', '/v1/identities', {
      json: { action: 'remove', identities: Object.fromEntries(names.map((n) => [n, null])) },
    });
  }

  /** Gets the last `n` buffered log lines (default 30) of the services, merged in time order. */
  async getLogs(options: LogsOptions = {}): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    for await (const entry of this.#logs(options, false)) entries.push(entry);
    return entries;
  }

  /**
   * Follows service logs: yields the last `n` lines (default 0), then each new line until the
   * `signal` aborts or the loop is left.
   */
  async *followLogs(
    options: LogsOptions & { signal?: AbortSignal } = {},
  ): AsyncGenerator<LogEntry> {
    yield* this.#logs(options, true);
  }

  async *#logs(
    options: LogsOptions & { signal?: AbortSignal },
    follow: boolean,
  ): AsyncGenerator<LogEntry> {
    const endpoint = 'GET /v1/logs';
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (options.signal?.aborted) return;
      let reply: Awaited<ReturnType<Transport['raw']>>;
      try {
        reply = await this.#transport.raw('GET', '/v1/logs', {
          query: {
            services: options.services,
            n: options.n,
            follow: follow ? 'true' : undefined,
          },
          ...(follow ? { bodyTimeoutMs: 0 } : {}),
          signal: controller.signal,
        });
      } catch (error) {
        if (controller.signal.aborted) return;
        throw error;
      }
      if (!reply.contentType.startsWith('application/x-ndjson')) {
        await this.#transport.envelope(reply, endpoint);
        throw new ProtocolError(
          `${endpoint}: expected ndjson, got '${reply.contentType}'`,
          endpoint,
        );
      }
      const decoder = new StringDecoder('utf8');
      let pending = '';
      try {
        for await (const chunk of reply.body) {
          pending += decoder.write(chunk as Buffer);
          let nl = pending.indexOf('\n');
          while (nl !== -1) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (line.trim() !== '') yield parseLogLine(line, endpoint);
            nl = pending.indexOf('\n');
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        throw this.#transport.mapError(error, endpoint, this.timeoutMs);
      } finally {
        discard(reply.body);
      }
      if (pending.trim() !== '') yield parseLogLine(pending, endpoint);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }
}

// As ops: a bare string (or anything but a list of strings) is a TypeError, not a request.
function requireNames(method: string, what: string, names: unknown): void {
  if (!Array.isArray(names)) {
    throw new TypeError(`${method}: ${what} must be an array of names, not ${typeof names}`);
  }
  if (names.some((n) => typeof n !== 'string')) {
    throw new TypeError(`${method}: ${what} names must be strings`);
  }
}

function parseLogLine(line: string, endpoint: string): LogEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw new ProtocolError(
      `${endpoint}: log line is not JSON: ${(cause as Error).message}`,
      endpoint,
      { cause },
    );
  }
  return parseResult(logEntrySchema(), value, endpoint);
}

function isTypedLayer(layer: Layer | LayerDict): layer is Layer {
  return (
    !('log-targets' in layer) && !Object.values(layer.services ?? {}).some((s) => hasKebabKey(s))
  );
}

function hasKebabKey(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && Object.keys(value).some((k) => k.includes('-'))
  );
}

function ownerFields(options: OwnerOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (options.permissions !== undefined)
    out.permissions = options.permissions.toString(8).padStart(3, '0');
  if (options.userId !== undefined) out['user-id'] = options.userId;
  if (options.user !== undefined) out.user = options.user;
  if (options.groupId !== undefined) out['group-id'] = options.groupId;
  if (options.group !== undefined) out.group = options.group;
  return out;
}

// As ops: each requested path must have a result, and an error there is a PathError.
function raisePathErrors(
  results: ZodOutput<ReturnType<typeof fileResultSchema>>[],
  paths: readonly string[],
  endpoint = 'POST /v1/files',
): void {
  for (const path of paths) {
    const result = results.find((r) => r.path === path);
    if (result === undefined) {
      throw new ProtocolError(
        `${endpoint}: path not found in response metadata: ${JSON.stringify(path)}`,
        endpoint,
      );
    }
    if (result.error !== undefined) {
      throw new PathError(
        result.error.kind ?? 'generic-file-error',
        result.error.message,
        result.path,
      );
    }
  }
}

function identityToWire(identity: IdentityInput): Record<string, unknown> {
  const out: Record<string, unknown> = { access: identity.access };
  if (identity.local !== undefined) out.local = { 'user-id': identity.local.userId };
  if (identity.basic !== undefined) out.basic = identity.basic;
  if (identity.cert !== undefined) out.cert = identity.cert;
  return out;
}

/** A Date in Go's RFC 3339 "nano" form, trailing zero fractions dropped. @internal */
export function rfc3339Nano(date: Date): string {
  return date
    .toISOString()
    .replace(/\.(\d*?)0*Z$/u, (_m, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}

function encodeId(id: string): string {
  return encodeURIComponent(id);
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function timeoutError(changeId: string, timeoutMs: number | null): TimeoutError {
  // ops' text, with the timeout as Python prints a float of seconds ("30.0", "0.05").
  const seconds = timeoutMs === null ? 'None' : pyFloat(timeoutMs / 1000);
  return new TimeoutError(
    `timed out waiting for change ${changeId} (${seconds} seconds)`,
    timeoutMs ?? 0,
  );
}

function pyFloat(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}
