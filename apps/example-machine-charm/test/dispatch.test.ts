// Depth 3: the packed charm's `dispatch` run as a real process with @opsjs/testing's fake hook
// tools on PATH; and "install only what you need": no Pebble client, no undici, in the bundle
// or in the production install closure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type PackResult, pack, unpackCharm } from '@opsjs/cli';
import { ActiveStatus, WaitingStatus } from '@opsjs/core';
import { EventFactories, Port, runDispatch, State, Storage } from '@opsjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charmRoot, useTempDirs } from './helpers/temp.js';

const on = new EventFactories();
const tempDir = useTempDirs();
let work: string | undefined;
let charmDir: string;
let packed: PackResult;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'example-machine-charm-packed-'));
  packed = await pack({ dir: charmRoot, out: join(work, 'out'), noRuntime: true });
  charmDir = join(work, 'charm');
  await unpackCharm(packed.charmPath, charmDir);
});

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

function dispatch(event: ReturnType<EventFactories['install']>, state: State) {
  return runDispatch({ charmDir, event, state, charmClassName: 'ExampleMachineCharm' });
}

/** Every package reachable from `name` through `dependencies` (what `npm install --omit=dev` installs). */
function productionClosure(fromDir: string, seen = new Set<string>()): Set<string> {
  const manifest: { dependencies?: Record<string, string> } = JSON.parse(
    readFileSync(join(fromDir, 'package.json'), 'utf8'),
  );
  const require = createRequire(join(fromDir, 'package.json'));
  for (const dep of Object.keys(manifest.dependencies ?? {})) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    productionClosure(dirname(require.resolve(`${dep}/package.json`)), seen);
  }
  return seen;
}

describe('the packed example machine charm', () => {
  it('runs install, storage-attached, config-changed, start and an action through dispatch', async () => {
    const configPath = join(tempDir(), 'etc', 'app.conf');
    const data = new Storage({ name: 'data' });
    let state = new State({ config: { 'config-path': configPath, port: 9300 }, storages: [data] });
    const install = await dispatch(on.install(), state);
    expect(install.state.unitStatus).toEqual(new ActiveStatus('listening on port 9300'));
    state = install.state;
    const attached = await dispatch(on.storageAttached(data), state);
    expect(attached.jujuLog.some((l) => l.message.startsWith('storage data attached at'))).toBe(
      true,
    );
    expect(attached.hookToolCalls).toContainEqual(['open-port', '9300/tcp']);
    const changed = await dispatch(on.configChanged(), attached.state);
    expect(readFileSync(configPath, 'utf8')).toMatch(/^port = 9300$/m);
    expect(changed.state.openedPorts).toEqual([Port.tcp(9300)]);
    const started = await dispatch(on.start(), changed.state);
    expect(started.state.unitStatus).toEqual(new ActiveStatus('listening on port 9300'));
    const snapshot = await dispatch(on.action('snapshot', { name: 'packed' }), started.state);
    expect(snapshot.actionResults?.path).toMatch(/snapshots\/packed\.conf$/);
    const noStorage = await dispatch(
      on.install(),
      new State({ config: { 'config-path': configPath } }),
    );
    expect(noStorage.state.unitStatus).toEqual(new WaitingStatus('waiting for the data storage'));
  });

  it('ships no Pebble client and no undici in its bundle', () => {
    const bundle = readFileSync(join(charmDir, 'dist', 'charm.mjs'), 'utf8');
    expect(bundle).toContain('ExampleMachineCharm');
    expect(bundle).not.toMatch(/undici/i);
    expect(bundle).not.toMatch(/class PebbleClient\b|\/v1\/services/);
    // The model's lazy `import('@opsjs/pebble')` stays external and is never reached.
    expect(bundle).toContain('import("@opsjs/pebble")');
    expect(packed.entries.map((e) => e.path)).not.toContain('node_modules');
  });

  it('installs no undici nor @opsjs/pebble with its production dependencies', () => {
    const closure = productionClosure(charmRoot);
    expect(closure).toContain('@opsjs/core');
    expect(closure).not.toContain('undici');
    expect(closure).not.toContain('@opsjs/pebble');
  });
});
