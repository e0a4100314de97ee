import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { formatGoDuration, parseDuration } from '../duration.js';
import { type Layer, layerToYaml, type Service } from '../layer.js';
import { memo, safeParse, type ZodType, z } from '../zod.js';
import { ChangeStore, type FakeChange, parseRfc3339, rfc3339 } from './changes.js';
import { FakeExec, matches } from './exec.js';
import type { ExecMatcher, FakeExecHandler } from './exec-types.js';
import { type FileRecord, FileStore } from './files.js';
import { HttpError } from './http-error.js';
import { type FakeNotice, NoticeStore } from './notices.js';
import { PlanStore, startOrder } from './plan.js';
import { type FakeGroup, type FakeUser, hostGroups, hostUsers, UserDb } from './users.js';

/** Options of {@link FakePebbleServer.start}. */
export interface FakePebbleServerOptions {
  /** Where to listen; default: `pebble.socket` in a new temporary directory. */
  socketPath?: string;
  /** The directory standing for the workload's `/`; default: a new temporary directory. */
  root?: string;
  /** Users known to the workload (default: the host's /etc/passwd). */
  users?: FakeUser[];
  /** Groups known to the workload (default: the host's /etc/group). */
  groups?: FakeGroup[];
  /** Version reported by `/v1/system-info` (default `v1.32.1`). */
  version?: string;
  /** How long exec waits for its websockets, in milliseconds (default 5000, as Pebble). */
  execConnectTimeoutMs?: number;
  /** Serve the `/v1/warnings` endpoint, as Pebble before v1.16 did. */
  legacyWarnings?: boolean;
  /** Leave out `/v1/changes/{id}/wait`, as very old Pebble did (clients then poll). */
  noChangeWait?: boolean;
  /** The daemon's environment, the base of exec environments. */
  environment?: Record<string, string>;
}

/**
 * How a service behaves when started: `running` stays up (the default); `exit` exits within
 * the 1 s okay delay with `exitCode` (the start fails, as in Pebble); `fail` cannot be started
 * at all (`cannot start service: <message>`); `hang` keeps its start task running until the
 * change is aborted or {@link FakePebbleServer.releaseService} is called.
 */
export type ServiceStartupBehaviour =
  | { kind: 'running' }
  | { kind: 'exit'; exitCode: number; output?: string }
  | { kind: 'fail'; message: string }
  | { kind: 'hang' };

/** A service's status as {@link FakePebbleServer.services} reports it. */
export interface FakeServiceInfo {
  /** `enabled` or `disabled`, from the plan. */
  startup: 'enabled' | 'disabled';
  /** The current status. */
  current: 'active' | 'inactive' | 'backoff' | 'error';
  /** When the status last changed (undefined while the service was never touched). */
  since: Date | undefined;
  /** How many times the service was started (restarts included). */
  starts: number;
}

/** A check's state as {@link FakePebbleServer.checks} reports it (and `GET /v1/checks`). */
export interface FakeCheckInfo {
  status: 'up' | 'down' | 'inactive';
  successes: number;
  failures: number;
  /** From the plan (default 3). */
  threshold: number;
  /** From the plan: `alive`, `ready`, or undefined when unset. */
  level: 'alive' | 'ready' | undefined;
  /** From the plan: `disabled`, or `enabled` (the default). */
  startup: 'enabled' | 'disabled';
  /** The check's current `perform-check` or `recover-check` change, if any. */
  changeId: string | undefined;
  /** The error of the last failure, while the check is failing. */
  error: string | undefined;
}

/** A raw request handler that replaces the fake's own for one endpoint. */
export type InterceptHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

interface ServiceState {
  current: 'active' | 'inactive' | 'backoff' | 'error';
  since: Date | undefined;
  config: string | undefined;
  starts: number;
}

interface CheckState {
  status: 'up' | 'down' | 'inactive';
  successes: number;
  failures: number;
  changeId: string | undefined;
  prevChangeId: string | undefined;
  config: string;
  error: string | undefined;
}

interface LogLine {
  time: Date;
  service: string;
  message: string;
}

const SERVICE_STATUSES: readonly string[] = ['active', 'inactive', 'backoff', 'error'];
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_JSON_BODY = 32 * 1024 * 1024;
const LOG_BUFFER = 1000;

/**
 * A Pebble daemon stand-in speaking Pebble's HTTP and websocket protocol on a real unix
 * socket, for tests: layers and plan, services with changes and tasks, files on a temporary
 * directory, exec through handlers a test registers, checks, notices, identities and logs.
 *
 * @example
 * ```ts
 * const server = await FakePebbleServer.start();
 * server.handleExec('echo', ({ command, stdout }) => { stdout.write(`${command.slice(1).join(' ')}\n`); return 0; });
 * const client = new PebbleClient({ socketPath: server.socketPath });
 * // ...
 * await client.close();
 * await server.close();
 * ```
 */
export class FakePebbleServer {
  /** The unix socket the server listens on. */
  readonly socketPath: string;
  /** The real directory that stands for the workload's `/`. */
  readonly root: string;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #options: FakePebbleServerOptions;
  readonly #ownedDirs: string[];
  #changes: ChangeStore;
  #notices = new NoticeStore();
  #plan = new PlanStore();
  readonly #users: UserDb;
  readonly #files: FileStore;
  readonly #services = new Map<string, ServiceState>();
  readonly #behaviours = new Map<string, ServiceStartupBehaviour>();
  readonly #releases = new Map<string, Set<() => void>>();
  readonly #checks = new Map<string, CheckState>();
  readonly #logs: LogLine[] = [];
  readonly #logFollowers = new Set<(line: LogLine) => void>();
  readonly #identities = new Map<string, Record<string, unknown>>();
  readonly #execHandlers: { matcher: ExecMatcher; handler: FakeExecHandler }[] = [];
  readonly #execs = new Map<string, FakeExec>();
  readonly #intercepts: { method: string; path: string; handler: InterceptHandler }[] = [];
  readonly #sockets = new Set<Duplex>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #warnings: { message: string; firstAdded: Date; lastAdded: Date; lastShown?: Date }[] =
    [];
  readonly #inFlight = new Set<ServerResponse>();
  #bootId = randomUUID();
  /** Bumped by {@link reset}, so that work started before it does not touch the new state. */
  #generation = 0;
  #listening = false;
  #closed = false;

  private constructor(
    options: FakePebbleServerOptions,
    socketPath: string,
    root: string,
    owned: string[],
  ) {
    this.#options = options;
    this.socketPath = socketPath;
    this.root = root;
    this.#ownedDirs = owned;
    this.#users = new UserDb(options.users ?? hostUsers(), options.groups ?? hostGroups());
    this.#files = new FileStore(root, this.#users);
    this.#changes = this.#newChangeStore();
    this.#server = createServer((req, res) => {
      this.#inFlight.add(res);
      res.once('close', () => this.#inFlight.delete(res));
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.#error(res, 500, (error as Error).message);
        else res.destroy();
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
  }

  #newChangeStore(): ChangeStore {
    const store: ChangeStore = new ChangeStore((change) => {
      // A change of the state before a reset, finishing late, no longer makes notices.
      if (this.#changes !== store) return;
      const data: Record<string, string> = { kind: change.kind };
      const checkName = [...this.#checks.entries()].find(
        ([, c]) => c.changeId === change.id || c.prevChangeId === change.id,
      )?.[0];
      if (checkName !== undefined && change.kind.endsWith('-check')) data['check-name'] = checkName;
      this.#notices.add(null, 'change-update', change.id, data, undefined, undefined);
    });
    return store;
  }

  /**
   * Starts a server listening on a unix socket.
   * @throws {Error} when the socket cannot be bound.
   */
  static async start(options: FakePebbleServerOptions = {}): Promise<FakePebbleServer> {
    const owned: string[] = [];
    let socketPath = options.socketPath;
    if (socketPath === undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'fake-pebble-sock-'));
      owned.push(dir);
      socketPath = join(dir, 'pebble.socket');
    }
    let root = options.root;
    if (root === undefined) {
      root = mkdtempSync(join(tmpdir(), 'fake-pebble-root-'));
      owned.push(root);
    }
    const server = new FakePebbleServer(options, socketPath, root, owned);
    try {
      await server.#listen();
    } catch (error) {
      for (const dir of owned) rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  async #listen(): Promise<void> {
    await rm(this.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.socketPath, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#listening = true;
  }

  /**
   * Stops or resumes accepting connections. While unavailable the socket file is gone, so
   * clients get a `ConnectionError` (and `Container.canConnect()` is false); state is kept.
   */
  async setAvailable(available: boolean): Promise<void> {
    if (available && !this.#listening) await this.#listen();
    if (!available && this.#listening) {
      this.#listening = false;
      await new Promise<void>((resolve) => {
        this.#server.close(() => resolve());
        this.#dropConnections();
      });
    }
  }

  #dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Stops the server, ends every connection and removes the temporary directories it made. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const exec of this.#execs.values()) exec.destroy();
    for (const timer of this.#timers) clearTimeout(timer);
    for (const set of this.#releases.values()) for (const release of set) release();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    if (this.#listening) {
      this.#listening = false;
      await new Promise<void>((resolve) => {
        this.#server.close(() => resolve());
        this.#dropConnections();
      });
    }
    await rm(this.socketPath, { force: true });
    for (const dir of this.#ownedDirs) await rm(dir, { recursive: true, force: true });
  }

  /**
   * Returns the server to its just-started state so that one server can serve many test runs
   * (it is much cheaper than {@link close} and {@link start}): no layers, services, checks,
   * changes, notices, logs, identities, warnings, exec handlers, startup behaviours, intercepts
   * or file records; change, task and notice IDs start again at 1; a new boot ID; listening
   * again after {@link setAvailable}(false). Requests in flight (waits, long polls, log follows,
   * exec websockets) are cut; idle keep-alive connections stay open. Everything inside
   * {@link root} is removed (also a `root` given to {@link start}; symbolic links are removed,
   * not followed) unless `keepFiles` is set.
   * @throws {Error} when the server is closed.
   */
  async reset(options: { keepFiles?: boolean } = {}): Promise<void> {
    if (this.#closed) throw new Error('fake pebble: cannot reset a closed server');
    this.#generation += 1;
    for (const change of this.#changes.changes.values()) change.aborted = true;
    for (const exec of this.#execs.values()) exec.destroy();
    this.#execs.clear();
    for (const ws of this.#wss.clients) ws.terminate();
    for (const res of this.#inFlight) res.destroy();
    this.#inFlight.clear();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const releases = [...this.#releases.values()];
    this.#releases.clear();
    for (const set of releases) for (const release of set) release();
    this.#changes = this.#newChangeStore();
    this.#notices = new NoticeStore();
    this.#plan = new PlanStore();
    this.#files.records.clear();
    this.#services.clear();
    this.#behaviours.clear();
    this.#checks.clear();
    this.#logs.length = 0;
    this.#logFollowers.clear();
    this.#identities.clear();
    this.#execHandlers.length = 0;
    this.#intercepts.length = 0;
    this.#warnings.length = 0;
    this.#bootId = randomUUID();
    if (options.keepFiles !== true) {
      for (const entry of readdirSync(this.root)) {
        rmSync(join(this.root, entry), { recursive: true, force: true });
      }
    }
    if (!this.#listening) await this.#listen();
  }

  // ----- test controls -----

  /**
   * Adds a layer from the test side, synchronously, with exactly the rules of the API's
   * `POST /v1/layers` (override merge/replace, `combine`, plan validation); newly planned
   * checks start as they would. `layer` is a typed {@link Layer} or YAML text.
   * @throws {Error} with Pebble's message when the layer is invalid, already exists without
   * `combine`, or makes the plan invalid (the plan is then unchanged).
   */
  addLayer(label: string, layer: Layer | string, options: { combine?: boolean } = {}): void {
    const text = typeof layer === 'string' ? layer : layerToYaml(layer);
    try {
      this.#plan.add(label, text, options.combine ?? false);
    } catch (error) {
      if (error instanceof HttpError)
        throw new Error(`fake pebble: cannot add layer "${label}": ${error.message}`);
      throw error;
    }
    this.#planChanged();
  }

  /**
   * Seeds a service's current status without a change. The service must be in the plan. A
   * status other than `inactive` counts as started with the service's current configuration
   * (so a replan leaves it alone until that configuration changes).
   * @throws {Error} when the service is not in the plan or the status is unknown.
   */
  setServiceStatus(name: string, status: 'active' | 'inactive' | 'backoff' | 'error'): void {
    const config = this.#plan.plan.services?.[name];
    if (config === undefined) throw new Error(`fake pebble: no service "${name}" in the plan`);
    if (!SERVICE_STATUSES.includes(status))
      throw new Error(`fake pebble: invalid service status "${String(status)}"`);
    this.#setService(name, status);
    const state = this.#services.get(name);
    if (state !== undefined && status !== 'inactive') state.config = serviceConfig(config);
  }

  /** Every service of the plan with its status, by name (what `GET /v1/services` reports). */
  get services(): Record<string, FakeServiceInfo> {
    const out: Record<string, FakeServiceInfo> = {};
    const services = this.#plan.plan.services ?? {};
    for (const name of Object.keys(services).sort()) {
      const state = this.#services.get(name);
      out[name] = {
        startup: services[name]?.startup === 'enabled' ? 'enabled' : 'disabled',
        current: state?.current ?? 'inactive',
        since: state?.since === undefined ? undefined : new Date(state.since),
        starts: state?.starts ?? 0,
      };
    }
    return out;
  }

  /** Every check of the plan with its state, by name (what `GET /v1/checks` reports). */
  get checks(): Record<string, FakeCheckInfo> {
    const out: Record<string, FakeCheckInfo> = {};
    for (const [name, state] of [...this.#checks].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const config = this.#plan.plan.checks?.[name];
      const level = config?.level;
      out[name] = {
        status: state.status,
        successes: state.successes,
        failures: state.failures,
        threshold: config?.threshold ?? 3,
        level: level === 'alive' ? 'alive' : level === 'ready' ? 'ready' : undefined,
        startup: config?.startup === 'disabled' ? 'disabled' : 'enabled',
        changeId: state.changeId,
        error: state.error,
      };
    }
    return out;
  }

  /** The combined plan (a copy). */
  get plan(): Layer {
    return structuredClone(this.#plan.plan);
  }

  /** The layers in order, with their labels (copies). */
  get layers(): { label: string; order: number; layer: Layer }[] {
    return structuredClone(this.#plan.layers);
  }

  /**
   * Registers a handler for commands matched by `matcher`: an argv prefix or a predicate.
   * Later registrations win. Returns a function that removes it.
   */
  handleExec(matcher: ExecMatcher, handler: FakeExecHandler): () => void {
    const entry = { matcher, handler };
    this.#execHandlers.unshift(entry);
    return () => {
      const at = this.#execHandlers.indexOf(entry);
      if (at !== -1) this.#execHandlers.splice(at, 1);
    };
  }

  /** Sets how a service behaves the next times it is started. */
  setServiceStartupBehaviour(service: string, behaviour: ServiceStartupBehaviour): void {
    this.#behaviours.set(service, behaviour);
  }

  /** Lets the `hang` start tasks of a service finish (successfully). */
  releaseService(service: string): void {
    const set = this.#releases.get(service);
    this.#releases.delete(service);
    for (const release of set ?? []) release();
  }

  /**
   * Simulates the running service's process exiting with `exitCode`, and applies its
   * `on-success`/`on-failure` action; returns the action taken.
   */
  exitService(service: string, exitCode: number): string {
    const state = this.#services.get(service);
    if (state === undefined || state.current !== 'active') {
      throw new Error(`fake pebble: service "${service}" is not running`);
    }
    const config = this.#plan.plan.services?.[service];
    const action = (exitCode === 0 ? config?.onSuccess : config?.onFailure) ?? 'restart';
    this.#log(service, `process exited with code ${exitCode}`);
    if (action === 'restart') {
      this.#setService(service, 'active');
      state.starts += 1;
    } else if (action === 'ignore') {
      this.#setService(service, exitCode === 0 ? 'inactive' : 'error');
    } else {
      // shutdown actions: Pebble itself would exit; the fake stops every service.
      for (const name of this.#services.keys()) this.#setService(name, 'inactive');
      this.#setService(service, 'error');
    }
    return action;
  }

  /**
   * Sets a check's status. `down` fails its `perform-check` change, starts a `recover-check`
   * change and runs the `on-check-failure` actions of the services; `up` recovers it (or
   * starts it); `inactive` stops it, as `stopChecks` would. `successes` and `failures`, when
   * given, then overwrite the counters (to seed a state such as 1 failure below threshold).
   * @throws {Error} when the check is not in the plan.
   */
  setCheckStatus(
    name: string,
    status: 'up' | 'down' | 'inactive',
    options: { error?: string; successes?: number; failures?: number } = {},
  ): void {
    const check = this.#checks.get(name);
    const config = this.#plan.plan.checks?.[name];
    if (check === undefined || config === undefined)
      throw new Error(`fake pebble: no check "${name}" in the plan`);
    this.#setCheckStatus(name, check, config, status, options.error);
    if (options.successes !== undefined) check.successes = options.successes;
    if (options.failures !== undefined) check.failures = options.failures;
  }

  #setCheckStatus(
    name: string,
    check: CheckState,
    config: NonNullable<Layer['checks']>[string],
    status: 'up' | 'down' | 'inactive',
    error: string | undefined,
  ): void {
    const threshold = config.threshold ?? 3;
    const kindName = checkKindName(config);
    if (status === 'inactive') {
      if (check.status !== 'inactive') this.#stopCheckChange(check);
      check.error = undefined;
      return;
    }
    if (status === 'down') {
      check.error = error ?? 'check failed';
      if (check.status === 'down') {
        check.failures += 1;
        return;
      }
      check.failures = threshold;
      const running =
        check.changeId === undefined ? undefined : this.#changes.changes.get(check.changeId);
      const task = running?.tasks[0];
      if (running !== undefined && task !== undefined) {
        for (let i = 0; i < threshold; i++) this.#changes.log(task, 'ERROR', check.error);
        this.#changes.setTask(running, task, 'Error');
      }
      check.prevChangeId = check.changeId;
      const recover = this.#changes.create('recover-check', `Recover ${kindName} check "${name}"`, [
        { kind: 'recover-check', summary: `Recover ${kindName} check "${name}"` },
      ]);
      check.changeId = recover.id;
      check.status = 'down';
      const recoverTask = recover.tasks[0];
      if (recoverTask !== undefined) this.#changes.setTask(recover, recoverTask, 'Doing');
      for (const [svc, s] of Object.entries(this.#plan.plan.services ?? {})) {
        const action = s.onCheckFailure?.[name];
        if (action === 'restart' && this.#services.get(svc)?.current === 'active') {
          this.#log(svc, `check "${name}" failed; restarting`);
          const st = this.#services.get(svc);
          if (st !== undefined) st.starts += 1;
        }
      }
    } else {
      check.error = undefined;
      if (check.status === 'down') {
        const recover =
          check.changeId === undefined ? undefined : this.#changes.changes.get(check.changeId);
        const task = recover?.tasks[0];
        if (recover !== undefined && task !== undefined)
          this.#changes.setTask(recover, task, 'Done');
        check.prevChangeId = check.changeId;
        check.failures = 0;
        check.successes = 1;
        this.#performCheck(name, check, config);
      } else {
        check.successes += 1;
        check.failures = 0;
        if (check.status === 'inactive') this.#performCheck(name, check, config);
      }
      check.status = 'up';
    }
  }

  /** Records a notice as Pebble's daemon or a client would; returns its ID. */
  addNotice(notice: {
    type?: string;
    key: string;
    data?: Record<string, string>;
    userId?: number | null;
    repeatAfterMs?: number;
  }): string {
    return this.#notices.add(
      notice.userId === undefined ? null : notice.userId,
      notice.type ?? 'custom',
      notice.key,
      notice.data,
      notice.repeatAfterMs,
      notice.repeatAfterMs === undefined ? undefined : formatGoDuration(notice.repeatAfterMs),
    ).id;
  }

  /** Every notice the server holds, oldest repeat first. */
  get notices(): readonly FakeNotice[] {
    return [...this.#notices.notices];
  }

  /** Appends a line to a service's log (as if the service printed it). */
  addLog(service: string, message: string): void {
    this.#log(service, message);
  }

  /** Adds a legacy warning (served only with `legacyWarnings`). */
  addWarning(message: string): void {
    const now = new Date();
    const existing = this.#warnings.find((w) => w.message === message);
    if (existing !== undefined) existing.lastAdded = now;
    else this.#warnings.push({ message, firstAdded: now, lastAdded: now });
  }

  /** The identities as stored (passwords and certificates unmasked). */
  get identities(): Record<string, unknown> {
    return Object.fromEntries(structuredClone([...this.#identities.entries()]));
  }

  /** The owner and mode recorded for a path written through the API, if any. */
  fileRecord(path: string): FileRecord | undefined {
    return this.#files.records.get(path);
  }

  /** The host path standing for a workload path (inside {@link root}). */
  hostPath(path: string): string {
    return this.#files.hostPath(path);
  }

  /** How many times a service has been started (restarts included). */
  startCount(service: string): number {
    return this.#services.get(service)?.starts ?? 0;
  }

  /**
   * Replaces the fake's handling of one endpoint with a raw handler (to send malformed
   * replies, die mid-stream...). Returns a function that removes it.
   */
  intercept(method: string, path: string, handler: InterceptHandler): () => void {
    const entry = { method, path, handler };
    this.#intercepts.push(entry);
    return () => {
      const at = this.#intercepts.indexOf(entry);
      if (at !== -1) this.#intercepts.splice(at, 1);
    };
  }

  // ----- HTTP plumbing -----

  #send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  #sync(res: ServerResponse, result: unknown, status = 200): void {
    this.#send(res, status, envelope('sync', status, result));
  }

  #async(res: ServerResponse, change: string, result: unknown): void {
    this.#send(res, 202, { type: 'async', 'status-code': 202, status: 'Accepted', change, result });
  }

  #error(res: ServerResponse, status: number, message: string, kind?: string): void {
    this.#send(res, status, {
      type: 'error',
      'status-code': status,
      status: STATUS_CODES[status] ?? '',
      result: kind === undefined ? { message } : { message, kind },
    });
  }

  async #json(req: IncomingMessage, what = 'request body'): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_JSON_BODY) {
        req.resume();
        throw new HttpError(400, `cannot decode ${what}: body larger than ${MAX_JSON_BODY} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text === '') throw new HttpError(400, `cannot decode ${what}: EOF`);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, `cannot decode ${what}: ${(error as Error).message}`);
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const intercept = this.#intercepts.find((i) => i.method === method && i.path === url.pathname);
    if (intercept !== undefined) {
      await intercept.handler(req, res);
      return;
    }
    try {
      await this.#route(method, url, req, res);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) this.#error(res, error.status, error.message, error.kind);
      else this.#error(res, 500, (error as Error).message);
    }
  }

  async #route(method: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = url.pathname;
    const q = url.searchParams;
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method)) throw new HttpError(405, `method "${method}" not allowed`);
    };
    const waitMatch = /^\/v1\/changes\/([^/]+)\/wait$/u.exec(path);
    const changeMatch = /^\/v1\/changes\/([^/]+)$/u.exec(path);
    const noticeMatch = /^\/v1\/notices\/([^/]+)$/u.exec(path);
    if (path === '/v1/system-info') {
      allow('GET');
      const info: Record<string, unknown> = {
        'boot-id': this.#bootId,
        version: this.#options.version ?? 'v1.32.1',
      };
      return this.#sync(res, info);
    }
    if (path === '/v1/health') {
      allow('GET');
      return this.#health(q, res);
    }
    if (path === '/v1/changes') {
      allow('GET');
      return this.#sync(res, this.#listChanges(q));
    }
    if (waitMatch !== null && !this.#options.noChangeWait) {
      allow('GET');
      return this.#waitChange(decodeURIComponent(waitMatch[1] ?? ''), q, req, res);
    }
    if (changeMatch !== null) {
      allow('GET', 'POST');
      const change = this.#findChange(decodeURIComponent(changeMatch[1] ?? ''));
      if (method === 'GET') return this.#sync(res, this.#changes.toJSON(change));
      return this.#abortChange(change, await this.#json(req), res);
    }
    if (path === '/v1/services') {
      allow('GET', 'POST');
      if (method === 'GET') return this.#sync(res, this.#listServices(listParam(q, 'names')));
      return this.#serviceAction(await this.#json(req, 'data from request body'), res);
    }
    if (/^\/v1\/services\/[^/]+$/u.test(path)) {
      allow('GET', 'POST');
      throw new HttpError(400, 'not implemented');
    }
    if (path === '/v1/plan') {
      allow('GET');
      const format = q.get('format') ?? '';
      if (format !== 'yaml') throw new HttpError(400, `invalid format "${format}"`);
      return this.#sync(res, this.#plan.yaml());
    }
    if (path === '/v1/layers') {
      allow('POST');
      return this.#addLayer(await this.#json(req), res);
    }
    if (path === '/v1/files') {
      allow('GET', 'POST');
      return method === 'GET' ? this.#getFiles(q, req, res) : this.#postFiles(req, res);
    }
    if (path === '/v1/logs') {
      allow('GET');
      return this.#getLogs(q, req, res);
    }
    if (path === '/v1/exec') {
      allow('POST');
      return this.#exec(await this.#json(req), res);
    }
    if (path === '/v1/signals') {
      allow('POST');
      return this.#signals(await this.#json(req), res);
    }
    if (path === '/v1/checks') {
      allow('GET', 'POST');
      if (method === 'GET') return this.#listChecks(q, res);
      return this.#checkAction(await this.#json(req, 'data from request body'), res);
    }
    if (path === '/v1/checks/refresh') {
      allow('POST');
      return this.#refreshCheck(await this.#json(req, 'data from request body'), res);
    }
    if (path === '/v1/notices') {
      allow('GET', 'POST');
      if (method === 'GET') return this.#getNotices(q, req, res);
      return this.#addNoticeFromApi(await this.#json(req), res);
    }
    if (noticeMatch !== null) {
      allow('GET');
      const id = decodeURIComponent(noticeMatch[1] ?? '');
      const notice = this.#notices.notices.find((n) => n.id === id);
      if (notice === undefined) throw new HttpError(404, `cannot find notice with ID "${id}"`);
      return this.#sync(res, NoticeStore.toJSON(notice));
    }
    if (path === '/v1/identities') {
      allow('GET', 'POST');
      if (method === 'GET') return this.#sync(res, this.#listIdentities());
      return this.#identityAction(await this.#json(req), res);
    }
    if (path === '/v1/warnings' && this.#options.legacyWarnings) {
      allow('GET', 'POST');
      return this.#warningsEndpoint(method, q, req, res);
    }
    throw new HttpError(404, 'invalid API endpoint requested');
  }

  // ----- system, changes -----

  #health(q: URLSearchParams, res: ServerResponse): void {
    const level = q.get('level') ?? '';
    if (level !== '' && level !== 'alive' && level !== 'ready')
      throw new HttpError(400, 'level must be "alive" or "ready"');
    const names = listParam(q, 'names');
    let healthy = true;
    for (const [name, check] of this.#checks) {
      const config = this.#plan.plan.checks?.[name];
      if (names.length > 0 && !names.includes(name)) continue;
      const checkLevel = config?.level;
      if (level === 'alive' && checkLevel !== 'alive') continue;
      if (level === 'ready' && checkLevel !== 'ready' && checkLevel !== 'alive') continue;
      if (check.status === 'down') healthy = false;
    }
    this.#sync(res, { healthy }, healthy ? 200 : 502);
  }

  #findChange(id: string): FakeChange {
    const change = this.#changes.changes.get(id);
    if (change === undefined) throw new HttpError(404, `cannot find change with id "${id}"`);
    return change;
  }

  #listChanges(q: URLSearchParams): unknown[] {
    const select = q.get('select') ?? 'in-progress';
    if (!['all', 'in-progress', 'ready'].includes(select)) {
      throw new HttpError(400, 'select should be one of: all,in-progress,ready');
    }
    const service = q.get('for') ?? '';
    return [...this.#changes.changes.values()]
      .filter((c) => {
        const ready = ChangeStore.ready(c);
        if (select === 'in-progress' && ready) return false;
        if (select === 'ready' && !ready) return false;
        return service === '' || c.serviceNames.includes(service);
      })
      .map((c) => this.#changes.toJSON(c));
  }

  #waitChange(
    id: string,
    q: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> | void {
    const change = this.#findChange(id);
    const text = q.get('timeout') ?? '';
    const timeout = text === '' ? 0 : parseDuration(text);
    if (timeout === undefined)
      throw new HttpError(400, `invalid timeout: time: invalid duration "${text}"`);
    if (ChangeStore.ready(change)) return this.#sync(res, this.#changes.toJSON(change));
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        cancel();
        if (timer !== undefined) {
          clearTimeout(timer);
          this.#timers.delete(timer);
        }
        req.off('close', gone);
        resolve();
      };
      const cancel = this.#changes.onReady(change, () => {
        finish();
        this.#sync(res, this.#changes.toJSON(change));
      });
      const gone = (): void => finish();
      req.on('close', gone);
      if (timeout !== 0) {
        timer = setTimeout(
          () => {
            finish();
            this.#error(
              res,
              504,
              `timed out waiting for change after ${formatGoDuration(timeout)}`,
            );
          },
          Math.max(timeout, 0),
        );
        this.#timers.add(timer);
      }
    });
  }

  #abortChange(change: FakeChange, body: unknown, res: ServerResponse): void {
    const action = isObject(body) ? body.action : undefined;
    if (action !== 'abort') throw new HttpError(400, `invalid action "${String(action ?? '')}"`);
    if (ChangeStore.ready(change))
      throw new HttpError(400, `cannot abort change ${change.id} with nothing pending`);
    change.aborted = true;
    const exec = this.#execs.get(change.tasks[0]?.id ?? '');
    if (exec !== undefined) {
      exec.abort();
    } else {
      for (const task of change.tasks) {
        if (task.status === 'Do') this.#changes.setTask(change, task, 'Hold');
        else if (task.status === 'Doing') this.#changes.setTask(change, task, 'Abort');
      }
      for (const set of this.#releases.values()) for (const release of [...set]) release();
    }
    this.#sync(res, this.#changes.toJSON(change));
  }

  // ----- services -----

  #setService(name: string, current: ServiceState['current']): void {
    const state = this.#services.get(name) ?? {
      current: 'inactive',
      since: undefined,
      config: undefined,
      starts: 0,
    };
    if (state.current !== current || state.since === undefined) state.since = new Date();
    state.current = current;
    this.#services.set(name, state);
  }

  #listServices(names: string[]): unknown[] {
    const services = this.#plan.plan.services ?? {};
    return Object.keys(services)
      .sort()
      .filter((n) => names.length === 0 || names.includes(n))
      .map((name) => {
        const state = this.#services.get(name);
        const out: Record<string, unknown> = {
          name,
          startup: services[name]?.startup === 'enabled' ? 'enabled' : 'disabled',
          current: state?.current ?? 'inactive',
        };
        if (state?.since !== undefined) out['current-since'] = rfc3339(state.since);
        return out;
      });
  }

  #requiresClosure(names: Iterable<string>): Set<string> {
    const services = this.#plan.plan.services ?? {};
    const out = new Set<string>();
    const visit = (n: string): void => {
      if (out.has(n)) return;
      out.add(n);
      for (const dep of services[n]?.requires ?? []) visit(dep);
    };
    for (const n of names) visit(n);
    return out;
  }

  #dependents(names: Iterable<string>): Set<string> {
    const services = this.#plan.plan.services ?? {};
    const out = new Set<string>(names);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [name, s] of Object.entries(services)) {
        if (!out.has(name) && (s.requires ?? []).some((r) => out.has(r))) {
          out.add(name);
          grew = true;
        }
      }
    }
    return out;
  }

  #serviceAction(body: unknown, res: ServerResponse): void {
    const data = decodeBody(serviceActionBody(), body);
    const action = data.action ?? '';
    const names = data.services ?? [];
    const plan = this.#plan.plan.services ?? {};
    if (action === 'autostart' || action === 'replan') {
      if (names.length > 0) throw new HttpError(400, `${action} accepts no service names`);
    } else if (names.length === 0) {
      throw new HttpError(400, `must specify services for ${action} action`);
    } else if (!['start', 'stop', 'restart'].includes(action)) {
      throw new HttpError(400, `invalid action "${action}"`);
    }
    for (const n of names) {
      if (plan[n] === undefined)
        throw new HttpError(400, `cannot ${action} services: service "${n}" does not exist`);
    }
    let stop: string[] = [];
    let start: string[] = [];
    let recorded: string[] = names;
    if (action === 'start') start = startOrder(this.#plan.plan, this.#requiresClosure(names));
    else if (action === 'stop')
      stop = startOrder(this.#plan.plan, this.#dependents(names)).reverse();
    else if (action === 'restart') {
      stop = startOrder(this.#plan.plan, names).reverse();
      start = startOrder(this.#plan.plan, this.#requiresClosure(names));
    } else if (action === 'autostart') {
      const enabled = Object.keys(plan).filter((n) => plan[n]?.startup === 'enabled');
      if (enabled.length === 0)
        throw new HttpError(400, 'no default services', 'no-default-services');
      start = startOrder(this.#plan.plan, this.#requiresClosure(enabled));
      recorded = start;
    } else {
      const changed = Object.keys(plan).filter((n) => {
        const state = this.#services.get(n);
        return state?.config !== undefined && state.config !== serviceConfig(plan[n]);
      });
      const stopSet = this.#dependents(changed);
      stop = startOrder(
        this.#plan.plan,
        [...stopSet].filter((n) =>
          ['active', 'backoff'].includes(this.#services.get(n)?.current ?? ''),
        ),
      ).reverse();
      const enabled = Object.keys(plan).filter((n) => plan[n]?.startup === 'enabled');
      const startSet = new Set([
        ...changed,
        ...enabled,
        ...[...stopSet].filter((n) => plan[n]?.startup === 'enabled'),
      ]);
      start = startOrder(this.#plan.plan, this.#requiresClosure(startSet));
      // Pebble records (and summarises) a replan's services sorted by name.
      recorded = [...new Set([...stop, ...start])].sort();
      this.#startEnabledChecks();
    }
    const affected = [...new Set([...stop, ...start])];
    const verb = action.charAt(0).toUpperCase() + action.slice(1);
    if (affected.length === 0) {
      const change = this.#changes.create(action, `${verb} - no services`, [], [], 'Done');
      this.#async(res, change.id, null);
      return;
    }
    // As Pebble: the summary names the first service asked for (the first default one for
    // autostart, the first by name for replan) and counts the services started (stopped
    // for stop; every one affected for replan).
    const first = recorded[0] ?? '';
    const count =
      action === 'stop' ? stop.length : action === 'replan' ? recorded.length : start.length;
    const summary =
      count === 1
        ? `${verb} service "${first}"`
        : `${verb} service "${first}" and ${count - 1} more`;
    const change = this.#changes.create(
      action,
      summary,
      [
        ...stop.map((n) => ({ kind: 'stop', summary: `Stop service "${n}"` })),
        ...start.map((n) => ({ kind: 'start', summary: `Start service "${n}"` })),
      ],
      recorded,
    );
    this.#async(res, change.id, null);
    this.#runServiceChange(change, [...stop, ...start]).catch(() => undefined);
  }

  async #runServiceChange(change: FakeChange, order: string[]): Promise<void> {
    for (const [i, task] of change.tasks.entries()) {
      const name = order[i] ?? '';
      if (change.aborted) {
        if (task.status === 'Do') this.#changes.setTask(change, task, 'Hold');
        continue;
      }
      if (change.tasks.some((t) => t.status === 'Error')) {
        this.#changes.setTask(change, task, 'Hold');
        continue;
      }
      this.#changes.setTask(change, task, 'Doing');
      if (task.kind === 'stop') {
        const state = this.#services.get(name);
        if (state === undefined)
          this.#changes.log(task, 'INFO', `Service "${name}" has never been started.`);
        else if (state.current === 'inactive' || state.current === 'error') {
          this.#changes.log(task, 'INFO', `Service "${name}" already stopped.`);
        } else this.#setService(name, 'inactive');
        this.#changes.setTask(change, task, 'Done');
        continue;
      }
      const config = this.#plan.plan.services?.[name];
      if (config === undefined) {
        this.#changes.log(task, 'ERROR', `cannot find service "${name}" in plan`);
        this.#changes.setTask(change, task, 'Error');
        continue;
      }
      if (this.#services.get(name)?.current === 'active') {
        this.#changes.log(task, 'INFO', `Service "${name}" already started.`);
        this.#changes.setTask(change, task, 'Done');
        continue;
      }
      const behaviour = this.#behaviours.get(name) ?? { kind: 'running' };
      if (behaviour.kind === 'hang') {
        const generation = this.#generation;
        const released = await new Promise<boolean>((resolve) => {
          const set = this.#releases.get(name) ?? new Set();
          this.#releases.set(name, set);
          set.add(() => resolve(!change.aborted));
        });
        // A reset happened while waiting: this change belongs to the previous state.
        if (generation !== this.#generation) return;
        if (!released) {
          this.#changes.log(task, 'ERROR', 'start aborted, sent SIGKILL to process');
          this.#setService(name, 'inactive');
          this.#changes.setTask(change, task, 'Error');
          continue;
        }
      }
      if (behaviour.kind === 'exit') {
        const act = (behaviour.exitCode === 0 ? config.onSuccess : config.onFailure) ?? 'restart';
        if (behaviour.output !== undefined) {
          this.#changes.log(
            task,
            'INFO',
            `Most recent service output:\n    ${behaviour.output.split('\n').join('\n    ')}`,
          );
          for (const line of behaviour.output.split('\n')) this.#log(name, line);
        }
        this.#changes.log(
          task,
          'ERROR',
          `service start attempt: exited quickly with code ${behaviour.exitCode}, will ${act}`,
        );
        this.#setService(
          name,
          act === 'restart'
            ? 'backoff'
            : act === 'ignore' && behaviour.exitCode === 0
              ? 'inactive'
              : 'error',
        );
        this.#recordStart(name, config);
        this.#changes.setTask(change, task, 'Error');
        continue;
      }
      if (behaviour.kind === 'fail') {
        this.#changes.log(task, 'ERROR', `cannot start service: ${behaviour.message}`);
        this.#changes.setTask(change, task, 'Error');
        continue;
      }
      this.#setService(name, 'active');
      this.#recordStart(name, config);
      this.#changes.setTask(change, task, 'Done');
    }
  }

  #recordStart(name: string, config: Service): void {
    const state = this.#services.get(name);
    if (state === undefined) return;
    state.config = serviceConfig(config);
    state.starts += 1;
  }

  #signals(body: unknown, res: ServerResponse): void {
    const parsed = safeParse(signalsBody(), body);
    if (!parsed.success)
      throw new HttpError(
        400,
        `cannot decode request body: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const services = parsed.data.services ?? [];
    if (services.length === 0) throw new HttpError(400, 'must specify one or more services');
    const signal = parsed.data.signal ?? '';
    const problems: string[] = [];
    for (const name of services) {
      if (this.#services.get(name)?.current !== 'active')
        problems.push(`cannot send signal to "${name}": service is not running`);
      else if (!/^SIG[A-Z0-9]+$/u.test(signal) || !(signal in SIGNAL_NUMBERS)) {
        problems.push(`cannot send signal to "${name}": invalid signal name "${signal}"`);
      } else this.#log(name, `received ${signal}`);
    }
    if (problems.length > 0) throw new HttpError(500, problems.join('; '));
    this.#sync(res, true);
  }

  // ----- plan and checks -----

  #addLayer(body: unknown, res: ServerResponse): void {
    const parsed = safeParse(addLayerBody(), body);
    if (!parsed.success)
      throw new HttpError(
        400,
        `cannot decode request body: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const b = parsed.data;
    if (b.action !== 'add') throw new HttpError(400, `invalid action "${b.action ?? ''}"`);
    if (!b.label) throw new HttpError(400, 'label must be set');
    if (b.format !== 'yaml') throw new HttpError(400, `invalid format "${b.format ?? ''}"`);
    this.#plan.add(b.label, b.layer ?? '', b.combine ?? false);
    this.#planChanged();
    this.#sync(res, true);
  }

  #planChanged(): void {
    const checks = this.#plan.plan.checks ?? {};
    for (const [name, state] of [...this.#checks]) {
      if (checks[name] === undefined) {
        this.#stopCheckChange(state);
        this.#checks.delete(name);
      }
    }
    for (const [name, config] of Object.entries(checks)) {
      const text = JSON.stringify(config);
      const state = this.#checks.get(name);
      if (state === undefined) {
        const fresh: CheckState = {
          status: 'inactive',
          successes: 0,
          failures: 0,
          changeId: undefined,
          prevChangeId: undefined,
          config: text,
          error: undefined,
        };
        this.#checks.set(name, fresh);
        if (config.startup !== 'disabled') this.#performCheck(name, fresh, config);
      } else if (state.config !== text && config.startup !== 'disabled') {
        this.#stopCheckChange(state);
        state.config = text;
        state.successes = 0;
        state.failures = 0;
        this.#performCheck(name, state, config);
      } else if (state.status === 'inactive' && config.startup !== 'disabled') {
        state.config = text;
        this.#performCheck(name, state, config);
      } else state.config = text;
    }
  }

  #startEnabledChecks(): void {
    for (const [name, config] of Object.entries(this.#plan.plan.checks ?? {})) {
      const state = this.#checks.get(name);
      if (state !== undefined && state.status === 'inactive' && config.startup !== 'disabled') {
        this.#performCheck(name, state, config);
      }
    }
  }

  #performCheck(
    name: string,
    state: CheckState,
    config: NonNullable<Layer['checks']>[string],
  ): void {
    const summary = `Perform ${checkKindName(config)} check "${name}"`;
    state.status = 'up';
    const change = this.#changes.create('perform-check', summary, [
      { kind: 'perform-check', summary },
    ]);
    state.changeId = change.id;
    const task = change.tasks[0];
    if (task !== undefined) this.#changes.setTask(change, task, 'Doing');
  }

  #stopCheckChange(state: CheckState): void {
    const change =
      state.changeId === undefined ? undefined : this.#changes.changes.get(state.changeId);
    if (change !== undefined && !ChangeStore.ready(change)) {
      for (const task of change.tasks) this.#changes.setTask(change, task, 'Done');
    }
    state.changeId = undefined;
    state.status = 'inactive';
  }

  #checkJSON(name: string, state: CheckState): Record<string, unknown> {
    const config = this.#plan.plan.checks?.[name];
    const out: Record<string, unknown> = { name };
    if (config?.level !== undefined) out.level = config.level;
    out.startup = config?.startup === 'disabled' ? 'disabled' : 'enabled';
    out.status = state.status;
    out.successes = state.successes;
    if (state.failures !== 0) out.failures = state.failures;
    out.threshold = config?.threshold ?? 3;
    if (state.changeId !== undefined) out['change-id'] = state.changeId;
    if (state.prevChangeId !== undefined) out['prev-change-id'] = state.prevChangeId;
    return out;
  }

  #listChecks(q: URLSearchParams, res: ServerResponse): void {
    const level = q.get('level') ?? '';
    if (level !== '' && level !== 'alive' && level !== 'ready')
      throw new HttpError(400, 'level must be "alive" or "ready"');
    const names = listParam(q, 'names');
    const out = [...this.#checks.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .filter(([name]) => names.length === 0 || names.includes(name))
      .filter(([name]) => level === '' || this.#plan.plan.checks?.[name]?.level === level)
      .map(([name, state]) => this.#checkJSON(name, state));
    this.#sync(res, out);
  }

  #checkAction(body: unknown, res: ServerResponse): void {
    const data = decodeBody(checkActionBody(), body);
    const action = data.action ?? '';
    const names = data.checks ?? [];
    if (names.length === 0) throw new HttpError(400, `must specify checks for ${action} action`);
    if (action !== 'start' && action !== 'stop')
      throw new HttpError(400, `invalid action "${action}"`);
    const missing = names.filter((n) => !this.#checks.has(n)).sort();
    if (missing.length > 0)
      throw new HttpError(
        400,
        `cannot ${action} checks: cannot find checks in plan: ${missing.join(', ')}`,
      );
    const changed: string[] = [];
    for (const name of names) {
      const state = this.#checks.get(name);
      const config = this.#plan.plan.checks?.[name];
      if (state === undefined || config === undefined) continue;
      if (action === 'start' && state.status === 'inactive') {
        this.#performCheck(name, state, config);
        changed.push(name);
      } else if (action === 'stop' && state.status !== 'inactive') {
        this.#stopCheckChange(state);
        changed.push(name);
      }
    }
    this.#sync(res, { changed: changed.sort() });
  }

  #refreshCheck(body: unknown, res: ServerResponse): void {
    const data = decodeBody(refreshCheckBody(), body);
    const name = data.name ?? '';
    if (name === '') throw new HttpError(400, 'must specify check name');
    const state = this.#checks.get(name);
    if (state === undefined) throw new HttpError(404, `cannot find check with name "${name}"`);
    if (state.status !== 'inactive') {
      if (state.error === undefined) state.successes += 1;
      else state.failures += 1;
    }
    const out: Record<string, unknown> = { info: this.#checkJSON(name, state) };
    if (state.error !== undefined) out.error = state.error;
    this.#sync(res, out);
  }

  // ----- files -----

  async #getFiles(q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const action = q.get('action') ?? '';
    if (action === 'list') {
      const itself = q.get('itself') ?? '';
      if (!['', 'true', 'false'].includes(itself))
        throw new HttpError(400, 'itself parameter must be "true" or "false"');
      const path = q.get('path') ?? undefined;
      return this.#sync(
        res,
        await this.#files.list(path, q.get('pattern') ?? undefined, itself === 'true'),
      );
    }
    if (action === 'read') {
      return this.#files.read(q.getAll('path'), req.headers.accept, res, (result) =>
        JSON.stringify(envelope('sync', 200, result)),
      );
    }
    throw new HttpError(400, `invalid action "${action}"`);
  }

  async #postFiles(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = req.headers['content-type'] ?? '';
    const media = type.split(';')[0]?.trim().toLowerCase() ?? '';
    // Go's mime.ParseMediaType fails on an empty or malformed type.
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+(?:\/[!#$%&'*+.^_`|~0-9a-z-]+)?$/u.test(media)) {
      req.resume();
      throw new HttpError(400, `invalid Content-Type ${JSON.stringify(type)}`);
    }
    if (media === 'multipart/form-data') return this.#sync(res, await this.#files.write(req, type));
    if (media === 'application/json')
      return this.#sync(res, await this.#files.jsonAction(await this.#json(req)));
    req.resume();
    throw new HttpError(400, `invalid media type "${media}"`);
  }

  // ----- exec -----

  #exec(body: unknown, res: ServerResponse): void {
    const parsed = safeParse(execBody(), body);
    if (!parsed.success)
      throw new HttpError(
        400,
        `cannot decode request body: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const b = parsed.data;
    const command = b.command ?? [];
    if (command.length === 0) throw new HttpError(400, 'must specify command');
    let timeoutMs: number | undefined;
    if (b.timeout) {
      timeoutMs = parseDuration(b.timeout);
      if (timeoutMs === undefined)
        throw new HttpError(400, `invalid timeout: time: invalid duration "${b.timeout}"`);
    }
    const handler = this.#execHandlers.find((h) => matches(h.matcher, command))?.handler;
    if (handler === undefined) throw new HttpError(400, `cannot find executable "${command[0]}"`);
    let context: Service | undefined;
    if (b['service-context']) {
      context = this.#plan.plan.services?.[b['service-context']];
      if (context === undefined)
        throw new HttpError(400, `context service "${b['service-context']}" not found`);
    }
    const owner = this.#users.resolve({
      userId: b['user-id'] ?? context?.userId ?? null,
      user: b.user ?? context?.user ?? null,
      groupId: b['group-id'] ?? context?.groupId ?? null,
      group: b.group ?? context?.group ?? null,
    });
    if (b.interactive && !b.terminal)
      throw new HttpError(500, 'cannot call exec: cannot use interactive mode without a terminal');
    const user =
      owner === undefined
        ? this.#users.userById(process.getuid?.() ?? 0)
        : this.#users.userById(owner.userId);
    const environment: Record<string, string> = {
      ...(this.#options.environment ?? {}),
      ...(context?.environment ?? {}),
      ...(b.environment ?? {}),
    };
    environment.PATH ??= DEFAULT_PATH;
    environment.LANG ??= 'C.UTF-8';
    if (!environment.HOME) environment.HOME = user?.home ?? '/root';
    if (!environment.USER) environment.USER = user?.name ?? 'root';
    const workingDir = b['working-dir'] || context?.workingDir || environment.HOME || '/';
    const change = this.#changes.create('exec', `Execute command "${command[0]}"`, [
      { kind: 'exec', summary: `Execute command "${command[0]}"` },
    ]);
    const task = change.tasks[0];
    if (task === undefined) throw new HttpError(500, 'exec change has no task');
    const exec = new FakeExec(
      {
        command,
        environment,
        workingDir,
        userId: owner?.userId,
        user: owner?.user,
        groupId: owner?.groupId,
        group: owner?.group,
        serviceContext: b['service-context'] ?? undefined,
        timeoutMs,
        splitStderr: b['split-stderr'] ?? false,
        handler,
      },
      change,
      task,
      this.#changes,
      this.#options.execConnectTimeoutMs ?? 5000,
    );
    this.#execs.set(task.id, exec);
    this.#changes.onReady(change, () => {
      if (this.#execs.get(task.id) === exec) this.#execs.delete(task.id);
    });
    this.#async(res, change.id, { environment, 'task-id': task.id, 'working-dir': workingDir });
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): undefined {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = /^\/v1\/tasks\/([^/]+)\/websocket\/([^/]+)$/u.exec(url.pathname);
    const reject = (status: number, message: string): undefined => {
      const body = JSON.stringify({
        type: 'error',
        'status-code': status,
        status: STATUS_CODES[status],
        result: { message },
      });
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return undefined;
    };
    if (m === null) return reject(404, 'invalid API endpoint requested');
    const taskId = decodeURIComponent(m[1] ?? '');
    const id = decodeURIComponent(m[2] ?? '');
    const found = this.#changes.findTask(taskId);
    if (found === undefined) return reject(404, `cannot find task "${taskId}"`);
    if (found.task.kind !== 'exec')
      return reject(400, `"${found.task.kind}" tasks do not have websockets`);
    const exec = this.#execs.get(taskId);
    if (exec === undefined || exec.finished) {
      const err = ChangeStore.err(found.change);
      return reject(500, err ?? 'exec already finished');
    }
    const ids = exec.spec.splitStderr ? ['control', 'stdio', 'stderr'] : ['control', 'stdio'];
    if (!ids.includes(id)) return reject(404, `cannot find ${id} websocket for task "${taskId}"`);
    if (exec.sockets.has(id)) return reject(500, `${id} websocket already connected`);
    this.#wss.handleUpgrade(req, socket, head, (ws) => exec.attach(id, ws));
    return undefined;
  }

  // ----- notices -----

  #getNotices(q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    // Pebble's order: the user-id filter is checked first, then users.
    const users = q.get('users');
    const userIdText = q.get('user-id');
    let userId: number | null | 'all' = process.getuid?.() ?? 0;
    if (userIdText !== null) {
      const ids = listParam(q, 'user-id');
      if (ids.length !== 1)
        throw new HttpError(400, 'invalid "user-id" filter: must only include one "user-id"');
      const text = ids[0] ?? '';
      if (!/^[-+]?\d+$/u.test(text)) {
        throw new HttpError(
          400,
          `invalid "user-id" filter: strconv.ParseInt: parsing "${text}": invalid syntax`,
        );
      }
      const n = Number(text);
      if (n < 0 || n > 0xffffffff)
        throw new HttpError(400, `invalid "user-id" filter: user ID is not a valid uint32: ${n}`);
      userId = n;
    }
    if (users !== null) {
      if (userIdText !== null)
        throw new HttpError(400, 'cannot use both "users" and "user-id" parameters');
      if (users !== 'all') throw new HttpError(400, 'invalid "users" filter: must be "all"');
      userId = 'all';
    }
    const types = listParam(q, 'types');
    const known = ['change-update', 'custom', 'warning'];
    if (types.length > 0 && types.every((t) => !known.includes(t))) return this.#sync(res, []);
    const afterText = q.get('after');
    let after: Date | undefined;
    if (afterText !== null && afterText !== '') {
      const parsed = parseRfc3339(afterText);
      if (typeof parsed === 'string')
        throw new HttpError(400, `invalid "after" timestamp: ${parsed}`);
      after = parsed;
    }
    const timeoutText = q.get('timeout');
    let timeout: number | undefined;
    if (timeoutText !== null && timeoutText !== '') {
      timeout = parseDuration(timeoutText);
      if (timeout === undefined)
        throw new HttpError(400, `invalid timeout: time: invalid duration "${timeoutText}"`);
    }
    const query = { types, keys: listParam(q, 'keys'), after, userId };
    const found = this.#notices.query(query);
    if (found.length > 0 || timeout === undefined)
      return this.#sync(res, found.map(NoticeStore.toJSON));
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        cancel();
        clearTimeout(timer);
        this.#timers.delete(timer);
        req.off('close', gone);
        resolve();
      };
      const cancel = this.#notices.onChange(() => {
        const now = this.#notices.query(query);
        if (now.length === 0) return;
        finish();
        this.#sync(res, now.map(NoticeStore.toJSON));
      });
      const gone = (): void => finish();
      req.on('close', gone);
      const timer = setTimeout(() => {
        finish();
        this.#sync(res, []);
      }, timeout);
      this.#timers.add(timer);
    });
  }

  #addNoticeFromApi(body: unknown, res: ServerResponse): void {
    const parsed = safeParse(addNoticeBody(), body);
    if (!parsed.success)
      throw new HttpError(
        400,
        `cannot decode request body: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const b = parsed.data;
    if (b.action !== 'add') throw new HttpError(400, `invalid action "${b.action ?? ''}"`);
    if (b.type !== 'custom')
      throw new HttpError(400, `invalid type "${b.type ?? ''}" (can only add "custom" notices)`);
    const key = b.key ?? '';
    const label = '[a-z0-9]+(?:-[a-z0-9]+)*';
    if (!new RegExp(`^${label}(?:\\.${label})+(?:/${label})+$`, 'u').test(key)) {
      throw new HttpError(400, `invalid key "${key}" (must be in "example.com/path" format)`);
    }
    if (Buffer.byteLength(key) > 256) throw new HttpError(400, 'key must be 256 bytes or less');
    let repeatMs: number | undefined;
    if (b['repeat-after']) {
      repeatMs = parseDuration(b['repeat-after']);
      if (repeatMs === undefined)
        throw new HttpError(
          400,
          `invalid repeat-after: time: invalid duration "${b['repeat-after']}"`,
        );
    }
    if (
      b.data !== undefined &&
      b.data !== null &&
      Buffer.byteLength(JSON.stringify(b.data)) > 4096
    ) {
      throw new HttpError(400, 'total size of data must be 4096 bytes or less');
    }
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(b.data ?? {})) {
      if (typeof v !== 'string')
        throw new HttpError(400, `cannot decode notice data: value of "${k}" must be a string`);
      data[k] = v;
    }
    const notice = this.#notices.add(
      process.getuid?.() ?? 0,
      'custom',
      key,
      Object.keys(data).length === 0 ? undefined : data,
      repeatMs,
      repeatMs === undefined ? undefined : formatGoDuration(repeatMs),
    );
    this.#sync(res, { id: notice.id });
  }

  // ----- identities -----

  #listIdentities(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, identity] of [...this.#identities].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const masked: Record<string, unknown> = { ...identity };
      if (identity.basic !== undefined) masked.basic = { password: '*****' };
      if (identity.cert !== undefined) masked.cert = { pem: '*****' };
      out[name] = masked;
    }
    return out;
  }

  #identityAction(body: unknown, res: ServerResponse): void {
    const parsed = safeParse(identityActionBody(), body);
    if (!parsed.success)
      throw new HttpError(
        400,
        `cannot decode request body: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const action = parsed.data.action ?? '';
    const identities = parsed.data.identities ?? {};
    if (!['add', 'update', 'replace', 'remove'].includes(action)) {
      throw new HttpError(
        400,
        `invalid action "${action}", must be "add", "update", "replace", or "remove"`,
      );
    }
    const names = Object.keys(identities).sort();
    const next = new Map(this.#identities);
    if (action === 'add') {
      const existing = names.filter((n) => this.#identities.has(n));
      if (existing.length > 0)
        throw new HttpError(400, `identities already exist: ${existing.join(', ')}`);
    }
    if (action === 'update' || action === 'remove') {
      const missing = names.filter((n) => !this.#identities.has(n));
      if (missing.length > 0)
        throw new HttpError(400, `identities do not exist: ${missing.join(', ')}`);
    }
    for (const name of names) {
      const identity = identities[name];
      if (action === 'remove') {
        if (identity !== null)
          throw new HttpError(
            400,
            `identity value for "${name}" must be null for remove operation`,
          );
        next.delete(name);
        continue;
      }
      if (identity === null || identity === undefined) {
        if (action === 'replace') {
          next.delete(name);
          continue;
        }
        throw new HttpError(
          400,
          `identity value for "${name}" must not be null for ${action} operation`,
        );
      }
      if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/u.test(name))
        throw new HttpError(400, `invalid identity name "${name}"`);
      const access = identity.access ?? '';
      if (access === '') {
        throw new HttpError(
          400,
          `invalid identity for "${name}": access value must be specified ("admin", "read", "metrics", or "untrusted")`,
        );
      }
      if (!['admin', 'read', 'metrics', 'untrusted'].includes(access)) {
        throw new HttpError(
          400,
          `invalid identity for "${name}": invalid access value "${access}", must be "admin", "read", "metrics", or "untrusted"`,
        );
      }
      const stored: Record<string, unknown> = { access };
      if (identity.local) {
        const uid = identity.local['user-id'];
        if (uid === undefined || uid === null)
          throw new HttpError(
            400,
            `invalid identity for "${name}": local identity must specify user-id`,
          );
        stored.local = { 'user-id': uid };
      }
      if (identity.basic) {
        if (!identity.basic.password)
          throw new HttpError(
            400,
            `invalid identity for "${name}": basic identity must specify password (hashed)`,
          );
        stored.basic = { password: identity.basic.password };
      }
      if (identity.cert) {
        const pem = identity.cert.pem ?? '';
        if (!/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/u.test(pem)) {
          throw new HttpError(
            400,
            `invalid identity for "${name}": cert identity must include a PEM-encoded certificate`,
          );
        }
        stored.cert = { pem };
      }
      if (stored.local === undefined && stored.basic === undefined && stored.cert === undefined) {
        throw new HttpError(
          400,
          `invalid identity for "${name}": identity must have at least one type ("local", "basic", or "cert")`,
        );
      }
      next.set(name, stored);
    }
    const byUid = new Map<number, string[]>();
    for (const [name, identity] of next) {
      const uid = (identity.local as { 'user-id': number } | undefined)?.['user-id'];
      if (uid === undefined) continue;
      byUid.set(uid, [...(byUid.get(uid) ?? []), name]);
    }
    for (const [uid, list] of byUid) {
      if (list.length > 1)
        throw new HttpError(
          400,
          `cannot have multiple identities with user ID ${uid} (${list.sort().join(', ')})`,
        );
    }
    this.#identities.clear();
    for (const [name, identity] of next) this.#identities.set(name, identity);
    this.#send(res, 200, { type: 'sync', 'status-code': 200, status: 'OK' });
  }

  // ----- logs -----

  #log(service: string, message: string): void {
    const line = { time: new Date(), service, message };
    this.#logs.push(line);
    if (this.#logs.length > LOG_BUFFER) this.#logs.shift();
    for (const follower of this.#logFollowers) follower(line);
  }

  #getLogs(q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const follow = q.get('follow') ?? '';
    if (!['', 'true', 'false'].includes(follow))
      throw new HttpError(400, 'follow parameter must be "true" or "false"');
    const nText = q.get('n');
    let n = follow === 'true' ? 0 : 30;
    if (nText !== null && nText !== '') {
      n = Number(nText);
      if (!Number.isInteger(n) || n < -1)
        throw new HttpError(400, 'n must be -1, 0, or a positive integer');
    }
    const services = listParam(q, 'services');
    const planServices = Object.keys(this.#plan.plan.services ?? {});
    const wanted = (s: string): boolean =>
      services.length === 0 ? planServices.includes(s) : services.includes(s);
    const lines = this.#logs.filter((l) => wanted(l.service));
    const selected = n === -1 ? lines : n === 0 ? [] : lines.slice(-n);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const format = (l: LogLine): string =>
      `${JSON.stringify({ time: l.time.toISOString().replace(/\.?0+Z$/u, 'Z'), service: l.service, message: l.message })}\n`;
    for (const line of selected) res.write(format(line));
    if (follow !== 'true') {
      res.end();
      return;
    }
    return new Promise<void>((resolve) => {
      const follower = (line: LogLine): void => {
        if (wanted(line.service)) res.write(format(line));
      };
      this.#logFollowers.add(follower);
      const stop = (): void => {
        this.#logFollowers.delete(follower);
        resolve();
      };
      req.on('close', stop);
      res.on('close', stop);
    });
  }

  // ----- legacy warnings -----

  async #warningsEndpoint(
    method: string,
    q: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    if (method === 'GET') {
      const select = q.get('select') ?? '';
      if (!['', 'pending', 'all'].includes(select))
        throw new HttpError(400, `invalid select parameter: "${select}"`);
      const list = this.#warnings.filter(
        (w) => select === 'all' || w.lastShown === undefined || w.lastAdded > w.lastShown,
      );
      const now = new Date();
      for (const w of list) w.lastShown = now;
      return this.#sync(
        res,
        list.map((w) => ({
          message: w.message,
          'first-added': rfc3339(w.firstAdded),
          'last-added': rfc3339(w.lastAdded),
          'last-shown': w.lastShown === undefined ? null : rfc3339(w.lastShown),
          'expire-after': '672h0m0s',
          'repeat-after': '24h0m0s',
        })),
      );
    }
    const body = await this.#json(req, 'request body into warnings operation');
    const parsed = safeParse(warningsActionBody(), body);
    if (!parsed.success)
      throw new HttpError(400, 'cannot decode request body into warnings operation');
    if (parsed.data.action !== 'okay')
      throw new HttpError(400, `unknown warning action "${parsed.data.action ?? ''}"`);
    const until = new Date(parsed.data.timestamp ?? '');
    const before = this.#warnings.length;
    for (let i = this.#warnings.length - 1; i >= 0; i--) {
      const w = this.#warnings[i];
      if (w !== undefined && w.lastShown !== undefined && w.lastAdded <= until)
        this.#warnings.splice(i, 1);
    }
    this.#sync(res, before - this.#warnings.length);
  }
}

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGSTOP: 19,
  SIGCONT: 18,
};

function envelope(type: string, status: number, result: unknown): Record<string, unknown> {
  return { type, 'status-code': status, status: STATUS_CODES[status] ?? '', result };
}

function listParam(q: URLSearchParams, name: string): string[] {
  return q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function serviceConfig(service: Service | undefined): string {
  return JSON.stringify(service ?? {});
}

function checkKindName(check: NonNullable<Layer['checks']>[string]): string {
  return check.http !== undefined ? 'HTTP' : check.tcp !== undefined ? 'TCP' : 'exec';
}

/** Parse a request body as Pebble does, answering 400 "cannot decode data from request body". */
function decodeBody<T>(schema: ZodType<T>, body: unknown): T {
  const parsed = safeParse(schema, body);
  if (!parsed.success) {
    throw new HttpError(
      400,
      `cannot decode data from request body: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  return parsed.data;
}

// Request bodies, as Pebble's handlers decode them: every field may be absent or null.

const optionalString = () => z.nullish(z.string());
const optionalBoolean = () => z.nullish(z.boolean());
const optionalInt = () => z.nullish(z.number().check(z.int()));
const optionalStrings = () => z.nullish(z.array(z.string()));

const serviceActionBody = memo(() =>
  z.object({ action: optionalString(), services: optionalStrings() }),
);
const signalsBody = memo(() => z.object({ signal: optionalString(), services: optionalStrings() }));
const addLayerBody = memo(() =>
  z.object({
    action: optionalString(),
    combine: optionalBoolean(),
    inner: optionalBoolean(),
    label: optionalString(),
    format: optionalString(),
    layer: optionalString(),
  }),
);
const checkActionBody = memo(() =>
  z.object({ action: optionalString(), checks: optionalStrings() }),
);
const refreshCheckBody = memo(() => z.object({ name: optionalString() }));
const execBody = memo(() =>
  z.object({
    command: optionalStrings(),
    'service-context': optionalString(),
    environment: z.nullish(z.record(z.string(), z.string())),
    'working-dir': optionalString(),
    timeout: optionalString(),
    'user-id': optionalInt(),
    user: optionalString(),
    'group-id': optionalInt(),
    group: optionalString(),
    terminal: optionalBoolean(),
    interactive: optionalBoolean(),
    'split-stderr': optionalBoolean(),
  }),
);
const addNoticeBody = memo(() =>
  z.object({
    action: optionalString(),
    type: optionalString(),
    key: optionalString(),
    'repeat-after': optionalString(),
    data: z.nullish(z.record(z.string(), z.unknown())),
  }),
);
const identityActionBody = memo(() =>
  z.object({
    action: optionalString(),
    identities: z.nullish(
      z.record(
        z.string(),
        z.nullable(
          z.object({
            access: optionalString(),
            local: z.nullish(z.object({ 'user-id': optionalInt() })),
            basic: z.nullish(z.object({ password: optionalString() })),
            cert: z.nullish(z.object({ pem: optionalString() })),
          }),
        ),
      ),
    ),
  }),
);
const warningsActionBody = memo(() =>
  z.object({ action: optionalString(), timestamp: optionalString() }),
);
