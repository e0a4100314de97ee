import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { LocalStateStore, type MemoryStateSnapshot, type SnapshotData } from '@opsjs/core';
import { CharmMeta, StatusBase } from '@opsjs/model';
import { stringify as toYaml } from 'yaml';
import { type MetaInput, resolveMeta } from './charm-spec.js';
import { checkConsistency, skipConsistencyChecks } from './consistency-checker.js';
import { type ExecRecord, SimulatedContainer } from './container-sim.js';
import { DispatchError } from './errors.js';
import type { ScenarioEvent } from './event.js';
import { buildEventEnv } from './event-env.js';
import { FakeHookTools } from './fake-hook-tools.js';
import type { Container } from './state/container.js';
import type { State } from './state/state.js';
import { stateToStore, storeToState } from './state-store.js';
import { stateToWorld, worldToState } from './state-world.js';

/** Options of {@link runDispatch}. */
export interface RunDispatchOptions {
  /**
   * A charm directory with an executable `dispatch` and its metadata, as `opsjs pack` or
   * charmcraft lay it out. It is not modified: the run happens in a temporary directory
   * linking to its entries.
   */
  charmDir?: string;
  /** A JavaScript file that runs the charm (`await main(MyCharm)`), instead of `charmDir`. */
  entry?: string;
  /**
   * The metadata (as for `Context`); default: read from `charmDir`. Required with `entry`
   * unless `charmDir` is also given.
   */
  meta?: MetaInput;
  /** The event to dispatch (`new EventFactories()` or `ctx.on`). */
  event: ScenarioEvent;
  /** The input state. */
  state: State;
  /** The simulated Juju version (default `3.6.14`). */
  jujuVersion?: string;
  /** Application name (default: the charm name). */
  appName?: string;
  /** Unit number (default 0). */
  unitId?: number;
  /** More environment variables for the charm process. */
  env?: Readonly<Record<string, string>>;
  /** Kill the charm after this many milliseconds (default 60 000). */
  timeoutMs?: number;
  /** Throw {@link DispatchError} when the charm exits non-zero (default `true`). */
  check?: boolean;
  /**
   * The charm class's handle path (its class name, e.g. `MyCharm`), for stored states and
   * deferred events given without an owner; without it, give `ownerPath` explicitly and the
   * output lists every stored state with its owner.
   */
  charmClassName?: string;
}

/** What a process-level dispatch produced. */
export interface DispatchOutput {
  /** The output state, read back from the fake hook tools, Pebble servers and state file. */
  readonly state: State;
  /** Exit code of the charm process (`null` when killed by a signal). */
  readonly exitCode: number | null;
  /** Standard output of the charm process. */
  readonly stdout: string;
  /** Standard error of the charm process. */
  readonly stderr: string;
  /** `juju-log` records. */
  readonly jujuLog: readonly { readonly level: string; readonly message: string }[];
  /** Every hook-tool call, as argv (tool name first). */
  readonly hookToolCalls: readonly (readonly string[])[];
  /** Unit statuses before each change. */
  readonly unitStatusHistory: readonly StatusBase[];
  /** Action results as `action-set` received them (dotted keys, string values). */
  readonly actionResults: Readonly<Record<string, unknown>> | undefined;
  /** Action logs. */
  readonly actionLogs: readonly string[];
  /** Failure message when the action called `action-fail`. */
  readonly actionFailure: string | undefined;
  /** Execs the charm ran, per container. */
  readonly execHistory: Readonly<Record<string, readonly ExecRecord[]>>;
}

function readStore(dir: string): MemoryStateSnapshot {
  const store = new LocalStateStore(dir);
  try {
    const snapshots: Record<string, SnapshotData> = {};
    for (const path of store.listSnapshots()) {
      const data = store.loadSnapshot(path);
      if (data !== undefined) snapshots[path] = data;
    }
    return { snapshots, notices: store.notices() };
  } finally {
    store.close();
  }
}

function seedStore(dir: string, seed: MemoryStateSnapshot): void {
  if (Object.keys(seed.snapshots).length === 0 && seed.notices.length === 0) return;
  const store = new LocalStateStore(dir);
  try {
    for (const [path, data] of Object.entries(seed.snapshots)) store.saveSnapshot(path, data);
    for (const notice of seed.notices) store.saveNotice(notice);
    store.commit();
  } finally {
    store.close();
  }
}

function charmDirFor(
  options: RunDispatchOptions,
  workDir: string,
  raw: MetaInput | undefined,
): string {
  const dir = join(workDir, 'charm');
  mkdirSync(dir);
  if (options.charmDir !== undefined) {
    const source = resolve(options.charmDir);
    for (const name of readdirSync(source)) {
      if (name.startsWith('.unit-state')) continue;
      symlinkSync(join(source, name), join(dir, name));
    }
  }
  if (options.entry !== undefined) {
    const entry = resolve(options.entry);
    writeFileSync(
      join(dir, 'dispatch'),
      `#!/bin/sh\nJUJU_DISPATCH_PATH="\${JUJU_DISPATCH_PATH:-$0}" exec node ${JSON.stringify(entry)}\n`,
      { mode: 0o755 },
    );
  }
  const hasMeta = ['metadata.yaml', 'charmcraft.yaml'].some((f) => existsSync(join(dir, f)));
  if (!hasMeta || raw !== undefined) {
    if (raw === undefined) {
      throw new DispatchError(
        `no metadata for the charm: give meta, or a charmDir with metadata.yaml`,
        {
          exitCode: null,
          stdout: '',
          stderr: '',
        },
      );
    }
    for (const f of ['metadata.yaml', 'charmcraft.yaml', 'config.yaml', 'actions.yaml']) {
      rmSync(join(dir, f), { force: true });
    }
    if (raw instanceof CharmMeta) {
      throw new DispatchError(
        'runDispatch writes the metadata into the charm directory: give it as YAML text or a plain object, not a CharmMeta',
        { exitCode: null, stdout: '', stderr: '' },
      );
    }
    writeFileSync(join(dir, 'charmcraft.yaml'), typeof raw === 'string' ? raw : toYaml(raw));
  }
  return dir;
}

/**
 * Runs the charm as a real process for one event, as Juju would: a `dispatch` executable (or
 * `node <entry>`) with the `JUJU_*` environment of the event, fake hook-tool executables first
 * on `PATH` serving and recording the simulated unit, a fake Pebble server per container on
 * a unix socket (via `OPSJS_PEBBLE_SOCKET_DIR`), and the state file in the charm directory.
 * The output state is read back from all of them: the same code path as production.
 *
 * @example
 * ```ts
 * const on = new EventFactories();
 * const out = await runDispatch({ entry: 'dist/charm.js', meta: CHARMCRAFT_YAML, event: on.install(), state: new State() });
 * expect(out.state.unitStatus).toEqual(new ActiveStatus());
 * ```
 * @throws {InconsistentScenarioError} when the state and event are inconsistent
 * @throws {DispatchError} when the charm exits non-zero (unless `check: false`) or cannot start,
 *   or for a library event picked with `ctx.on.custom(pick, ...args)` (it runs only in a `Context`)
 */
export async function runDispatch(options: RunDispatchOptions): Promise<DispatchOutput> {
  if (options.charmDir === undefined && options.entry === undefined) {
    throw new DispatchError('runDispatch needs a charmDir or an entry', {
      exitCode: null,
      stdout: '',
      stderr: '',
    });
  }
  if (options.event.customEvent !== undefined) {
    throw new DispatchError(
      'runDispatch runs the charm in another process: a library event picked with ' +
        'ctx.on.custom(pick, ...args) runs only in a Context',
      { exitCode: null, stdout: '', stderr: '' },
    );
  }
  const meta = resolveMeta({
    ...(options.meta === undefined ? {} : { meta: options.meta }),
    ...(options.charmDir === undefined ? {} : { charmRoot: options.charmDir }),
  });
  const jujuVersion = options.jujuVersion ?? '3.6.14';
  const unitId = options.unitId ?? 0;
  const appName = options.appName ?? meta.name;
  const { event, state } = options;
  if (!skipConsistencyChecks()) {
    checkConsistency({ state, event, meta, jujuVersion, unitId });
  }
  const workDir = mkdtempSync(join(tmpdir(), 'opsjs-dispatch-'));
  const sims = new Map<string, SimulatedContainer>();
  try {
    const charmDir = charmDirFor(options, workDir, options.meta);
    const data = stateToWorld(
      state,
      meta,
      { unitName: `${appName}/${unitId}`, jujuVersion },
      event,
      (name, index) => {
        const dir = join(workDir, 'storage', name, String(index));
        mkdirSync(dir, { recursive: true });
        return dir;
      },
    );
    const tools = FakeHookTools.create(data, workDir);
    const socketDir = join(workDir, 'sockets');
    const execHistory: Record<string, ExecRecord[]> = {};
    for (const container of state.containers) {
      const history: ExecRecord[] = [];
      execHistory[container.name] = history;
      mkdirSync(join(socketDir, container.name), { recursive: true });
      sims.set(
        container.name,
        await SimulatedContainer.start(container, {
          socketPath: join(socketDir, container.name, 'pebble.socket'),
          root: join(workDir, 'containers', container.name),
          execHistory: history,
        }),
      );
    }
    const charmClassPath = options.charmClassName ?? '';
    const ownerless = [
      ...state.storedStates
        .filter((s) => s.ownerPath === undefined)
        .map((s) => `stored state '${s.name}'`),
    ];
    if (charmClassPath === '' && ownerless.length > 0) {
      throw new DispatchError(
        `${ownerless.join(', ')} has no ownerPath: give charmClassName (the charm class name) or ownerPath`,
        { exitCode: null, stdout: '', stderr: '' },
      );
    }
    seedStore(charmDir, stateToStore(state, charmClassPath));
    const env: Record<string, string> = {
      ...buildEventEnv(event, state, { appName, unitId, jujuVersion }, charmDir),
      PATH: tools.path([dirname(process.execPath), process.env.PATH ?? ''].join(delimiter)),
      OPSJS_PEBBLE_SOCKET_DIR: socketDir,
      LANG: 'C.UTF-8',
      ...(options.env ?? {}),
    };
    const run = await spawnCharm(
      join(charmDir, 'dispatch'),
      charmDir,
      env,
      options.timeoutMs ?? 60_000,
    );
    const world = tools.readWorld();
    const containers: Container[] = [];
    for (const container of state.containers) {
      const sim = sims.get(container.name);
      containers.push(sim === undefined ? container : sim.toState());
    }
    const stored = storeToState(readStore(charmDir));
    const output = worldToState(world, state, {
      containers,
      ...(run.exitCode === 0 ? stored : {}),
    });
    const action = world.action;
    const result: DispatchOutput = {
      state: output,
      exitCode: run.exitCode,
      stdout: run.stdout,
      stderr: run.stderr,
      jujuLog: world.jujuLog,
      hookToolCalls: world.calls,
      unitStatusHistory: world.unitStatusHistory.map((s) =>
        StatusBase.fromName(s.status, s.message),
      ),
      actionResults: action?.results,
      actionLogs: action?.logs ?? [],
      actionFailure: action?.failed === true ? (action.failureMessage ?? '') : undefined,
      execHistory,
    };
    if ((options.check ?? true) && run.exitCode !== 0) {
      throw new DispatchError(
        `the charm exited with ${run.exitCode === null ? 'a signal' : `code ${run.exitCode}`} on ${event.name}: ${run.stderr.trim().split('\n').at(-1) ?? ''}`,
        run,
      );
    }
    return result;
  } finally {
    for (const sim of sims.values()) await sim.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function spawnCharm(
  file: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, [], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new DispatchError(
          `cannot run ${file}: ${error.message}`,
          { exitCode: null, stdout, stderr },
          { cause: error },
        ),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code, stdout, stderr });
    });
  });
}
