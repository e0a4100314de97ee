import {
  type CharmMeta,
  type JujuContext,
  Model,
  type ModelBackend,
  type ModelOptions,
} from '@opsjs/model';
import { type AnyCharm, evaluateStatus } from './charm.js';
import {
  ActionEvent,
  PebbleCheckEvent,
  PebbleNoticeEvent,
  RelationDepartedEvent,
  RelationEvent,
  SecretEvent,
  SecretRevisionEvent,
  StorageEvent,
  WorkloadEvent,
} from './charm-events.js';
import { DispatchAbort, DispatchError } from './errors.js';
import {
  type BoundEvent,
  type EventBase,
  Framework,
  type FrameworkOptions,
  isEventType,
} from './framework.js';
import { logger as defaultLogger, formatError, type Logger } from './logger.js';
import { pyJsonString, pyStrRepr } from './py-repr.js';
import type { StateStore } from './storage/state-store.js';

/** A charm class `runDispatch()` and `main()` can construct. */
export type CharmClass = new (framework: Framework) => AnyCharm;

/** Events that run in Juju's restricted context: no re-emission, no collect-status. */
export const RESTRICTED_EVENTS: readonly string[] = ['collect_metrics', 'meter_status_changed'];

/**
 * The framework event kind for a `JUJU_DISPATCH_PATH` (ops `_Dispatcher`): the last path
 * component with `-` → `_`, plus `_action` under `actions/`. As in ops, any path gives a
 * name: one that is no event of the charm (`hooks/foo.bar`, or `''` for an empty path) is
 * logged as `Event … not defined` and nothing is emitted for it.
 *
 * @example
 * ```ts
 * eventNameFromDispatchPath('hooks/db-relation-changed'); // 'db_relation_changed'
 * eventNameFromDispatchPath('actions/get-db-info');      // 'get_db_info_action'
 * ```
 */
export function eventNameFromDispatchPath(dispatchPath: string): string {
  let name = EVENT_NAMES.get(dispatchPath);
  if (name === undefined) {
    const parts = pathParts(dispatchPath);
    name = (parts.at(-1) ?? '').replaceAll('-', '_');
    if (parts.at(-2) === 'actions') name = `${name}_action`;
    EVENT_NAMES.set(dispatchPath, name);
  }
  return name;
}

const EVENT_NAMES = new Map<string, string>();

/** The components of a POSIX path as Python's `PurePosixPath` sees them (no `''`, no `.`). */
function pathParts(p: string): string[] {
  return p.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * @internal A POSIX path as Python's `str(PurePosixPath(p))` prints it (`''` → `.`, repeated
 * slashes and `.` components dropped), for log lines ops writes from a `Path`.
 */
export function pyPathStr(p: string): string {
  const root = p.startsWith('//') && !p.startsWith('///') ? '//' : p.startsWith('/') ? '/' : '';
  const body = pathParts(p).join('/');
  return root === '' && body === '' ? '.' : `${root}${body}`;
}

/** Inputs of one dispatch (see {@link runDispatch}). */
export interface DispatchInputs {
  /** The hook context (`JujuContext.fromEnv()` in production). */
  readonly context: JujuContext;
  /** The charm's metadata. */
  readonly meta: CharmMeta;
  /** The hook-tool backend (an in-memory one in tests). */
  readonly backend: ModelBackend;
  /** The state store; `runDispatch()` commits and closes it. */
  readonly store: StateStore;
  /** The charm directory (default `context.charmDir`). */
  readonly charmDir?: string;
  /** The event kind (default: derived from `context.dispatchPath`). */
  readonly eventName?: string;
  /** A model to use instead of building one from the inputs. */
  readonly model?: Model;
  /**
   * Pick the event to emit instead of looking `eventName` up on `charm.on`: a test harness
   * uses it to emit a charm library's own event (one on an `ObjectEvents` the charm holds, not
   * `charm.on`) with the given arguments, as Scenario's `ctx.on.custom(Lib.on.ready, …)`.
   * Called with the constructed charm after deferred events are re-emitted; the rest of the
   * dispatch (collect-status, commit) is unchanged. The event's kind becomes the dispatch's
   * event name (`Emitting Juju event <kind>.`); returning `undefined` is handled as an event
   * the charm does not define.
   */
  readonly selectEvent?: (charm: AnyCharm) => SelectedEvent | undefined;
  /** Extra options for the model built from the inputs (e.g. `containerSocketPath`). */
  readonly modelOptions?: Partial<ModelOptions>;
  /** Where log records go (default: the process-wide `logger`). */
  readonly logger?: Logger;
  /** See `FrameworkOptions.skipDuplicateEvents` (default `true`). */
  readonly skipDuplicateEvents?: boolean;
  /** See `FrameworkOptions.onEmit`: called before the observers of each event run. */
  readonly onEmit?: FrameworkOptions['onEmit'];
  /** See `FrameworkOptions.onBreakpoint` (breakpoints come from `context.debugAt`). */
  readonly onBreakpoint?: FrameworkOptions['onBreakpoint'];
  /**
   * Called after collect-status, just before the commit; if it throws, the dispatch fails as
   * for an uncaught error and nothing is committed. `main()` uses it to fail dispatches whose
   * charm code left a promise rejection unhandled.
   */
  readonly beforeCommit?: () => void | Promise<void>;
}

/** The event {@link DispatchInputs.selectEvent} picks, with its emit arguments. */
export interface SelectedEvent {
  /** The bound event to emit, e.g. `charm.db.on.ready`. */
  readonly event: BoundEvent<EventBase, never>;
  /** The event class's constructor arguments after the handle. */
  readonly args: readonly unknown[];
}

/** What one dispatch did (see {@link runDispatch}). */
export interface DispatchResult {
  /** The process exit code this dispatch asks for: 0, or non-zero after an uncaught error. */
  readonly exitCode: number;
  /** The event kind, e.g. `config_changed`. */
  readonly eventName: string;
  /** Whether the charm defines the event (otherwise nothing was emitted for it). */
  readonly emitted: boolean;
  /** Whether the framework state was committed. */
  readonly committed: boolean;
  /**
   * Handle paths of the events emitted in this dispatch, in order (the Juju event,
   * custom events, collect-status, pre-commit and commit; not re-emitted deferred ones).
   */
  readonly emittedEvents: readonly string[];
  /** The charm instance, when construction succeeded. */
  readonly charm?: AnyCharm;
  /** The framework, when it was built. */
  readonly framework?: Framework;
  /** The uncaught error, when `exitCode` is non-zero. */
  readonly error?: unknown;
  /** The abort that ended the dispatch early (`loadConfig`/`loadParams` error modes). */
  readonly abort?: DispatchAbort;
}

/**
 * Run one dispatch from explicit inputs, the sequence of DESIGN §2: build the model and the
 * framework, construct the charm, re-emit deferred events, emit the event, run
 * collect-status, commit. `main()` is a thin wrapper over this; `@opsjs/testing` calls it
 * with an in-memory backend and store.
 *
 * Never throws for charm errors: an uncaught error is logged at ERROR (with its stack) and
 * returned with `exitCode: 1`, and nothing is committed. A {@link DispatchAbort} ends the
 * dispatch with its exit code, also without committing.
 *
 * @example
 * ```ts
 * const result = await runDispatch(MyCharm, { context, meta, backend, store });
 * result.exitCode; // 0
 * ```
 */
export async function runDispatch(
  charmClass: CharmClass,
  inputs: DispatchInputs,
): Promise<DispatchResult> {
  const log = inputs.logger ?? defaultLogger;
  const { context, backend, store } = inputs;
  let eventName = '';
  let framework: Framework | undefined;
  let charm: AnyCharm | undefined;
  let emitted = false;
  let builtModel: Model | undefined;
  try {
    eventName = inputs.eventName ?? eventNameFromDispatchPath(context.dispatchPath);
    const model =
      inputs.model ??
      new Model({
        meta: inputs.meta,
        backend: redactingBackend(backend, log),
        context,
        ...(inputs.modelOptions ?? {}),
      });
    builtModel = model;
    framework = new Framework({
      store,
      model,
      meta: inputs.meta,
      charmDir: inputs.charmDir ?? context.charmDir,
      eventName,
      logger: log,
      skipDuplicateEvents: inputs.skipDuplicateEvents,
      onEmit: inputs.onEmit,
      debugAt: context.debugAt,
      onBreakpoint: inputs.onBreakpoint,
    });
    const previous = model.hookRunning;
    model.hookRunning = '__init__';
    try {
      charm = new charmClass(framework);
    } finally {
      model.hookRunning = previous;
    }
    const restricted = RESTRICTED_EVENTS.includes(eventName);
    if (!restricted) await framework.reemit();
    if (inputs.selectEvent === undefined) {
      emitted = await emitJujuEvent(charm, eventName, context, log);
    } else {
      const selected = inputs.selectEvent(charm);
      if (selected === undefined) {
        log.debug(`Event ${eventName} not defined for ${charmRepr(charm)}.`);
      } else {
        eventName = selected.event.kind;
        framework.eventName = eventName;
        log.debug(`Emitting Juju event ${eventName}.`);
        await Reflect.apply(selected.event.emit, selected.event, [...selected.args]);
        emitted = true;
      }
    }
    if (!restricted) await evaluateStatus(charm);
    await inputs.beforeCommit?.();
    await framework.commit();
    framework.close();
    if (inputs.model === undefined) await model.close();
    return {
      exitCode: 0,
      eventName,
      emitted,
      committed: true,
      emittedEvents: [...framework.emitted],
      charm,
      framework,
    };
  } catch (err) {
    framework?.close();
    if (framework === undefined) store.close();
    if (inputs.model === undefined) {
      await builtModel?.close().catch((closeErr: unknown) => {
        log.debug(`Closing the model after the error failed too: ${formatError(closeErr)}`);
      });
    }
    if (err instanceof DispatchAbort) {
      // As ops' _Abort: no log line, so the hook-tool calls match ops'.
      return result(err.exitCode, { abort: err });
    }
    reportUncaught(err, { log, backend, context });
    return result(1, { error: err });
  }

  function result(
    exitCode: number,
    extra: { abort?: DispatchAbort; error?: unknown },
  ): DispatchResult {
    return {
      exitCode,
      eventName,
      emitted,
      committed: false,
      emittedEvents: [...(framework?.emitted ?? [])],
      ...(charm === undefined ? {} : { charm }),
      ...(framework === undefined ? {} : { framework }),
      ...extra,
    };
  }
}

/**
 * Emit the Juju event `eventName` on `charm`, with its arguments built from `context` (the
 * relation, remote app and unit, storage, container, secret or action id), as a dispatch
 * does; log `Event <name> not defined for <Charm>.` and return `false` when the charm has no
 * such event. For test harnesses that keep one charm and emit many events.
 *
 * @throws {DispatchError} when `context` lacks what the event needs (e.g. `JUJU_RELATION`)
 */
export async function emitJujuEvent(
  charm: AnyCharm,
  eventName: string,
  context: JujuContext,
  log: Logger = charm.framework.logger,
): Promise<boolean> {
  const bound = charm.on.get(eventName);
  if (bound === undefined) {
    log.debug(`Event ${eventName} not defined for ${charmRepr(charm)}.`);
    return false;
  }
  // ops warns about a missing remote app while constructing the event, i.e. after this line.
  const warnings: string[] = [];
  const args = eventArgs(charm, bound, context, log, warnings);
  log.debug(`Emitting Juju event ${eventName}.`);
  for (const warning of warnings) log.warning(warning);
  await (bound as BoundEvent<EventBase, unknown[]>).emit(...args);
  return true;
}

function charmRepr(charm: object): string {
  return `<${charm.constructor.name}>`;
}

/**
 * @internal `backend`, with every secret value that passes through it (content read with
 * `secret-get`, or given to `secret-add`/`secret-set`) registered with `log.redact()`, so that
 * no log record of this process can contain it.
 */
export function redactingBackend(backend: ModelBackend, log: Logger): ModelBackend {
  const redactAll = (content: Readonly<Record<string, string>> | undefined): void => {
    for (const value of Object.values(content ?? {})) log.redact(value);
  };
  return new Proxy(backend, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'secretGet') {
        return (...args: Parameters<ModelBackend['secretGet']>) => {
          const content = target.secretGet(...args);
          redactAll(content);
          return content;
        };
      }
      if (prop === 'secretAdd') {
        return (...args: Parameters<ModelBackend['secretAdd']>) => {
          redactAll(args[0]);
          return target.secretAdd(...args);
        };
      }
      if (prop === 'secretSet') {
        return (...args: Parameters<ModelBackend['secretSet']>) => {
          redactAll(args[1].content);
          target.secretSet(...args);
        };
      }
      // Bound to the real backend: its private fields are not reachable through the proxy.
      return value.bind(target);
    },
  });
}

/**
 * Log an uncaught error as ops' excepthook does: `Uncaught exception while in charm code:`
 * with the stack at ERROR, a `sys_crash` security event at TRACE, and for actions a short
 * message on stderr (which Juju shows to the user).
 */
function reportUncaught(
  err: unknown,
  env: { log: Logger; backend: ModelBackend; context: JujuContext },
): void {
  const { log, backend, context } = env;
  try {
    log.error('Uncaught exception while in charm code:', err);
    const type = err instanceof Error ? err.name : typeof err;
    const message = err instanceof Error ? err.message : String(err);
    backend.jujuLog(
      'TRACE',
      log.scrub(
        securityEvent(
          'WARN',
          `sys_crash:${type}`,
          // Python's repr of the exception: ValueError('boom'), or ValueError() without a message.
          `Uncaught exception in charm code: ${type}(${message === '' ? '' : pyStrRepr(message)}).`,
          context,
        ),
      ),
    );
  } catch (logErr) {
    process.stderr.write(`Uncaught exception while in charm code:\n${formatError(err)}\n`);
    process.stderr.write(`Logging it through juju-log failed too:\n${formatError(logErr)}\n`);
  }
  if (context.actionName !== undefined && context.actionName !== '') {
    const type = err instanceof Error ? err.name : typeof err;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(log.scrub(`Uncaught ${type} in charm code: ${message}\n`));
    process.stderr.write('Use `juju debug-log` to see the full traceback.\n');
  }
}

/** @internal ops' security-event JSON (Python `json.dumps` spacing, keys in ops' order). */
export function securityEvent(
  level: 'INFO' | 'WARN' | 'CRITICAL',
  event: string,
  description: string,
  context: { readonly modelUuid: string; readonly unitName: string },
  now: Date = new Date(),
): string {
  const iso = now.toISOString(); // 2026-07-01T10:00:00.123Z
  const datetime = `${iso.slice(0, -1)}000+00:00`;
  const fields: Array<[string, string]> = [
    ['datetime', datetime],
    ['level', level],
    ['type', 'security'],
    ['appid', `${context.modelUuid}-${context.unitName}`],
    ['event', event],
    ['description', description],
  ];
  return `{${fields.map(([k, v]) => `${pyJsonString(k)}: ${pyJsonString(v)}`).join(', ')}}`;
}

/**
 * @internal The constructor arguments of the Juju event (ops `_get_event_args`); this is
 * where the event's `storage-list`/`storage-get` and relation lookups happen. Warnings ops logs
 * while constructing the event go to `warnings` when given (logged later), else to `log`.
 */
export function eventArgs(
  charm: AnyCharm,
  bound: BoundEvent<EventBase, never[]>,
  context: JujuContext,
  log: Logger,
  warnings?: string[],
): unknown[] {
  const type = bound.eventType;
  const model = charm.model;
  if (isEventType(type, WorkloadEvent)) {
    const name = required(context.workloadName, 'JUJU_WORKLOAD_NAME', bound.kind);
    const container = model.unit.getContainer(name);
    if (isEventType(type, PebbleNoticeEvent)) {
      return [
        container,
        required(context.noticeId, 'JUJU_NOTICE_ID', bound.kind),
        required(context.noticeType, 'JUJU_NOTICE_TYPE', bound.kind),
        required(context.noticeKey, 'JUJU_NOTICE_KEY', bound.kind),
      ];
    }
    if (isEventType(type, PebbleCheckEvent)) {
      return [container, required(context.pebbleCheckName, 'JUJU_PEBBLE_CHECK_NAME', bound.kind)];
    }
    return [container];
  }
  if (isEventType(type, SecretEvent)) {
    const args: unknown[] = [
      required(context.secretId, 'JUJU_SECRET_ID', bound.kind),
      context.secretLabel ?? null,
    ];
    if (isEventType(type, SecretRevisionEvent)) {
      args.push(required(context.secretRevision, 'JUJU_SECRET_REVISION', bound.kind));
    }
    return args;
  }
  if (isEventType(type, StorageEvent)) {
    const name = context.storageName ?? bound.kind.split('_').slice(0, -2).join('-');
    const index = required(context.storageIndex, 'JUJU_STORAGE_ID', bound.kind);
    const storages = model.storages.get(name);
    const location = model.backend.storageGet(`${name}/${index}`).location;
    const storage = storages.length === 1 ? storages[0] : storages.find((s) => s.index === index);
    if (storage === undefined) {
      throw new DispatchError(`${bound.kind}: storage ${name}/${index} is not attached`);
    }
    storage.location = location;
    return [storage];
  }
  if (isEventType(type, ActionEvent)) {
    return [required(context.actionUuid, 'JUJU_ACTION_UUID', bound.kind)];
  }
  if (isEventType(type, RelationEvent)) {
    const name = required(context.relationName, 'JUJU_RELATION', bound.kind);
    const relation = model.getRelation(name, context.relationId);
    if (relation === null) throw new DispatchError(`${bound.kind}: relation ${name} not found`);
    let appName = context.remoteAppName;
    const unitName = context.remoteUnitName;
    if ((appName === undefined || appName === '') && unitName !== undefined && unitName !== '') {
      if (!unitName.includes('/')) throw new DispatchError(`invalid remote unit name: ${unitName}`);
      appName = unitName.split('/')[0];
    }
    const app = appName === undefined || appName === '' ? null : model.getApp(appName);
    if (app === null) {
      const warning =
        "'app' expected but not received, see https://bugs.launchpad.net/juju/+bug/1960934";
      if (warnings === undefined) log.warning(warning);
      else warnings.push(warning);
    }
    const unit = unitName === undefined || unitName === '' ? null : model.getUnit(unitName);
    const args: unknown[] = [relation, app, unit];
    if (isEventType(type, RelationDepartedEvent)) {
      args.push(context.relationDepartingUnitName ?? null);
    }
    return args;
  }
  return [];
}

function required<T>(value: T | undefined, variable: string, kind: string): T {
  if (value === undefined || value === '') {
    throw new DispatchError(`${variable} is not set, but the ${kind} event needs it`);
  }
  return value;
}
