import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ActiveStatus, MaintenanceStatus } from '@opsjs/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DispatchError, InconsistentScenarioError } from '../src/errors.js';
import { EventFactories } from '../src/event.js';
import { runDispatch } from '../src/run-dispatch.js';
import { Container, Exec } from '../src/state/container.js';
import { Port, StoredState } from '../src/state/misc.js';
import { Relation } from '../src/state/relation.js';
import { State } from '../src/state/state.js';
import { SAMPLE_META } from './fixtures/sample-meta.js';
import { bundleCharm } from './helpers/bundle.js';

const on = new EventFactories();
let entry: string;

beforeAll(async () => {
  entry = await bundleCharm('sample-main.ts');
});

afterAll(() => {
  rmSync(dirname(entry), { recursive: true, force: true });
});

// Each dispatch starts node for the charm and for every hook-tool call: allow for a busy machine.
describe('runDispatch (the charm as a real process)', { timeout: 60_000 }, () => {
  it('runs install through main() with fake hook tools and returns the output state', async () => {
    const out = await runDispatch({
      entry,
      meta: SAMPLE_META,
      event: on.install(),
      state: new State(),
      charmClassName: 'SampleCharm',
    });
    expect(out.exitCode).toBe(0);
    expect(out.state.unitStatus).toEqual(new ActiveStatus());
    expect(out.unitStatusHistory).toContainEqual(new MaintenanceStatus('installing'));
    expect(out.state.workloadVersion).toBe('1.0');
    expect(out.state.getStoredState().content).toEqual({ configChanges: 0, seen: ['install'] });
    expect(out.hookToolCalls.map((c) => c[0])).toContain('application-version-set');
    expect(out.jujuLog).toContainEqual({ level: 'DEBUG', message: 'Emitting Juju event install.' });
  });

  it('runs config-changed with relations, ports, a deferral and a container', async () => {
    const db = new Relation({ endpoint: 'db', remoteAppName: 'pg' });
    const workload = new Container({
      name: 'workload',
      canConnect: true,
      execs: [new Exec({ commandPrefix: ['hostname'], stdout: 'proc\n' })],
    });
    const state = new State({
      config: { port: 7000 },
      relations: [db],
      containers: [workload],
      storedStates: [new StoredState({ content: { configChanges: 2, seen: [] } })],
    });
    const out = await runDispatch({
      entry,
      meta: SAMPLE_META,
      event: on.configChanged(),
      state,
      charmClassName: 'SampleCharm',
    });
    expect(out.state.getRelation(db.id).localUnitData.port).toBe('7000');
    expect(out.state.openedPorts).toEqual([Port.tcp(7000)]);
    expect(out.state.getStoredState().content).toMatchObject({ configChanges: 3 });
    const deferred = await runDispatch({
      entry,
      meta: SAMPLE_META,
      event: on.configChanged(),
      state: new State({ config: { port: 0 } }),
      charmClassName: 'SampleCharm',
    });
    expect(deferred.state.deferred.map((d) => [d.owner, d.observer, d.name])).toEqual([
      ['SampleCharm', 'onConfigChanged', 'config_changed'],
    ]);
    const ready = await runDispatch({
      entry,
      meta: SAMPLE_META,
      event: on.pebbleReady(workload),
      state: new State({ containers: [workload] }),
      charmClassName: 'SampleCharm',
    });
    expect(ready.unitStatusHistory.at(-1)).toEqual(new ActiveStatus('host proc'));
    expect(ready.state.getContainer('workload').serviceStatuses).toEqual({ web: 'active' });
  });

  it('reports action results and a charm crash', async () => {
    const out = await runDispatch({
      entry,
      meta: SAMPLE_META,
      event: on.action('backup', { target: '/t' }),
      state: new State(),
      charmClassName: 'SampleCharm',
    });
    expect(out.actionResults).toEqual({ target: '/t', 'size.bytes': '42' });
    expect(out.actionLogs).toEqual(['backing up to /t']);
    const crash = runDispatch({
      entry,
      meta: SAMPLE_META,
      event: on.configChanged(),
      state: new State({ config: { port: 70000 } }),
      charmClassName: 'SampleCharm',
    });
    await expect(crash).rejects.toThrow(DispatchError);
    const unchecked = await runDispatch({
      entry,
      meta: SAMPLE_META,
      event: on.configChanged(),
      state: new State({ config: { port: 70000 } }),
      charmClassName: 'SampleCharm',
      check: false,
    });
    expect(unchecked.exitCode).toBe(1);
    expect(
      unchecked.jujuLog.some(
        (l) =>
          l.level === 'ERROR' && l.message.startsWith('Uncaught exception while in charm code:'),
      ),
    ).toBe(true);
  });

  it('checks consistency and its inputs first', async () => {
    await expect(
      runDispatch({
        entry,
        meta: SAMPLE_META,
        event: on.install(),
        state: new State({ config: { nope: 1 } }),
      }),
    ).rejects.toThrow(InconsistentScenarioError);
    await expect(
      runDispatch({ meta: SAMPLE_META, event: on.install(), state: new State() }),
    ).rejects.toThrow('runDispatch needs a charmDir or an entry');
    await expect(
      runDispatch({
        entry,
        meta: SAMPLE_META,
        event: on.install(),
        state: new State({ storedStates: [new StoredState({})] }),
      }),
    ).rejects.toThrow(/has no ownerPath/);
  });

  it('runs a packed charm directory through its dispatch script, leaving the directory as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsjs-charmdir-'));
    try {
      copyFileSync(entry, join(dir, 'charm.mjs'));
      writeFileSync(join(dir, 'charmcraft.yaml'), stringify(SAMPLE_META));
      writeFileSync(
        join(dir, 'dispatch'),
        `#!/bin/sh\nJUJU_DISPATCH_PATH="\${JUJU_DISPATCH_PATH:-$0}" exec node ./charm.mjs\n`,
        { mode: 0o755 },
      );
      const before = readdirSync(dir).sort();
      const out = await runDispatch({
        charmDir: dir,
        event: on.install(),
        state: new State(),
        charmClassName: 'SampleCharm',
      });
      expect(out.state.workloadVersion).toBe('1.0');
      expect(out.state.getStoredState('_stored', 'SampleCharm').content).toMatchObject({
        seen: ['install'],
      });
      expect(readdirSync(dir).sort()).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
