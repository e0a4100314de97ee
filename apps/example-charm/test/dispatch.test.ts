// Depth 3: the packed charm's `dispatch` run as a real process by Juju's rules, with
// @opsjs/testing's fake hook tools on PATH and a fake Pebble server on a unix socket.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ActiveStatus, WaitingStatus } from '@opsjs/core';
import { EventFactories, PeerRelation, runDispatch, State } from '@opsjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths, TOKEN_SECRET_KEY } from '../src/example-charm.js';
import { type PackedCharm, packAndUnpack } from './helpers/packed.js';
import { downCheck, useTempDirs, webContainer } from './helpers/state.js';

const on = new EventFactories();
const tempDir = useTempDirs();
let packed: PackedCharm | undefined;

beforeAll(async () => {
  packed = await packAndUnpack();
});

afterAll(() => {
  packed?.remove();
});

/** The packed charm (packed in beforeAll). */
function charm(): PackedCharm {
  if (packed === undefined) throw new Error('the charm was not packed (see beforeAll)');
  return packed;
}

function dispatch(event: ReturnType<EventFactories['install']>, state: State) {
  return runDispatch({
    charmDir: charm().charmDir,
    event,
    state,
    charmClassName: 'ExampleCharm',
  });
}

describe('the packed example charm', () => {
  it('is a .charm with dispatch, metadata and one bundled file', () => {
    const names = charm().result.entries.map((e) => e.path);
    expect(names).toEqual(
      expect.arrayContaining([
        'dispatch',
        'metadata.yaml',
        'config.yaml',
        'actions.yaml',
        'manifest.yaml',
        'dist/charm.mjs',
      ]),
    );
    expect(charm().result.charmPath).toMatch(/example-charm_ubuntu-24\.04-amd64\.charm$/);
    expect(statSync(join(charm().charmDir, 'dispatch')).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(charm().charmDir, 'metadata.yaml'), 'utf8')).toMatch(
      /^name: example-charm$/m,
    );
  });

  it('deploys: install, leader-elected, config-changed (deferred), start, web-pebble-ready', async () => {
    const host = tempDir();
    const offline = webContainer(host, { canConnect: false });
    const peers = new PeerRelation({ endpoint: 'replicas' });
    let state = new State({ leader: true, relations: [peers], containers: [offline] });
    const install = await dispatch(on.install(), state);
    expect(install.jujuLog).toContainEqual({
      level: 'INFO',
      message: 'installed; the web server starts when Pebble in the web container is ready',
    });
    state = install.state;
    const elected = await dispatch(on.leaderElected(), state);
    const secretId = elected.state.getRelation(peers.id).localAppData[TOKEN_SECRET_KEY];
    expect(secretId).toMatch(/^secret:/);
    expect(elected.hookToolCalls.map((c) => c[0])).toContain('secret-add');
    const changed = await dispatch(on.configChanged(), elected.state);
    expect(changed.state.deferred.map((d) => d.name)).toEqual(['config_changed']);
    expect(changed.state.unitStatus).toEqual(new WaitingStatus('waiting for Pebble in web'));
    const started = await dispatch(on.start(), changed.state);
    expect(started.state.deferred).toHaveLength(1);
    const online = webContainer(host);
    const ready = await dispatch(
      on.pebbleReady(online),
      started.state.with({ containers: [online] }),
    );
    expect(ready.state.deferred).toEqual([]);
    expect(
      ready.jujuLog.filter((l) => l.message === 'web server configured on port 8080'),
    ).toHaveLength(2);
    expect(ready.state.unitStatus).toEqual(new ActiveStatus('serving on port 8080'));
    const web = ready.state.getContainer('web');
    expect(web.serviceStatuses).toEqual({ web: 'active' });
    expect(web.plan.checks?.alive?.level).toBe('alive');
    const token = ready.state.secrets.find((s) => s.id === secretId)?.trackedContent.token;
    expect(readFileSync(join(host, 'etc', 'stats-token'), 'utf8')).toBe(`${token}\n`);
  });

  it('runs get-stats through an exec in the container, and restarts on a failed check', async () => {
    const host = tempDir();
    const peers = new PeerRelation({ endpoint: 'replicas' });
    const container = webContainer(host, { configured: true, checks: [downCheck('ready')] });
    const state = new State({ leader: true, relations: [peers], containers: [container] });
    const stats = await dispatch(on.action('get-stats'), state);
    expect(stats.actionResults).toEqual({
      requests: '7',
      rejected: '1',
      'uptime-seconds': '42',
      restarts: '0',
    });
    expect(stats.execHistory.web?.[0]?.command).toEqual([
      'node',
      paths.server,
      '--config',
      paths.config,
      '--stats',
    ]);
    const failed = await dispatch(on.pebbleCheckFailed(container, downCheck('ready')), state);
    expect(failed.jujuLog).toContainEqual({
      level: 'WARNING',
      message: 'check ready failed: restarting the web service',
    });
    expect(failed.state.getStoredState('state', 'ExampleCharm').content).toEqual({ restarts: 1 });
  });
});
