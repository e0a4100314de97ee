// Depth 1: the imperative Harness (ops' Harness), with a fake Pebble server for `web`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActiveStatus, BlockedStatus, WaitingStatus } from '@opsjs/core';
import { ActionFailed, Harness } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ExampleCharm, paths, TOKEN_SECRET_KEY } from '../src/example-charm.js';
import { charmRoot, STATS_OUTPUT } from './helpers/state.js';

describe('ExampleCharm (Harness)', () => {
  const harnesses: Harness<typeof ExampleCharm>[] = [];
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.cleanup();
  });
  /** Registers a harness for cleanup after the test. */
  function track(h: Harness<typeof ExampleCharm>): Harness<typeof ExampleCharm> {
    harnesses.push(h);
    return h;
  }

  /** A leader with its peer relation, begun, with Pebble ready in `web`. */
  async function readyLeader(): Promise<Harness<typeof ExampleCharm>> {
    const harness = track(new Harness(ExampleCharm, { charmRoot }));
    await harness.setLeader(true);
    await harness.addRelation('replicas', 'example-charm');
    await harness.begin();
    await harness.containerPebbleReady('web');
    return harness;
  }

  it('goes from waiting for Pebble to serving, and the plan has the service and checks', async () => {
    const harness = track(new Harness(ExampleCharm, { charmRoot }));
    await harness.setLeader(true);
    const peers = await harness.addRelation('replicas', 'example-charm');
    await harness.begin();
    await harness.setCanConnect('web', false);
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new WaitingStatus('waiting for Pebble in web'));
    await harness.containerPebbleReady('web');
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new ActiveStatus('serving on port 8080'));
    const plan = harness.getContainerPebblePlan('web');
    expect(plan.services?.web?.startup).toBe('enabled');
    expect(plan.services?.web?.onCheckFailure).toEqual({ alive: 'restart' });
    expect(Object.keys(plan.checks ?? {})).toEqual(['alive', 'ready']);
    expect(harness.pebbleServer('web').startCount('web')).toBe(1);
    expect((await harness.charm.web.getService('web')).current).toBe('active');
    const secretId = harness.getRelationData(peers, 'example-charm')[TOKEN_SECRET_KEY];
    expect(secretId).toMatch(/^secret:/);
    const root = harness.getFilesystemRoot('web');
    const config: unknown = JSON.parse(readFileSync(join(root, paths.config), 'utf8'));
    expect(config).toEqual({
      port: 8080,
      greeting: 'Hello from opsjs',
      rateLimit: 10,
      debug: false,
      tokenFile: paths.token,
    });
  });

  it('re-plans with a new environment hash when the config changes, and blocks on a bad port', async () => {
    const harness = await readyLeader();
    const before = harness.getContainerPebblePlan('web').services?.web?.environment;
    await harness.updateConfig({ greeting: 'bonjour' });
    const after = harness.getContainerPebblePlan('web').services?.web?.environment;
    expect(after?.WEB_CONFIG_SHA256).not.toBe(before?.WEB_CONFIG_SHA256);
    await harness.updateConfig({ port: 22 });
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new BlockedStatus('invalid port 22: use 1024-65535'));
    await harness.updateConfig({ port: 8443 });
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new ActiveStatus('serving on port 8443'));
    expect(harness.getContainerPebblePlan('web').checks?.ready?.http?.url).toBe(
      'http://localhost:8443/ready',
    );
  });

  it('publishes the website address in the app bag when a proxy joins', async () => {
    const harness = await readyLeader();
    const website = await harness.addRelation('website', 'proxy');
    await harness.addRelationUnit(website, 'proxy/0');
    const bag = harness.getRelationData(website, 'example-charm');
    expect(bag.port).toBe('8080');
    expect(bag.hostname).toMatch(/^example-charm\..*\.svc\.cluster\.local$/);
    await harness.updateConfig({ port: 9090 });
    expect(harness.getRelationData(website, 'example-charm').port).toBe('9090');
  });

  it('reads the api-token from a user secret granted to the app', async () => {
    const harness = await readyLeader();
    const id = harness.addUserSecret({ token: 's3cret' });
    harness.grantSecret(id, 'example-charm');
    await harness.updateConfig({ 'api-token': id });
    const root = harness.getFilesystemRoot('web');
    expect(readFileSync(join(root, paths.token), 'utf8')).toBe('s3cret\n');
  });

  it('runs the restart and get-stats actions', async () => {
    const harness = await readyLeader();
    const server = harness.pebbleServer('web');
    const starts = server.startCount('web');
    const restart = await harness.runAction('restart', { reason: 'rotate logs' });
    expect(restart.logs).toEqual(['restarting the web server: rotate logs']);
    expect(restart.results).toEqual({ restarts: 1 });
    expect(server.startCount('web')).toBe(starts + 1);
    expect(harness.charm.state.data.restarts).toBe(1);
    harness.handleExec('web', ['node', paths.server], { result: STATS_OUTPUT });
    const stats = await harness.runAction('get-stats');
    expect(stats.results).toEqual({ requests: 7, rejected: 1, 'uptime-seconds': 42, restarts: 1 });
    harness.handleExec('web', ['node', paths.server], { result: 'not json' });
    await expect(harness.runAction('get-stats')).rejects.toThrow(ActionFailed);
  });

  it('restarts the service when Pebble reports a failed check, and reports it until it recovers', async () => {
    const harness = await readyLeader();
    const server = harness.pebbleServer('web');
    const starts = server.startCount('web');
    server.setCheckStatus('ready', 'down');
    await harness.charm.on.webPebbleCheckFailed.emit(harness.charm.web, 'ready');
    expect(server.startCount('web')).toBe(starts + 1);
    expect(harness.charm.state.data.restarts).toBe(1);
    expect(harness.jujuLog).toContainEqual({
      level: 'WARNING',
      message: 'check ready failed: restarting the web service',
    });
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(
      new ActiveStatus('serving on port 8080 (check ready down)'),
    );
    server.setCheckStatus('ready', 'up');
    await harness.charm.on.webPebbleCheckRecovered.emit(harness.charm.web, 'ready');
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new ActiveStatus('serving on port 8080'));
  });
});
