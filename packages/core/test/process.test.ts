import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeHookTools, jujuLogs } from './helpers/hook-tools.js';
import { readState } from './helpers/state-file.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(fs.readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as {
  version: string;
};
const fixture = path.join(here, 'fixtures', 'demo-charm');
let work: string;
let bundle: string;
let floatingBundle: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-dispatch-'));
  bundle = path.join(work, 'charm.mjs');
  floatingBundle = path.join(work, 'floating.mjs');
  await build({
    entryPoints: {
      charm: path.join(fixture, 'main.ts'),
      floating: path.join(here, 'fixtures', 'floating-charm.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    keepNames: true,
    outdir: work,
    outExtension: { '.js': '.mjs' },
    // CommonJS dependencies (yaml) call require() for Node built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    alias: { '@opsjs/core': path.join(here, '..', 'dist', 'index.js') },
    logLevel: 'error',
  });
}, 60_000);

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

let tools: FakeHookTools;
let charmDir: string;

beforeEach(() => {
  const root = fs.mkdtempSync(path.join(work, 'unit-'));
  tools = new FakeHookTools(root);
  charmDir = path.join(root, 'charm');
  fs.mkdirSync(charmDir);
  for (const file of ['metadata.yaml', 'config.yaml', 'actions.yaml']) {
    fs.copyFileSync(path.join(fixture, file), path.join(charmDir, file));
  }
});

function run(
  dispatchPath: string,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
  script: string = bundle,
) {
  const result = spawnSync(process.execPath, [...nodeArgs, script], {
    cwd: charmDir,
    encoding: 'utf8',
    env: {
      PATH: `${tools.binDir}:${process.env.PATH ?? ''}`,
      JUJU_DISPATCH_PATH: dispatchPath,
      JUJU_HOOK_NAME: dispatchPath.startsWith('hooks/') ? dispatchPath.slice(6) : '',
      JUJU_UNIT_NAME: 'demo/0',
      JUJU_MODEL_NAME: 'test',
      JUJU_MODEL_UUID: 'cdac5656-2423-4388-8f30-41854b4cca7d',
      JUJU_VERSION: '3.6.4',
      JUJU_CHARM_DIR: charmDir,
      ...extraEnv,
    },
  });
  return {
    status: result.status,
    signal: result.signal,
    stderr: result.stderr,
    calls: tools.takeCalls(),
  };
}

const stateFile = () => path.join(charmDir, '.unit-state.opsjs');
/** The state file's current record body: snapshots by handle path, and the notices. */
interface StateBody {
  readonly snapshots: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly notices: readonly (readonly [string, string, string])[];
}
const state = (): StateBody => readState(stateFile()).body as StateBody;

describe('main() as a real process', () => {
  it('runs install, config-changed and start with the ops call sequence', () => {
    const install = run('hooks/install');
    expect(install.stderr).toBe('');
    expect(install.status).toBe(0);
    expect(install.calls.map((c) => c.slice(0, 3).join(' '))).toEqual([
      'juju-log --log-level DEBUG',
      'juju-log --log-level DEBUG',
      'juju-log --log-level DEBUG',
      'juju-log --log-level DEBUG',
      'status-set --application=False maintenance',
      'is-leader --format=json',
      'config-get --format=json',
      'status-set --application=False active',
    ]);
    expect(jujuLogs(install.calls)).toEqual([
      ['DEBUG', `opsjs ${version} up and running.`],
      ['DEBUG', 'Using local storage: not a Kubernetes podspec charm'],
      ['DEBUG', `Initializing local storage: ${stateFile()}.`],
      ['DEBUG', 'Emitting Juju event install.'],
    ]);
    expect(state().snapshots['DemoCharm/StoredStateData[state]']).toEqual({
      configChanges: 0,
      installed: true,
    });

    tools.output('config-get', '{"port": 9000, "mode": "normal"}');
    const changed = run('hooks/config-changed');
    expect(changed.status).toBe(0);
    expect(jujuLogs(changed.calls)).toContainEqual(['INFO', 'serving on port 9000']);
    const start = run('hooks/start');
    expect(start.status).toBe(0);
    expect(jujuLogs(start.calls)).toContainEqual(['DEBUG', 'Emitting Juju event start.']);
    expect(state().snapshots['StoredStateData[_stored]']).toEqual({ event_count: 12 });
    expect(state().snapshots['DemoCharm/StoredStateData[state]']?.configChanges).toBe(1);
  });

  it('keeps a deferred event for the next dispatch', () => {
    expect(run('hooks/install').status).toBe(0);
    tools.output('config-get', '{"port": 9000, "mode": "defer"}');
    expect(run('hooks/config-changed').status).toBe(0);
    expect(state().notices).toEqual([
      ['DemoCharm/on/config_changed[5]', 'DemoCharm', 'onConfigChanged'],
    ]);
    tools.output('config-get', '{"port": 9000, "mode": "normal"}');
    const next = run('hooks/update-status');
    expect(next.status).toBe(0);
    const logs = jujuLogs(next.calls).map(([, m]) => m);
    expect(logs).toContain(
      'Re-emitting deferred event <ConfigChangedEvent via DemoCharm/on/config_changed[5]> (1 of 1 in queue).',
    );
    expect(logs.indexOf('Emitting Juju event update_status.')).toBeGreaterThan(
      logs.findIndex((m) => m.startsWith('Re-emitting')),
    );
    expect(state().notices).toEqual([]);
    expect(state().snapshots['DemoCharm/StoredStateData[state]']?.configChanges).toBe(1);
  });

  it('logs a crash through juju-log, exits 1 and commits nothing', () => {
    expect(run('hooks/install').status).toBe(0);
    const before = fs.readFileSync(stateFile(), 'utf8');
    tools.output('config-get', '{"port": 9000, "mode": "crash"}');
    const crash = run('hooks/config-changed');
    expect(crash.status).toBe(1);
    const error = jujuLogs(crash.calls).find(([level]) => level === 'ERROR');
    expect(error?.[1]).toMatch(
      /^Uncaught exception while in charm code:\nError: mode=crash asked for a crash\n\s+at /,
    );
    expect(fs.readFileSync(stateFile(), 'utf8')).toBe(before);
  });

  it('creates the state file when first opened, as ops creates its database, even if the dispatch fails', () => {
    tools.output('config-get', '{"port": 9000, "mode": "crash"}');
    const crash = run('hooks/config-changed');
    expect(crash.status).toBe(1);
    expect(jujuLogs(crash.calls).slice(1, 3)).toEqual([
      ['DEBUG', 'Using local storage: not a Kubernetes podspec charm'],
      ['DEBUG', `Initializing local storage: ${stateFile()}.`],
    ]);
    expect(state()).toEqual({ snapshots: {}, notices: [] });
    const again = run('hooks/install');
    expect(again.status).toBe(0);
    expect(jujuLogs(again.calls).map(([, m]) => m)).toEqual([
      `opsjs ${version} up and running.`,
      'Emitting Juju event install.',
    ]);
  });

  it('reports bad input clearly: unknown event, missing unit name, corrupted state', () => {
    const unknown = run('hooks/no-such-hook');
    expect(unknown.status).toBe(0);
    expect(jujuLogs(unknown.calls)).toContainEqual([
      'DEBUG',
      'Event no_such_hook not defined for <DemoCharm>.',
    ]);

    const noUnit = run('hooks/install', { JUJU_UNIT_NAME: '' });
    expect(noUnit.status).toBe(1);
    expect(jujuLogs(noUnit.calls).find(([l]) => l === 'ERROR')?.[1]).toContain(
      'DispatchError: JUJU_UNIT_NAME is not set',
    );

    fs.writeFileSync(stateFile(), '{"format":"opsjs-unit-state","vers');
    const corrupt = run('hooks/install');
    expect(corrupt.status).toBe(1);
    expect(jujuLogs(corrupt.calls).find(([l]) => l === 'ERROR')?.[1]).toContain(
      'the unit state file is corrupted or truncated',
    );
    expect(fs.readFileSync(stateFile(), 'utf8')).toBe('{"format":"opsjs-unit-state","vers');
  });

  it('exits at once when the charm calls itself', () => {
    const again = run('hooks/install', { OPERATOR_DISPATCH: '1' });
    expect(again.status).toBe(0);
    expect(jujuLogs(again.calls)).toContainEqual([
      'DEBUG',
      'Charm called itself via hooks/install.',
    ]);
    expect(fs.existsSync(stateFile())).toBe(false);
  });

  it('runs an action with its params', () => {
    tools.output('action-get', '{"name": "juju"}');
    const action = run('actions/greet', { JUJU_ACTION_NAME: 'greet', JUJU_ACTION_UUID: '3' });
    expect(action.status).toBe(0);
    expect(action.calls).toContainEqual(['action-set', 'greeting=hello juju']);
  });

  it('fails the dispatch and commits nothing when charm code leaves a rejection unhandled', () => {
    const floating = run('hooks/install', {}, [], floatingBundle);
    expect(floating.status).toBe(1);
    const error = jujuLogs(floating.calls).find(([level]) => level === 'ERROR')?.[1] ?? '';
    expect(error).toContain('DispatchError: a promise rejection in charm code was not handled');
    expect(error).toContain('Caused by:\nError: nobody awaited this');
    // The file created when the store was opened holds no state of this dispatch.
    expect(state()).toMatchObject({ snapshots: {}, notices: [] });
  });

  it('runs a legacy hooks/<name> script first, as ops does', () => {
    const hook = path.join(charmDir, 'hooks', 'install');
    fs.mkdirSync(path.dirname(hook));
    fs.writeFileSync(
      hook,
      '#!/bin/sh\necho "$OPERATOR_DISPATCH" > legacy-ran\nexit "$LEGACY_EXIT"\n',
      {
        mode: 0o755,
      },
    );
    const ok = run('hooks/install', { LEGACY_EXIT: '0' });
    expect(ok.status).toBe(0);
    expect(fs.readFileSync(path.join(charmDir, 'legacy-ran'), 'utf8')).toBe('1\n');
    expect(jujuLogs(ok.calls)).toEqual(
      expect.arrayContaining([
        ['INFO', 'Running legacy hooks/install.'],
        ['DEBUG', 'Legacy hooks/install exited with status 0.'],
        ['DEBUG', 'Emitting Juju event install.'],
      ]),
    );
    const failed = run('hooks/install', { LEGACY_EXIT: '3' });
    expect(failed.status).toBe(3);
    expect(jujuLogs(failed.calls)).toContainEqual([
      'WARNING',
      'Legacy hooks/install exited with status 3.',
    ]);
    fs.chmodSync(hook, 0o644);
    const skipped = run('hooks/install', { LEGACY_EXIT: '0' });
    expect(skipped.status).toBe(0);
    expect(jujuLogs(skipped.calls)).toContainEqual([
      'WARNING',
      'Legacy hooks/install exists but is not executable.',
    ]);
  });

  it('runs a legacy hook linked to dispatch as ops does: the child sees itself called and exits 0', () => {
    // ops test_main.py `test_hook_and_dispatch_but_hook_is_dispatch_copy`: ops compares the hook
    // only with its entry script, so `hooks/install -> ../dispatch` (charmcraft, `opsjs pack`)
    // runs as a child process with OPERATOR_DISPATCH=1 set.
    fs.writeFileSync(
      path.join(charmDir, 'dispatch'),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bundle)}\n`,
      { mode: 0o755 },
    );
    fs.mkdirSync(path.join(charmDir, 'hooks'));
    fs.symlinkSync('../dispatch', path.join(charmDir, 'hooks', 'install'));
    const install = run('hooks/install');
    expect(install.stderr).toBe('');
    expect(install.status).toBe(0);
    const log = (level: string, message: string) => [
      'juju-log',
      '--log-level',
      level,
      '--',
      message,
    ];
    expect(install.calls.slice(0, 8)).toEqual([
      log('DEBUG', `opsjs ${version} up and running.`),
      log('INFO', 'Running legacy hooks/install.'),
      log('DEBUG', `opsjs ${version} up and running.`),
      log('DEBUG', 'Charm called itself via hooks/install.'),
      log('DEBUG', 'Legacy hooks/install exited with status 0.'),
      log('DEBUG', 'Using local storage: not a Kubernetes podspec charm'),
      log('DEBUG', `Initializing local storage: ${stateFile()}.`),
      log('DEBUG', 'Emitting Juju event install.'),
    ]);
    // The install handler ran once, in the parent: the child logged nothing more.
    expect(jujuLogs(install.calls)).toHaveLength(8);
    expect(install.calls.filter(([tool]) => tool === 'is-leader')).toHaveLength(1);
    expect(state().snapshots['DemoCharm/StoredStateData[state]']).toEqual({
      configChanges: 0,
      installed: true,
    });
  });

  it('skips a legacy hook that resolves to the entry script Node runs (argv[1])', () => {
    const entry = path.join(charmDir, 'charm.mjs');
    fs.copyFileSync(bundle, entry);
    fs.chmodSync(entry, 0o755);
    fs.mkdirSync(path.join(charmDir, 'hooks'));
    fs.symlinkSync('../charm.mjs', path.join(charmDir, 'hooks', 'install'));
    const install = run('hooks/install', {}, [], entry);
    expect(install.status).toBe(0);
    expect(jujuLogs(install.calls).slice(0, 2)).toEqual([
      ['DEBUG', `opsjs ${version} up and running.`],
      ['DEBUG', 'Legacy hooks/install is just a link to ourselves.'],
    ]);
    expect(jujuLogs(install.calls)).toContainEqual(['DEBUG', 'Emitting Juju event install.']);
  });

  it('fails on a bad hook context before logging starts: stderr, exit 1, no hook tool', () => {
    // ops reads JujuContext before it sets up juju-log logging (`_Manager.__init__`).
    const bad = run('hooks/install', { JUJU_VERSION: 'banana' });
    expect(bad.status).toBe(1);
    expect(bad.calls).toEqual([]);
    expect(bad.stderr).toContain('"banana" is not a valid Juju version string');
    expect(fs.existsSync(stateFile())).toBe(false);
    const badRelation = run('hooks/db-relation-changed', { JUJU_RELATION_ID: 'db:x' });
    expect(badRelation.status).toBe(1);
    expect(badRelation.calls).toEqual([]);
    expect(badRelation.stderr).toContain('JUJU_RELATION_ID: expected an integer, got "x"');
  });

  it('logs a dispatch path that names no event as not defined and exits 0, as ops', () => {
    const dotted = run('hooks/foo.bar');
    expect(dotted.status).toBe(0);
    expect(dotted.stderr).toBe('');
    const logs = jujuLogs(dotted.calls);
    expect(logs).toContainEqual(['DEBUG', 'Event foo.bar not defined for <DemoCharm>.']);
    // collect-status still runs.
    expect(dotted.calls).toContainEqual(['is-leader', '--format=json']);
  });

  // A store's first commit writes a new file and renames it into place; later commits
  // overwrite the slot that does not hold the current state, then flush it.
  const crashes = [
    ['first', 'mid-write', 'none'],
    ['first', 'before-rename', 'none'],
    ['first', 'after-rename', 'empty'],
    ['later', 'mid-write', 'old'],
    ['later', 'before-flush', 'new'], // written, not flushed: the page cache has it
    ['later', 'after-flush', 'new'],
  ] as const;
  for (const [commit, at, left] of crashes) {
    it(`survives kill -9 ${at} in a ${commit} commit, leaving the ${left} state`, () => {
      const preload = path.join(here, 'fixtures', 'kill-preload.cjs');
      let before: Buffer | undefined;
      let killed: ReturnType<typeof run>;
      if (commit === 'first') {
        killed = run('hooks/install', { KILL_AT: at }, ['--require', preload]);
      } else {
        expect(run('hooks/install').status).toBe(0);
        before = fs.readFileSync(stateFile());
        tools.output('config-get', '{"port": 9000, "mode": "normal"}');
        killed = run('hooks/config-changed', { KILL_AT: at }, ['--require', preload]);
      }
      expect(killed.signal).toBe('SIGKILL');
      if (left === 'none') expect(fs.existsSync(stateFile())).toBe(false);
      if (left === 'empty') expect(state()).toEqual({ snapshots: {}, notices: [] });
      if (left === 'old') {
        expect(readState(stateFile())).toEqual(readState(before ?? Buffer.alloc(0)));
        expect(state().snapshots['DemoCharm/StoredStateData[state]']?.configChanges).toBe(0);
      }
      if (left === 'new') {
        expect(state().snapshots['DemoCharm/StoredStateData[state]']?.configChanges).toBe(1);
      }
      const next = run('hooks/update-status');
      expect(next.status).toBe(0);
      expect(fs.readdirSync(charmDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect(readState(stateFile()).version).toBe(1);
    });
  }

  it('keeps the previous state when the flush of an in-place commit fails, and says so', () => {
    expect(run('hooks/install').status).toBe(0);
    const before = readState(stateFile());
    tools.output('config-get', '{"port": 9000, "mode": "normal"}');
    const preload = path.join(here, 'fixtures', 'kill-preload.cjs');
    const failed = run('hooks/config-changed', { KILL_AT: 'flush-fails' }, ['--require', preload]);
    expect(failed.status).toBe(1);
    const error = jujuLogs(failed.calls).find(([level]) => level === 'ERROR')?.[1] ?? '';
    expect(error).toContain('cannot write the unit state file');
    expect(error).toContain('EIO');
    // The record written before the failed flush is not taken for the state.
    expect(readState(stateFile())).toEqual(before);
    expect(run('hooks/update-status').status).toBe(0);
    expect(state().snapshots['DemoCharm/StoredStateData[state]']?.configChanges).toBe(0);
  });
});
