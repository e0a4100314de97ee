import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type {
  CheckInfo,
  ExecOptions,
  ExecProcess,
  FileInfo,
  Layer,
  LayerDict,
  MakeDirOptions,
  Notice,
  NoticesFilter,
  PebbleClient,
  Plan,
  PushOptions,
  PushSource,
  ServiceInfo,
} from '@opsjs/pebble';
import type { ModelBackend } from './backend/model-backend.js';
import { InvalidArgumentError, ModelError, MultiPushPullError } from './errors.js';
import type { JujuVersion } from './juju-version.js';
import type { PebbleLoader, PebbleModule } from './pebble-loader.js';
import { securityEventLine, uid } from './security-log.js';

/** @internal What a container needs from its model. */
export interface ContainerContext {
  readonly backend: ModelBackend;
  readonly jujuVersion: JujuVersion;
  readonly unitName: string;
  readonly modelUuid: string;
  readonly loadPebble: PebbleLoader;
}

function needNames(names: readonly string[], what: string): void {
  if (names.length === 0) {
    throw new InvalidArgumentError(`${what} expected at least 1 argument, got 0`);
  }
}

/**
 * A workload container of a sidecar charm, reached through its Pebble socket.
 *
 * Every method is async (Pebble is reached over a unix socket). `@opsjs/pebble` is loaded on
 * the first call, so machine charms never load it. The socket is
 * `/charm/containers/<name>/pebble.socket` unless the model was given another path.
 *
 * @example
 * ```ts
 * const web = model.unit.getContainer('web');
 * if (await web.canConnect()) {
 *   await web.addLayer('web', { services: { web: { override: 'replace', command: 'web' } } }, { combine: true });
 *   await web.replan();
 * }
 * ```
 */
export class Container {
  /** The container name from metadata. */
  readonly name: string;
  /** The Pebble socket path. */
  readonly socketPath: string;
  readonly #ctx: ContainerContext;
  #client: Promise<{ mod: PebbleModule; client: PebbleClient }> | undefined;

  /** @internal Use `unit.getContainer(name)`. */
  constructor(ctx: ContainerContext, name: string, socketPath: string) {
    this.#ctx = ctx;
    this.name = name;
    this.socketPath = socketPath;
  }

  #connect(): Promise<{ mod: PebbleModule; client: PebbleClient }> {
    this.#client ??= this.#ctx.loadPebble().then((mod) => ({
      mod,
      client: new mod.PebbleClient({ socketPath: this.socketPath }),
    }));
    return this.#client;
  }

  /**
   * The underlying Pebble client (loads `@opsjs/pebble`).
   *
   * @throws {PebbleUnavailableError} If `@opsjs/pebble` is not installed.
   */
  async pebble(): Promise<PebbleClient> {
    return (await this.#connect()).client;
  }

  /** Close the Pebble client's connections, if any were opened. */
  async close(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    if (pending !== undefined) await (await pending).client.close();
  }

  /**
   * Whether Pebble answers right now (a `getSystemInfo` probe). A connection error (including a
   * missing socket) or an API error gives `false`, logged through `juju-log` as ops does
   * (DEBUG `Pebble API is not ready; ConnectionError: ...`, WARNING for an API error); other
   * errors propagate.
   */
  async canConnect(): Promise<boolean> {
    const { mod, client } = await this.#connect();
    try {
      await client.getSystemInfo();
      return true;
    } catch (err) {
      if (err instanceof mod.ConnectionError) {
        this.#log('DEBUG', `Pebble API is not ready; ConnectionError: ${err.message}`);
        return false;
      }
      if (err instanceof mod.APIError) {
        this.#log('WARNING', `Pebble API is not ready; APIError: ${err.message}`);
        return false;
      }
      throw err;
    }
  }

  #log(level: string, message: string): void {
    try {
      this.#ctx.backend.jujuLog(level, message);
    } catch {
      // A failing log line must not change the answer.
    }
  }

  /** Start every service with `startup: enabled`. */
  async autostart(): Promise<void> {
    await (await this.pebble()).autostartServices();
  }

  /** Replan: (re)start services whose configuration changed, and enabled ones. */
  async replan(): Promise<void> {
    await (await this.pebble()).replanServices();
  }

  /** Start services. @throws {InvalidArgumentError} Without names. */
  async start(...serviceNames: string[]): Promise<void> {
    needNames(serviceNames, 'start');
    await (await this.pebble()).startServices(serviceNames);
  }

  /** Stop services. @throws {InvalidArgumentError} Without names. */
  async stop(...serviceNames: string[]): Promise<void> {
    needNames(serviceNames, 'stop');
    await (await this.pebble()).stopServices(serviceNames);
  }

  /**
   * Restart services; on an old Pebble without the restart action (HTTP 400), stop the
   * running ones and start them all, as ops does.
   *
   * @throws {InvalidArgumentError} Without names.
   */
  async restart(...serviceNames: string[]): Promise<void> {
    needNames(serviceNames, 'restart');
    const { mod, client } = await this.#connect();
    try {
      await client.restartServices(serviceNames);
    } catch (err) {
      if (!(err instanceof mod.APIError) || err.status !== 400) throw err;
      const services = await this.getServices(...serviceNames);
      const running = [...services.values()].filter(mod.isRunning).map((s) => s.name);
      if (running.length > 0) await client.stopServices(running);
      await client.startServices(serviceNames);
    }
  }

  /** Add a layer (merged into one with the same label when `combine`). */
  async addLayer(
    label: string,
    layer: Layer | LayerDict | string,
    options: { readonly combine?: boolean } = {},
  ): Promise<void> {
    await (await this.pebble()).addLayer(label, layer, { combine: options.combine ?? false });
  }

  /** The combined plan. */
  async getPlan(): Promise<Plan> {
    return (await this.pebble()).getPlan();
  }

  /** Service statuses by name (all services when no names are given). */
  async getServices(...serviceNames: string[]): Promise<Map<string, ServiceInfo>> {
    const list = await (await this.pebble()).getServices(
      serviceNames.length > 0 ? serviceNames : undefined,
    );
    return new Map(list.map((s) => [s.name, s]));
  }

  /**
   * One service's status.
   *
   * @throws {ModelError} If there is no such service.
   */
  async getService(serviceName: string): Promise<ServiceInfo> {
    const info = (await this.getServices(serviceName)).get(serviceName);
    if (info === undefined) throw new ModelError(`service '${serviceName}' not found`);
    return info;
  }

  /** Check statuses by name, optionally filtered by names and level. */
  async getChecks(
    options: { readonly names?: readonly string[]; readonly level?: 'alive' | 'ready' } = {},
  ): Promise<Map<string, CheckInfo>> {
    const names =
      options.names !== undefined && options.names.length > 0 ? options.names : undefined;
    const list = await (await this.pebble()).getChecks(options.level, names);
    return new Map(list.map((c) => [c.name, c]));
  }

  /**
   * One check's status.
   *
   * @throws {ModelError} If there is no such check.
   */
  async getCheck(checkName: string): Promise<CheckInfo> {
    const info = (await this.getChecks({ names: [checkName] })).get(checkName);
    if (info === undefined) throw new ModelError(`check '${checkName}' not found`);
    return info;
  }

  /** Start checks; returns those that were not running (Juju >= 3.6.4). */
  async startChecks(...checkNames: string[]): Promise<string[]> {
    needNames(checkNames, 'start-checks');
    return (await this.pebble()).startChecks(checkNames);
  }

  /**
   * Stop checks; returns those that were running. Each stopped check is logged as a
   * `sys_monitor_disabled` security event, as ops does.
   */
  async stopChecks(...checkNames: string[]): Promise<string[]> {
    needNames(checkNames, 'stop-checks');
    const stopped = await (await this.pebble()).stopChecks(checkNames);
    for (const check of stopped) {
      this.#ctx.backend.jujuLog(
        'TRACE',
        securityEventLine({
          level: 'WARN',
          modelUuid: this.#ctx.modelUuid,
          unitName: this.#ctx.unitName,
          event: `sys_monitor_disabled:${uid()},${check}`,
          description: `Stopped check ${check}`,
        }),
      );
    }
    return stopped;
  }

  /** Read a file as text (default UTF-8). */
  async pull(
    filePath: string,
    options: { readonly encoding?: BufferEncoding } = {},
  ): Promise<string> {
    return (await this.pebble()).pull(filePath, { encoding: options.encoding ?? 'utf8' });
  }

  /** Read a file as a byte stream (never buffered whole). */
  async pullStream(filePath: string): Promise<Readable> {
    return (await this.pebble()).pull(filePath, { encoding: null });
  }

  /** Write a file from text, bytes or a stream. */
  async push(filePath: string, source: PushSource, options: PushOptions = {}): Promise<void> {
    await (await this.pebble()).push(filePath, source, options);
  }

  /** List a directory (or describe a file / the directory itself with `itself`). */
  async listFiles(
    dirPath: string,
    options: { readonly pattern?: string; readonly itself?: boolean } = {},
  ): Promise<FileInfo[]> {
    return (await this.pebble()).listFiles(dirPath, {
      ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
      ...(options.itself === undefined ? {} : { itself: options.itself }),
    });
  }

  /** Create a directory. */
  async makeDir(dirPath: string, options: MakeDirOptions = {}): Promise<void> {
    await (await this.pebble()).makeDir(dirPath, options);
  }

  /** Remove a file or (with `recursive`) a directory tree. */
  async removePath(target: string, options: { readonly recursive?: boolean } = {}): Promise<void> {
    await (await this.pebble()).removePath(target, { recursive: options.recursive ?? false });
  }

  /** Whether a path exists (a 404 is `false`). */
  async exists(target: string): Promise<boolean> {
    return (await this.pebble()).exists(target);
  }

  /** Whether a path is a directory (a 404 is `false`). */
  async isDir(target: string): Promise<boolean> {
    return (await this.pebble()).isDir(target);
  }

  /**
   * Run a command in the container. Output is text (UTF-8 by default), or bytes with
   * `encoding: null`.
   *
   * @throws {ModelError} If `serviceContext` is used with a Juju older than 3.1.6 (or 3.2.0).
   */
  async exec(
    command: readonly string[],
    options: ExecOptions & { readonly encoding: null },
  ): Promise<ExecProcess<Buffer>>;
  async exec(
    command: readonly string[],
    options?: ExecOptions & { readonly encoding?: BufferEncoding },
  ): Promise<ExecProcess<string>>;
  async exec(
    command: readonly string[],
    options: ExecOptions & { readonly encoding?: BufferEncoding | null } = {},
  ): Promise<ExecProcess<string> | ExecProcess<Buffer>> {
    if (options.serviceContext !== undefined && !this.#ctx.jujuVersion.supportsExecServiceContext) {
      throw new ModelError(
        `exec with serviceContext not supported on Juju version ${this.#ctx.jujuVersion}`,
      );
    }
    const { encoding, ...rest } = options;
    const client = await this.pebble();
    if (encoding === null) return client.exec(command, { ...rest, encoding: null });
    return client.exec(command, { ...rest, ...(encoding === undefined ? {} : { encoding }) });
  }

  /** Send a signal (e.g. `SIGHUP`) to services. @throws {InvalidArgumentError} Without names. */
  async sendSignal(signal: string | number, ...serviceNames: string[]): Promise<void> {
    needNames(serviceNames, 'send_signal');
    await (await this.pebble()).sendSignal(signal, serviceNames);
  }

  /**
   * One notice by id.
   *
   * @throws {ModelError} If there is no such notice (Pebble 404).
   */
  async getNotice(id: string): Promise<Notice> {
    const { mod, client } = await this.#connect();
    try {
      return await client.getNotice(id);
    } catch (err) {
      if (err instanceof mod.APIError && err.status === 404) {
        throw new ModelError(`notice '${id}' not found`, { cause: err });
      }
      throw err;
    }
  }

  /** Notices matching a filter. */
  async getNotices(filter: NoticesFilter = {}): Promise<Notice[]> {
    return (await this.pebble()).getNotices(filter);
  }

  /**
   * Copy local files or trees into the container. A source ending in `/*` copies its
   * contents; a directory copies itself under `destDir`. Non-regular files are skipped. Every
   * source is attempted; failures are reported together.
   *
   * @throws {MultiPushPullError} If any source failed.
   */
  async pushPath(sources: string | readonly string[], destDir: string): Promise<void> {
    const list = typeof sources === 'string' ? [sources] : sources;
    const errors: [string, Error][] = [];
    for (const source of list) {
      try {
        for (const file of listLocal(source)) {
          const dest = buildDestPath(file.path, source, destDir);
          if (file.isDir) {
            await this.makeDir(dest, { makeParents: true });
            continue;
          }
          await this.push(dest, fs.createReadStream(file.path), {
            makeDirs: true,
            permissions: file.mode,
          });
        }
      } catch (err) {
        errors.push([source, err instanceof Error ? err : new Error(String(err))]);
      }
    }
    if (errors.length > 0) throw new MultiPushPullError('failed to push one or more files', errors);
  }

  /**
   * Copy files or trees out of the container into a local directory (same rules as
   * {@link Container.pushPath}).
   *
   * @throws {MultiPushPullError} If any source failed.
   */
  async pullPath(sources: string | readonly string[], destDir: string): Promise<void> {
    const list = typeof sources === 'string' ? [sources] : sources;
    const errors: [string, Error][] = [];
    for (const source of list) {
      try {
        for await (const info of this.#listRemote(source)) {
          const dest = buildDestPath(info.path, source, destDir);
          if (info.type === 'directory') {
            fs.mkdirSync(dest, { recursive: true });
            continue;
          }
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          const stream = await this.pullStream(info.path);
          await new Promise<void>((resolve, reject) => {
            const out = fs.createWriteStream(dest);
            out.on('error', reject);
            out.on('finish', resolve);
            stream.on('error', reject);
            stream.pipe(out);
          });
        }
      } catch (err) {
        errors.push([source, err instanceof Error ? err : new Error(String(err))]);
      }
    }
    if (errors.length > 0) throw new MultiPushPullError('failed to pull one or more files', errors);
  }

  async *#listRemote(source: string): AsyncGenerator<FileInfo> {
    const dir = path.posix.basename(source) === '*' ? path.posix.dirname(source) : source;
    for (const info of await this.listFiles(dir)) {
      if (info.type === 'directory') {
        yield info;
        yield* this.#listRemote(info.path);
      } else if (info.type === 'file' || info.type === 'symlink') {
        yield info;
      }
    }
  }
}

interface LocalFile {
  path: string;
  isDir: boolean;
  mode: number;
}

function listLocal(source: string): LocalFile[] {
  const root = path.basename(source) === '*' ? path.dirname(source) : source;
  const out: LocalFile[] = [];
  const visit = (p: string, listChildren: boolean): void => {
    const st = fs.lstatSync(p);
    if (st.isDirectory() && listChildren) {
      for (const name of fs.readdirSync(p).sort()) {
        const child = path.join(p, name);
        const cst = fs.lstatSync(child);
        if (cst.isDirectory()) {
          out.push({ path: child, isDir: true, mode: cst.mode & 0o7777 });
          visit(child, true);
        } else if (cst.isFile()) {
          out.push({ path: child, isDir: false, mode: cst.mode & 0o7777 });
        }
      }
    } else if (st.isFile()) {
      out.push({ path: p, isDir: false, mode: st.mode & 0o7777 });
    }
  };
  visit(root, true);
  return out;
}

function buildDestPath(filePath: string, source: string, destDir: string): string {
  const prefix = path.posix.dirname(source);
  const rel = prefix === '.' ? filePath : path.posix.relative(prefix, filePath);
  if (rel.startsWith('..')) {
    throw new ModelError(`file "${filePath}" does not have specified prefix "${prefix}"`);
  }
  return path.posix.join(destDir, rel);
}
