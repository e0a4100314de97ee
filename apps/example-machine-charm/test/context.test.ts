// Depth 2: one event against an immutable input state (Context/State).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActiveStatus, BlockedStatus, WaitingStatus } from '@opsjs/core';
import { ActionFailed, Context, Port, State, Storage } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ExampleMachineCharm } from '../src/example-machine-charm.js';
import { charmRoot, useTempDirs } from './helpers/temp.js';

const tempDir = useTempDirs();

describe('ExampleMachineCharm (Context/State)', () => {
  const ctx = new Context(ExampleMachineCharm, { charmRoot });
  afterEach(() => {
    ctx.close();
  });

  it('installs nothing and waits for its storage', async () => {
    const out = await ctx.runWithOutput(ctx.on.install(), new State());
    expect(out.jujuLog).toContainEqual({
      level: 'INFO',
      message: 'nothing to install: the workload ships with the charm',
    });
    expect(out.state.unitStatus).toEqual(new WaitingStatus('waiting for the data storage'));
  });

  it('writes the config file and opens the port on config-changed', async () => {
    const configPath = join(tempDir(), 'etc', 'app.conf');
    const out = await ctx.run(
      ctx.on.configChanged(),
      new State({
        config: { 'config-path': configPath, port: 9200, message: 'hi "you"' },
        storages: [new Storage({ name: 'data' })],
        openedPorts: [Port.tcp(9100)],
      }),
    );
    const text = readFileSync(configPath, 'utf8');
    expect(text).toMatch(/^port = 9200$/m);
    expect(text).toMatch(/^message = "hi \\"you\\""$/m);
    expect(text).toMatch(/^data-dir = ".+"$/m);
    expect(out.openedPorts).toEqual([Port.tcp(9200)]);
    expect(out.unitStatus).toEqual(new ActiveStatus('listening on port 9200'));
  });

  it.each([
    [{ port: 0 }, 'invalid port 0: use 1-65535'],
    [
      { 'config-path': 'relative/app.conf' },
      "invalid config-path 'relative/app.conf': must be absolute",
    ],
  ])('is blocked on bad config %o and writes nothing', async (config, message) => {
    const out = await ctx.runWithOutput(
      ctx.on.configChanged(),
      new State({ config, storages: [new Storage({ name: 'data' })] }),
    );
    expect(out.state.unitStatus).toEqual(new BlockedStatus(message));
    expect(out.state.openedPorts).toEqual([]);
    expect(out.jujuLog.map((l) => l.message)).toContain(`not writing the config: ${message}`);
  });

  it('rewrites the config with the data dir when the storage is attached', async () => {
    const configPath = join(tempDir(), 'app.conf');
    const data = new Storage({ name: 'data' });
    const out = await ctx.runWithOutput(
      ctx.on.storageAttached(data),
      new State({ config: { 'config-path': configPath }, storages: [data] }),
    );
    expect(out.jujuLog.some((l) => l.message.startsWith('storage data attached at '))).toBe(true);
    expect(readFileSync(configPath, 'utf8')).toMatch(/^data-dir = ".+"$/m);
    expect(out.state.unitStatus).toEqual(new ActiveStatus('listening on port 9100'));
  });

  it('snapshot: copies the config file onto the storage', async () => {
    const configPath = join(tempDir(), 'app.conf');
    const state = new State({
      config: { 'config-path': configPath },
      storages: [new Storage({ name: 'data' })],
    });
    const written = await ctx.run(ctx.on.configChanged(), state);
    const out = await ctx.runWithOutput(
      ctx.on.action('snapshot', { name: 'before-upgrade' }),
      written,
    );
    expect(out.actionResults?.path).toMatch(/snapshots\/before-upgrade\.conf$/);
    expect(Number(out.actionResults?.bytes)).toBe(readFileSync(configPath).length);
    expect(out.actionLogs).toEqual([`copied ${configPath} to ${String(out.actionResults?.path)}`]);
  });

  it('snapshot: fails on a bad name and without storage', async () => {
    const state = new State({ config: { 'config-path': join(tempDir(), 'app.conf') } });
    const bad = ctx.run(ctx.on.action('snapshot', { name: '../etc' }), state);
    await expect(bad).rejects.toThrow(ActionFailed);
    await expect(bad).rejects.toThrow("invalid snapshot name '../etc'");
    await expect(ctx.run(ctx.on.action('snapshot', { name: 'x' }), state)).rejects.toThrow(
      'the data storage is not attached',
    );
  });
});
