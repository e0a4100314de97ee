// Depth 1: the imperative Harness.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActiveStatus, BlockedStatus, Port, WaitingStatus } from '@opsjs/core';
import { ActionFailed, Harness } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ExampleMachineCharm } from '../src/example-machine-charm.js';
import { charmRoot, useTempDirs } from './helpers/temp.js';

const tempDir = useTempDirs();

describe('ExampleMachineCharm (Harness)', () => {
  const harnesses: Harness<typeof ExampleMachineCharm>[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.cleanup();
  });
  /** Registers a harness for cleanup after the test. */
  function track(h: Harness<typeof ExampleMachineCharm>): Harness<typeof ExampleMachineCharm> {
    harnesses.push(h);
    return h;
  }

  it('writes its config, follows the port, and snapshots onto the attached storage', async () => {
    const configPath = join(tempDir(), 'app.conf');
    const harness = track(new Harness(ExampleMachineCharm, { charmRoot }));
    await harness.updateConfig({ 'config-path': configPath });
    await harness.begin();
    await harness.updateConfig({ message: 'first' });
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new WaitingStatus('waiting for the data storage'));
    expect(readFileSync(configPath, 'utf8')).toMatch(/^data-dir = $/m);
    const [id] = await harness.addStorage('data', 1, { attach: true });
    expect(id).toBe('data/0');
    const dataDir = harness.charm.dataDir ?? '';
    expect(existsSync(join(dataDir, 'snapshots'))).toBe(true);
    expect(readFileSync(configPath, 'utf8')).toContain(`data-dir = ${JSON.stringify(dataDir)}`);
    await harness.updateConfig({ port: 8000 });
    expect(harness.model.unit.openedPorts()).toEqual([new Port('tcp', 8000)]);
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new ActiveStatus('listening on port 8000'));
    const out = await harness.runAction('snapshot', { name: 'one' });
    expect(out.results.path).toBe(join(dataDir, 'snapshots', 'one.conf'));
    expect(readFileSync(join(dataDir, 'snapshots', 'one.conf'), 'utf8')).toContain(
      'message = "first"',
    );
    await expect(harness.runAction('snapshot', { name: 'a b' })).rejects.toThrow(ActionFailed);
  });

  it('is blocked on a bad port and keeps the previous file', async () => {
    const configPath = join(tempDir(), 'app.conf');
    const harness = track(new Harness(ExampleMachineCharm, { charmRoot }));
    await harness.updateConfig({ 'config-path': configPath });
    await harness.begin();
    await harness.updateConfig({ port: 1234 });
    await harness.updateConfig({ port: 70000 });
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new BlockedStatus('invalid port 70000: use 1-65535'));
    expect(readFileSync(configPath, 'utf8')).toMatch(/^port = 1234$/m);
  });
});
