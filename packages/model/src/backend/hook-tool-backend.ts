import {
  type HookToolFailure,
  InvalidArgumentError,
  InvalidStatusError,
  ModelError,
  RelationNotFoundError,
  SecretNotFoundError,
} from '../errors.js';
import { JujuContext } from '../juju-context.js';
import type { JujuVersion } from '../juju-version.js';
import { pyRepr, securityEventLine, uid } from '../security-log.js';
import { isSettableStatusName } from '../status.js';
import type { ModelBackend } from './model-backend.js';
import { createHookToolRunner, type HookToolRunner } from './run-hook-tool.js';
import * as action from './tools/action.js';
import * as config from './tools/config.js';
import * as network from './tools/network.js';
import * as other from './tools/other.js';
import * as port from './tools/port.js';
import * as relation from './tools/relation.js';
import * as secret from './tools/secret.js';
import * as state from './tools/state.js';
import * as status from './tools/status.js';
import * as storage from './tools/storage.js';
import type {
  CloudSpecData,
  ConfigValue,
  GoalState,
  NetworkData,
  OpenedPortData,
  SecretAddArgs,
  SecretGetArgs,
  SecretInfoData,
  SecretSetArgs,
  SettableStatusName,
  StatusValue,
  StorageDetails,
} from './types.js';

/**
 * Map a failed hook-tool call to the error class ops raises for it (juju-contract §2.2):
 * `relation-*`/`network-*` with "relation not found" → {@link RelationNotFoundError};
 * `secret-*` with "not found" → {@link SecretNotFoundError}; anything else → the
 * {@link ModelError} itself. The message stays the tool's stderr.
 *
 * @param err - the error of the failed call (with `hookTool`, `exitCode` and `stderr`).
 * @param command - the logical command (default `err.hookTool`; ops wraps
 *   `application-version-set` as `app-version-set`).
 */
export function mapHookToolError(err: ModelError, command?: string): ModelError {
  const cmd = command ?? err.hookTool ?? '';
  const stderr = (err.stderr ?? '').toLowerCase();
  const options = {
    cause: err,
    ...(err.hookTool === undefined
      ? {}
      : {
          failure: {
            hookTool: err.hookTool,
            argv: err.argv ?? [],
            exitCode: err.exitCode ?? null,
            stderr: err.stderr ?? '',
          },
        }),
  };
  if (
    (cmd.startsWith('relation-') || cmd.startsWith('network-')) &&
    stderr.includes('relation not found')
  ) {
    return new RelationNotFoundError(err.message, options);
  }
  if (cmd.startsWith('secret-') && stderr.includes('not found')) {
    return new SecretNotFoundError(err.message, options);
  }
  return err;
}

/**
 * Build the error a hook tool's failure maps to, as {@link HookToolBackend} does: the message
 * is the stderr (or a note when empty), and the class follows {@link mapHookToolError}.
 */
export function modelErrorFromFailure(failure: HookToolFailure, command?: string): ModelError {
  const base = new ModelError(failure.stderr || `hook tool ${failure.hookTool} failed`, {
    failure,
  });
  return mapHookToolError(base, command);
}

/** Options of {@link HookToolBackend}. */
export interface HookToolBackendOptions {
  /**
   * The hook context (unit name, model uuid, Juju version). Default: parsed (leniently) from
   * `env`, so `JUJU_VERSION` decides the version gates, `0.0.0` when absent (as in ops).
   */
  readonly context?: JujuContext;
  /** Environment of the tools; `PATH` decides where they are found. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Let the tools inherit the process's environment: see `HookToolRunnerOptions.inheritEnv`. */
  readonly inheritEnv?: boolean;
  /** Kill a tool that runs longer than this (ms). Default 60 000. */
  readonly timeoutMs?: number;
  /**
   * A monotonic clock in ms for the 30 s leadership cache. Default `process.hrtime` (the
   * `performance` global would load `perf_hooks`, ~1 ms, in every hook).
   */
  readonly now?: () => number;
  /** Called after `juju-reboot --now` succeeds (ops exits the process). Default `process.exit(0)`. */
  readonly exit?: () => void;
  /** Replace the process runner (tests, tracing). */
  readonly runner?: HookToolRunner;
}

const LEASE_MS = 30_000;
const AUTHZ_TEXTS = [
  'access denied',
  'permission denied',
  'not the leader',
  'cannot write relation settings',
];

/**
 * The {@link ModelBackend} that runs Juju's hook tools, as ops' `_ModelBackend` does.
 *
 * Each call builds the exact argv ops uses, runs the tool synchronously (found on `PATH`),
 * parses its JSON output with zod, and maps failures: `relation-*`/`network-*` with "relation
 * not found" → {@link RelationNotFoundError}; `secret-*` with "not found" →
 * {@link SecretNotFoundError}; anything else → {@link ModelError} with the tool's stderr as
 * message. A failure whose stderr mentions access denied, permission denied, not the leader
 * or cannot write relation settings also logs an `authz_fail` security event through
 * `juju-log` (after `is-leader`, as ops does). `is-leader` answers are cached for 30 s.
 *
 * @example
 * ```ts
 * const backend = new HookToolBackend({ context: JujuContext.fromEnv() });
 * backend.configGet();
 * ```
 */
export class HookToolBackend implements ModelBackend {
  readonly #run: HookToolRunner;
  readonly #context: JujuContext;
  readonly #version: JujuVersion;
  readonly #unitName: string;
  readonly #modelUuid: string;
  readonly #now: () => number;
  readonly #exit: () => void;
  #leader: boolean | undefined;
  #leaderCheckedAt: number | undefined;
  #inSecurityLog = false;

  constructor(options: HookToolBackendOptions = {}) {
    this.#run =
      options.runner ??
      createHookToolRunner({
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.inheritEnv === undefined ? {} : { inheritEnv: options.inheritEnv }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    const context =
      options.context ?? JujuContext.fromEnv(options.env ?? process.env, { strict: false });
    this.#context = context;
    this.#version = context.version;
    this.#unitName = context.unitName;
    this.#modelUuid = context.modelUuid;
    this.#now = options.now ?? (() => Number(process.hrtime.bigint()) / 1e6);
    this.#exit = options.exit ?? (() => process.exit(0));
  }

  /** Run `fn`, mapping a failed tool call to the error class ops uses for `cmd`. */
  #wrap<T>(cmd: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ModelError) || err.constructor !== ModelError) throw err;
      if (typeof err.exitCode !== 'number') throw err;
      this.#securityEvent(err);
      const mapped = mapHookToolError(err, cmd);
      throw mapped;
    }
  }

  #securityEvent(err: ModelError): void {
    const stderr = err.stderr ?? '';
    if (!AUTHZ_TEXTS.some((t) => stderr.toLowerCase().includes(t))) return;
    if (this.#inSecurityLog) return;
    this.#inSecurityLog = true;
    try {
      const tool = err.hookTool ?? '';
      let leadership = '';
      try {
        leadership = this.isLeader() ? ' (as leader)' : '';
      } catch {
        // ops' logging handler swallows failures while logging; so do we.
      }
      const description = `Hook command ${pyRepr(tool)}${leadership} failed with code ${err.exitCode}: ${pyRepr(stderr.trim())}. `;
      const line = securityEventLine({
        level: 'CRITICAL',
        modelUuid: this.#modelUuid,
        unitName: this.#unitName,
        event: `authz_fail:${tool}`,
        description,
      });
      try {
        other.jujuLog(this.#run, 'TRACE', line);
      } catch {
        // As above: a failing juju-log does not hide the original error.
      }
    } finally {
      this.#inSecurityLog = false;
    }
  }

  /** {@inheritDoc ModelBackend.relationIds} */
  relationIds(endpoint: string): number[] {
    return this.#wrap('relation-ids', () => relation.relationIds(this.#run, endpoint));
  }

  /** {@inheritDoc ModelBackend.relationList} */
  relationList(relationId: number, endpoint?: string): string[] {
    return this.#wrap('relation-list', () =>
      relation.relationList(this.#run, relationId, endpoint),
    );
  }

  /** {@inheritDoc ModelBackend.relationRemoteApp} */
  relationRemoteApp(relationId: number, endpoint?: string): string | null {
    try {
      return this.#wrap('relation-list', () =>
        relation.relationListApp(this.#run, relationId, endpoint),
      );
    } catch (err) {
      if (err instanceof RelationNotFoundError) return null;
      throw err;
    }
  }

  /** {@inheritDoc ModelBackend.relationGet} */
  relationGet(
    relationId: number,
    member: string,
    isApp: boolean,
    endpoint?: string,
  ): Record<string, string> {
    if (isApp && !this.#version.hasAppData) {
      throw new ModelError(
        `getting application data is not supported on Juju version ${this.#version}`,
      );
    }
    return this.#wrap('relation-get', () =>
      relation.relationGet(this.#run, relationId, member, isApp, endpoint),
    );
  }

  /** {@inheritDoc ModelBackend.relationSet} */
  relationSet(
    relationId: number,
    data: Readonly<Record<string, string>>,
    isApp: boolean,
    endpoint?: string,
  ): void {
    if (Object.keys(data).length === 0) {
      throw new InvalidArgumentError('at least one key:value pair is required for relation-set');
    }
    if (isApp && !this.#version.hasAppData) {
      throw new ModelError(
        `setting application data is not supported on Juju version ${this.#version}`,
      );
    }
    this.#wrap('relation-set', () =>
      relation.relationSet(this.#run, relationId, data, isApp, endpoint),
    );
  }

  /** {@inheritDoc ModelBackend.relationModelGet} */
  relationModelGet(relationId: number, endpoint?: string): { uuid: string } {
    return this.#wrap('relation-model-get', () =>
      relation.relationModelGet(this.#run, relationId, endpoint),
    );
  }

  /** {@inheritDoc ModelBackend.configGet} */
  configGet(): Record<string, ConfigValue> {
    return this.#wrap('config-get', () => config.configGet(this.#run));
  }

  /** {@inheritDoc ModelBackend.isLeader} */
  isLeader(): boolean {
    const now = this.#now();
    const stale =
      this.#leader === undefined ||
      this.#leaderCheckedAt === undefined ||
      now - this.#leaderCheckedAt > LEASE_MS;
    if (stale) {
      // Take the time before the call: the lease is valid from when is-leader started.
      this.#leaderCheckedAt = now;
      this.#leader = this.#wrap('is-leader', () => other.isLeader(this.#run));
    }
    return this.#leader ?? false;
  }

  /** {@inheritDoc ModelBackend.resourceGet} */
  resourceGet(name: string): string {
    return this.#wrap('resource-get', () => other.resourceGet(this.#run, name));
  }

  /** {@inheritDoc ModelBackend.statusGet} */
  statusGet(isApp: boolean): StatusValue {
    return this.#wrap('status-get', () => status.statusGet(this.#run, isApp));
  }

  /** {@inheritDoc ModelBackend.statusSet} */
  statusSet(statusName: SettableStatusName, message: string, isApp: boolean): void {
    if (!isSettableStatusName(statusName)) {
      throw new InvalidStatusError(
        `status must be in ('active', 'blocked', 'maintenance', 'waiting'), not ${pyRepr(String(statusName))}`,
      );
    }
    this.#wrap('status-set', () => status.statusSet(this.#run, statusName, message, isApp));
  }

  /** {@inheritDoc ModelBackend.storageList} */
  storageList(name: string): number[] {
    return this.#wrap('storage-list', () => storage.storageList(this.#run, name));
  }

  /** {@inheritDoc ModelBackend.storageGet} */
  storageGet(storageId: string): StorageDetails {
    return this.#wrap('storage-get', () => storage.storageGet(this.#run, storageId));
  }

  /** {@inheritDoc ModelBackend.storageAdd} */
  storageAdd(name: string, count: number): void {
    if (!Number.isInteger(count)) {
      throw new InvalidArgumentError(`storage count must be integer, got: ${count}`);
    }
    this.#wrap('storage-add', () => storage.storageAdd(this.#run, name, count));
  }

  /** {@inheritDoc ModelBackend.actionGet} */
  actionGet(): Record<string, unknown> {
    return this.#wrap('action-get', () => action.actionGet(this.#run));
  }

  /** {@inheritDoc ModelBackend.actionSet} */
  actionSet(results: Readonly<Record<string, unknown>>): void {
    this.#wrap('action-set', () => action.actionSet(this.#run, results));
  }

  /** {@inheritDoc ModelBackend.actionLog} */
  actionLog(message: string): void {
    this.#wrap('action-log', () => action.actionLog(this.#run, message));
  }

  /** {@inheritDoc ModelBackend.actionFail} */
  actionFail(message: string): void {
    this.#wrap('action-fail', () => action.actionFail(this.#run, message));
  }

  /** {@inheritDoc ModelBackend.applicationVersionSet} */
  applicationVersionSet(version: string): void {
    this.#wrap('app-version-set', () => other.applicationVersionSet(this.#run, version));
  }

  /** {@inheritDoc ModelBackend.jujuLog} */
  jujuLog(level: string, message: string): void {
    try {
      other.jujuLog(this.#run, level, message);
    } catch (err) {
      if (err instanceof ModelError && err.constructor === ModelError) this.#securityEvent(err);
      throw err;
    }
  }

  /** {@inheritDoc ModelBackend.networkGet} */
  networkGet(binding: string, relationId?: number): NetworkData {
    return this.#wrap('network-get', () => network.networkGet(this.#run, binding, relationId));
  }

  /** {@inheritDoc ModelBackend.goalState} */
  goalState(): GoalState {
    return this.#wrap('goal-state', () => other.goalState(this.#run));
  }

  /** {@inheritDoc ModelBackend.secretGet} */
  secretGet(args: SecretGetArgs): Record<string, string> {
    return this.#wrap('secret-get', () => secret.secretGet(this.#run, args));
  }

  /** {@inheritDoc ModelBackend.secretInfoGet} */
  secretInfoGet(query: { readonly id: string } | { readonly label: string }): SecretInfoData {
    return this.#wrap('secret-info-get', () => secret.secretInfoGet(this.#run, query));
  }

  /** {@inheritDoc ModelBackend.secretAdd} */
  secretAdd(content: Readonly<Record<string, string>>, args: SecretAddArgs): string {
    return this.#wrap('secret-add', () => secret.secretAdd(this.#run, content, args));
  }

  /** {@inheritDoc ModelBackend.secretSet} */
  secretSet(id: string, args: SecretSetArgs): void {
    let full: SecretSetArgs = args;
    if (this.#version.isLessThan('3.6')) {
      // Juju < 3.6 keeps only the last secret-set of a hook and resets unspecified metadata:
      // send full content and metadata, as ops does.
      const content = args.content ?? this.secretGet({ id, peek: true });
      let { label, description, expire, rotate } = args;
      if (
        description === undefined ||
        expire === undefined ||
        rotate === undefined ||
        label === undefined
      ) {
        const info = this.secretInfoGet({ id });
        description = description || info.description;
        expire = expire ?? info.expiry;
        rotate = rotate || info.rotation;
        label = label || info.label;
      }
      full = { content, label, description, expire, rotate };
    }
    this.#wrap('secret-set', () => secret.secretSet(this.#run, id, full));
  }

  /** {@inheritDoc ModelBackend.secretGrant} */
  secretGrant(id: string, relationId: number, unit?: string): void {
    this.#wrap('secret-grant', () => secret.secretGrant(this.#run, id, relationId, unit));
  }

  /** {@inheritDoc ModelBackend.secretRevoke} */
  secretRevoke(id: string, relationId: number, unit?: string): void {
    this.#wrap('secret-revoke', () => secret.secretRevoke(this.#run, id, relationId, unit));
  }

  /** {@inheritDoc ModelBackend.secretRemove} */
  secretRemove(id: string, revision?: number): void {
    this.#wrap('secret-remove', () => secret.secretRemove(this.#run, id, revision));
  }

  /** {@inheritDoc ModelBackend.secretIds} */
  secretIds(): string[] {
    return this.#wrap('secret-ids', () => secret.secretIds(this.#run));
  }

  /** {@inheritDoc ModelBackend.openPort} */
  openPort(protocol: string, portNumber?: number): void {
    this.#wrap('open-port', () => port.openPort(this.#run, protocol, portNumber));
  }

  /** {@inheritDoc ModelBackend.closePort} */
  closePort(protocol: string, portNumber?: number): void {
    this.#wrap('close-port', () => port.closePort(this.#run, protocol, portNumber));
  }

  /** {@inheritDoc ModelBackend.openedPorts} */
  openedPorts(): OpenedPortData[] {
    return this.#wrap('opened-ports', () => port.openedPorts(this.#run));
  }

  /** {@inheritDoc ModelBackend.reboot} */
  reboot(now: boolean): void {
    this.#securityRestart();
    other.jujuReboot(this.#run, now);
    if (now) this.#exit();
  }

  #securityRestart(): void {
    const modelName = this.#context.modelName;
    const line = securityEventLine({
      level: 'WARN',
      modelUuid: this.#modelUuid,
      unitName: this.#unitName,
      event: `sys_restart:${uid()}`,
      description: `Rebooting unit ${pyRepr(this.#unitName)} in model ${pyRepr(modelName)}`,
    });
    try {
      other.jujuLog(this.#run, 'TRACE', line);
    } catch {
      // A failed log line must not stop the reboot request.
    }
  }

  /** {@inheritDoc ModelBackend.credentialGet} */
  credentialGet(): CloudSpecData {
    return this.#wrap('credential-get', () => other.credentialGet(this.#run));
  }

  /** {@inheritDoc ModelBackend.stateGet} */
  stateGet(key: string): string | null {
    return state.stateGet(this.#run, key);
  }

  /** {@inheritDoc ModelBackend.stateSet} */
  stateSet(data: Readonly<Record<string, string>>): void {
    state.stateSet(this.#run, data);
  }

  /** {@inheritDoc ModelBackend.stateDelete} */
  stateDelete(key: string): void {
    state.stateDelete(this.#run, key);
  }
}
