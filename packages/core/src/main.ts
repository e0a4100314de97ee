import * as fs from 'node:fs';
import * as path from 'node:path';
import { CharmMeta, HookToolBackend, JujuContext, type ModelBackend } from '@opsjs/model';
import {
  type CharmClass,
  eventNameFromDispatchPath,
  pyPathStr,
  RESTRICTED_EVENTS,
  runDispatch,
} from './dispatch.js';
import { DispatchError } from './errors.js';
import { logger as defaultLogger, formatError, type Logger } from './logger.js';
import { ControllerStateStore } from './storage/controller-state-store.js';
import { LOCAL_STATE_FILE, LocalStateStore } from './storage/local-state-store.js';
import type { StateStore } from './storage/state-store.js';
import { OPSJS_VERSION } from './version.js';

/** Options of {@link main}. */
export interface MainOptions {
  /**
   * Keep framework state on the controller (`state-get`/`state-set`) instead of the local
   * unit-state file (ops `use_juju_for_storage=True`, deprecated there, for podspec charms).
   */
  readonly useJujuForStorage?: boolean;
  /** The environment to read `JUJU_*` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** The hook-tool backend (default: `HookToolBackend` over the environment). */
  readonly backend?: ModelBackend;
  /** The logger to install the `juju-log` sink on (default: the process-wide `logger`). */
  readonly logger?: Logger;
  /** Call `process.exit()` with the exit code when done (default `true`). */
  readonly exit?: boolean;
  /**
   * The process arguments (default `process.argv`). When `JUJU_DISPATCH_PATH` is unset (a Juju
   * without `dispatch` running `hooks/<name>` directly), the event comes from the script path
   * `argv[1]`, as in ops.
   */
  readonly argv?: readonly string[];
}

/**
 * The entry point of a charm: run the dispatch Juju started and exit (ops `main`).
 *
 * Reads the hook context from `JUJU_*`, sends log records to `juju-log`, loads the metadata
 * from the charm directory, runs any legacy `hooks/<name>` script, opens the state store
 * (`.unit-state.opsjs` in the charm directory, or controller state with
 * `useJujuForStorage`), and then runs {@link runDispatch}. An uncaught error is logged at
 * ERROR with its stack and the process exits 1 without committing state; so does a promise
 * rejection the charm left unhandled (a missing `await`). A hook context that cannot be read
 * (e.g. a malformed `JUJU_VERSION`) fails before logging is set up, as in ops: the error goes
 * to stderr, no hook tool runs, and the exit code is 1.
 *
 * Testing hook: when `OPSJS_PEBBLE_SOCKET_DIR` is set, container `<name>` is reached at
 * `$OPSJS_PEBBLE_SOCKET_DIR/<name>/pebble.socket` instead of Juju's
 * `/charm/containers/<name>/pebble.socket` (`@opsjs/testing` points it at fake Pebble servers).
 *
 * @example
 * ```ts
 * // src/charm.ts, bundled into the charm and run by `dispatch`
 * await main(DemoCharm);
 * ```
 * @returns the exit code (when `exit: false`)
 */
export async function main(charmClass: CharmClass, options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const log = options.logger ?? defaultLogger;
  const code = await runMain(charmClass, options, env, log);
  if (options.exit ?? true) process.exit(code);
  process.exitCode = code;
  return code;
}

async function runMain(
  charmClass: CharmClass,
  options: MainOptions,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<number> {
  let backend = options.backend;
  let removeSink: (() => void) | undefined;
  let rejection: { reason: unknown } | undefined;
  const onRejection = (reason: unknown): void => {
    rejection ??= { reason };
  };
  process.on('unhandledRejection', onRejection);
  try {
    let context: JujuContext;
    try {
      // The parser copies what it reads; a copy is made here only to fill in a legacy hook's
      // dispatch path.
      let contextEnv: Readonly<Record<string, string | undefined>> = env;
      if ((env.JUJU_DISPATCH_PATH ?? '') === '') {
        const legacy = legacyDispatchPath((options.argv ?? process.argv)[1]);
        if (legacy !== undefined) contextEnv = { ...env, JUJU_DISPATCH_PATH: legacy };
      }
      context = JujuContext.fromEnv(contextEnv, { strict: false });
    } catch (err) {
      // As ops, which reads the context before it sets up juju-log logging: the error goes
      // to stderr only (Python's default excepthook), no hook tool runs, and the exit code is 1.
      process.stderr.write(`${formatError(err)}\n`);
      return 1;
    }
    // main() runs on the main thread, where process.env is the process's own environment: the
    // tools inherit it rather than a copy made for each call.
    backend ??= new HookToolBackend({ context, env, inheritEnv: env === process.env });
    removeSink = installSinks(log, backend, context.debug);
    log.debug(`opsjs ${OPSJS_VERSION} up and running.`);
    if (context.unitName === '') {
      throw new DispatchError(
        'JUJU_UNIT_NAME is not set: main() must run inside a Juju hook or action context',
      );
    }
    const eventName = eventNameFromDispatchPath(context.dispatchPath);
    const charmDir = context.charmDir;
    const meta = CharmMeta.fromCharmDir(charmDir);

    if (env.OPERATOR_DISPATCH !== undefined) {
      log.debug(`Charm called itself via ${pyPathStr(context.dispatchPath)}.`);
      return 0;
    }
    env.OPERATOR_DISPATCH = '1';
    const legacy = runLegacyHook(
      charmDir,
      context.dispatchPath,
      options.argv ?? process.argv,
      env,
      log,
    );
    if (legacy !== undefined) return legacy;

    const statePath = path.join(charmDir, LOCAL_STATE_FILE);
    let useController = options.useJujuForStorage;
    if (useController === undefined) {
      // ops' automatic choice; as in ops it only decides the restricted-context exit below.
      useController = false;
      if (!fs.existsSync(statePath)) {
        if (!meta.series.includes('kubernetes')) {
          log.debug('Using local storage: not a Kubernetes podspec charm');
        } else if (context.version.hasControllerStorage) {
          log.debug(`Using controller storage: JUJU_VERSION=${context.version}`);
          useController = true;
        } else {
          log.debug(`Using local storage: JUJU_VERSION=${context.version}`);
        }
      }
    }
    if (
      options.useJujuForStorage === true &&
      options.backend === undefined &&
      !onPath('state-get', env)
    ) {
      // As ops: the charm asked for controller storage on a Juju without it.
      throw new DispatchError(
        `charm set useJujuForStorage: true, but Juju version ${context.version} does not support it`,
      );
    }
    if (useController && RESTRICTED_EVENTS.includes(eventName)) {
      log.debug(
        `"${eventName}" is not supported when using Juju for storage\n` +
          'see: https://github.com/canonical/operator/issues/348',
      );
      return 0;
    }
    const store: StateStore =
      options.useJujuForStorage === true
        ? new ControllerStateStore(backend)
        : openLocalStore(charmDir, log);
    const socketDir = env.OPSJS_PEBBLE_SOCKET_DIR;
    const result = await runDispatch(charmClass, {
      beforeCommit: async () => {
        // Let rejections of promises the charm did not await surface before committing.
        await new Promise((resolve) => setImmediate(resolve));
        if (rejection !== undefined) {
          throw new DispatchError('a promise rejection in charm code was not handled', {
            cause: rejection.reason,
          });
        }
      },
      context,
      meta,
      backend,
      store,
      charmDir,
      eventName,
      logger: log,
      ...(socketDir === undefined || socketDir === ''
        ? {}
        : {
            modelOptions: {
              containerSocketPath: (name: string) => path.join(socketDir, name, 'pebble.socket'),
            },
          }),
    });
    return result.exitCode;
  } catch (err) {
    try {
      log.error('Uncaught exception while in charm code:', err);
    } catch (logErr) {
      process.stderr.write(`Uncaught exception while in charm code:\n${formatError(err)}\n`);
      process.stderr.write(`Logging it through juju-log failed too:\n${formatError(logErr)}\n`);
    }
    if (removeSink === undefined) {
      process.stderr.write(`Uncaught exception while in charm code:\n${formatError(err)}\n`);
    }
    return 1;
  } finally {
    process.off('unhandledRejection', onRejection);
    removeSink?.();
  }
}

/**
 * Open the local state store, creating the (empty) state file if there is none, as ops'
 * `SQLiteStorage` creates `.unit-state.db` when opened: the storage lines of the first dispatch
 * appear once, even when that dispatch fails and commits nothing.
 */
function openLocalStore(charmDir: string, log: Logger): LocalStateStore {
  const store = new LocalStateStore(charmDir);
  if (!store.existed) {
    log.debug(`Initializing local storage: ${store.filePath}.`);
    store.commit();
  }
  return store;
}

/** Whether an executable `tool` is on the `PATH` of `env` (ops `shutil.which`). */
function onPath(tool: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    try {
      fs.accessSync(path.join(dir, tool), fs.constants.X_OK);
      return true;
    } catch {
      // Not in this directory: try the next one.
    }
  }
  return false;
}

/** `…/hooks/install` → `hooks/install`; `undefined` for a script elsewhere. */
function legacyDispatchPath(script: string | undefined): string | undefined {
  if (script === undefined) return undefined;
  const dir = path.basename(path.dirname(script));
  return dir === 'hooks' || dir === 'actions' ? `${dir}/${path.basename(script)}` : undefined;
}

function installSinks(log: Logger, backend: ModelBackend, debug: boolean): () => void {
  const removers = [log.addSink((level, message) => backend.jujuLog(level, message))];
  // Node process warnings (deprecations, experimental features) reach juju-log too, as ops
  // routes Python warnings to its logger.
  const onWarning = (warning: Error): void => {
    log.warning(`${warning.name}: ${warning.message}`);
  };
  process.on('warning', onWarning);
  removers.push(() => process.off('warning', onWarning));
  if (debug) {
    removers.push(
      log.addSink((level, message) => {
        process.stderr.write(`${new Date().toISOString()} ${level.padEnd(8)} ${message}\n`);
      }),
    );
  }
  return () => {
    for (const remove of removers) remove();
  };
}

/**
 * Run a legacy `hooks/<name>` (or `actions/<name>`) executable first, as ops'
 * `_Dispatcher.run_any_legacy_hook` does. Returns an exit code to stop with, or `undefined`
 * to continue.
 */
function runLegacyHook(
  charmDir: string,
  dispatchPath: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  log: Logger,
): number | undefined {
  const shown = pyPathStr(dispatchPath);
  const file = path.resolve(charmDir, dispatchPath);
  if (!isFile(file)) return undefined;
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    log.warning(`Legacy ${shown} exists but is not executable.`);
    return undefined;
  }
  // ops compares the hook only with `Path(sys.argv[0]).resolve()`, the charm's entry script.
  // Ours is the JavaScript file Node runs, `argv[1]` (the bundle, or a loader that runs it),
  // with symlinks resolved. A hook linked to the `dispatch` shell script (what charmcraft and
  // `opsjs pack` create) is therefore not "ourselves": it runs as a child process that sees
  // OPERATOR_DISPATCH=1, logs `Charm called itself via …` and exits 0, as under ops.
  const entry = argv[1];
  if (entry !== undefined && realpathOrSelf(file) === realpathOrSelf(path.resolve(entry))) {
    log.debug(`Legacy ${shown} is just a link to ourselves.`);
    return undefined;
  }
  log.info(`Running legacy ${shown}.`);
  // Loaded here, not imported: `node:child_process` costs every hook ≈ 3.5 ms to load.
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const run = spawnSync(file, argv.slice(2), { stdio: 'inherit', env });
  if (run.error !== undefined) {
    log.warning(`Unable to run legacy ${shown}: ${run.error.message}`);
    return 1;
  }
  if (run.status !== 0) {
    log.warning(`Legacy ${shown} exited with status ${run.status ?? 1}.`);
    return run.status ?? 1;
  }
  log.debug(`Legacy ${shown} exited with status 0.`);
  return undefined;
}

/** Whether `file` exists and is not a directory (ops `shutil.which(…, mode=os.F_OK)`). */
function isFile(file: string): boolean {
  try {
    // Most dispatches have no legacy hook: no exception (and its stack trace) for that.
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat !== undefined && !stat.isDirectory();
  } catch {
    return false;
  }
}

/** `file` with symlinks resolved, or `file` itself when it cannot be (Python `Path.resolve()`). */
function realpathOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}
