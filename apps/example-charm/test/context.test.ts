// Depth 2: one event against an immutable input state (Context/State), through the real
// Pebble client talking to a fake Pebble server on a unix socket.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActiveStatus, BlockedStatus, WaitingStatus } from '@opsjs/core';
import {
  ActionFailed,
  Context,
  ModelInfo,
  PeerRelation,
  Relation,
  Secret,
  State,
  StoredState,
} from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ExampleCharm, paths, TOKEN_SECRET_KEY } from '../src/example-charm.js';
import { workloadServerSource } from '../src/workload-source.js';
import { charmRoot, downCheck, sharedToken, useTempDirs, webContainer } from './helpers/state.js';

const tempDir = useTempDirs();

describe('ExampleCharm (Context/State)', () => {
  const ctx = new Context(ExampleCharm, { charmRoot });
  afterEach(() => {
    ctx.close();
  });

  it('waits for Pebble after install', async () => {
    const out = await ctx.run(
      ctx.on.install(),
      new State({ containers: [webContainer(tempDir(), { canConnect: false })] }),
    );
    expect(out.unitStatus).toEqual(new WaitingStatus('waiting for Pebble in web'));
  });

  it('defers config-changed while the container is not reachable', async () => {
    const out = await ctx.run(
      ctx.on.configChanged(),
      new State({ containers: [webContainer(tempDir(), { canConnect: false })] }),
    );
    expect(out.deferred.map((d) => d.name)).toEqual(['config_changed']);
    expect(out.unitStatus).toEqual(new WaitingStatus('waiting for Pebble in web'));
  });

  it('as leader on pebble-ready: shares a token, pushes the files and runs the layer', async () => {
    const host = tempDir();
    const peers = new PeerRelation({ endpoint: 'replicas' });
    const container = webContainer(host);
    const out = await ctx.run(
      ctx.on.pebbleReady(container),
      new State({
        leader: true,
        config: { port: 9000, greeting: 'hi there', 'rate-limit': 2.5, debug: true },
        relations: [peers],
        containers: [container],
      }),
    );
    const secretId = out.getRelation(peers.id).localAppData[TOKEN_SECRET_KEY];
    expect(secretId).toMatch(/^secret:/);
    const secret = out.secrets.find((s) => s.id === secretId);
    expect(secret?.owner).toBe('app');
    const token = secret?.trackedContent.token;
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(JSON.parse(readFileSync(join(host, 'etc', 'config.json'), 'utf8'))).toEqual({
      port: 9000,
      greeting: 'hi there',
      rateLimit: 2.5,
      debug: true,
      tokenFile: paths.token,
    });
    expect(readFileSync(join(host, 'etc', 'stats-token'), 'utf8')).toBe(`${token}\n`);
    expect(readFileSync(join(host, 'srv', 'server.mjs'), 'utf8')).toBe(workloadServerSource);
    const web = out.getContainer('web');
    expect(web.plan.services?.web?.command).toBe(`node ${paths.server} --config ${paths.config}`);
    expect(web.plan.checks?.alive?.http?.url).toBe('http://localhost:9000/alive');
    expect(web.plan.checks?.ready?.http?.url).toBe('http://localhost:9000/ready');
    expect(web.serviceStatuses).toEqual({ web: 'active' });
    expect(out.unitStatus).toEqual(new ActiveStatus('serving on port 9000'));
  });

  it('re-emits a deferred config-changed when Pebble becomes ready', async () => {
    const host = tempDir();
    const { secret, peers } = sharedToken();
    const container = webContainer(host);
    const { state: out, jujuLog } = await ctx.runWithOutput(
      ctx.on.pebbleReady(container),
      new State({
        relations: [peers],
        secrets: [secret],
        containers: [container],
        deferred: [ctx.on.configChanged().deferred('onConfigChanged', { owner: 'ExampleCharm' })],
      }),
    );
    expect(out.deferred).toEqual([]);
    // Configured twice: by the re-emitted config-changed, then by pebble-ready.
    expect(jujuLog.map((l) => l.message)).toEqual([
      'Re-emitting deferred event <ConfigChangedEvent via ExampleCharm/on/config_changed[1]> (1 of 1 in queue).',
      'web server configured on port 8080',
      'Emitting Juju event web_pebble_ready.',
      'web server configured on port 8080',
    ]);
    expect(readFileSync(join(host, 'etc', 'stats-token'), 'utf8')).toBe('shared-token\n');
    expect(out.unitStatus).toEqual(new ActiveStatus('serving on port 8080'));
  });

  it('a non-leader waits until the leader shares the token', async () => {
    const out = await ctx.run(
      ctx.on.configChanged(),
      new State({
        relations: [new PeerRelation({ endpoint: 'replicas' })],
        containers: [webContainer(tempDir())],
      }),
    );
    expect(out.secrets).toEqual([]);
    expect(out.unitStatus).toEqual(
      new WaitingStatus('waiting for the leader to share the stats token'),
    );
  });

  it('uses the api-token config secret instead of the shared token', async () => {
    const host = tempDir();
    const apiToken = new Secret({ trackedContent: { token: 'from-the-operator' } });
    const out = await ctx.run(
      ctx.on.configChanged(),
      new State({
        config: { 'api-token': apiToken.id },
        secrets: [apiToken],
        containers: [webContainer(host)],
      }),
    );
    expect(readFileSync(join(host, 'etc', 'stats-token'), 'utf8')).toBe('from-the-operator\n');
    expect(out.unitStatus).toEqual(new ActiveStatus('serving on port 8080'));
  });

  it('is blocked when the api-token secret cannot be read or has no token key', async () => {
    const host = tempDir();
    const noToken = new Secret({ trackedContent: { password: 'x' } });
    const missing = await ctx.runWithOutput(
      ctx.on.configChanged(),
      new State({
        config: { 'api-token': 'secret:d0000000000000000000' },
        containers: [webContainer(host)],
      }),
    );
    expect(missing.state.unitStatus).toEqual(
      new BlockedStatus(
        'api-token: cannot read secret secret:d0000000000000000000; grant it to the app',
      ),
    );
    expect(missing.state.getContainer('web').layers).toEqual({});
    const keyless = await ctx.run(
      ctx.on.configChanged(),
      new State({
        config: { 'api-token': noToken.id },
        secrets: [noToken],
        containers: [webContainer(host)],
      }),
    );
    expect(keyless.unitStatus).toEqual(
      new BlockedStatus(`api-token: secret ${noToken.id} has no 'token' key`),
    );
  });

  it.each([
    [{ port: 80 }, 'invalid port 80: use 1024-65535'],
    [{ 'rate-limit': 0 }, 'invalid rate-limit 0: must be positive'],
    [{ greeting: 'two\nlines' }, 'invalid greeting: must be one line'],
  ])('is blocked on bad config %o', async (config, message) => {
    const { secret, peers } = sharedToken();
    const out = await ctx.run(
      ctx.on.configChanged(),
      new State({
        config,
        relations: [peers],
        secrets: [secret],
        containers: [webContainer(tempDir())],
      }),
    );
    expect(out.unitStatus).toEqual(new BlockedStatus(message));
    expect(out.getContainer('web').layers).toEqual({});
  });

  it('publishes host and port on a website relation as leader only', async () => {
    const website = new Relation({ endpoint: 'website', remoteAppName: 'proxy' });
    const state = new State({
      leader: true,
      config: { port: 8123 },
      model: new ModelInfo({ name: 'test-model' }),
      relations: [website],
      containers: [webContainer(tempDir())],
    });
    const out = await ctx.run(ctx.on.relationJoined(website, { remoteUnit: 0 }), state);
    expect(out.getRelation(website.id).localAppData).toEqual({
      hostname: 'example-charm.test-model.svc.cluster.local',
      port: '8123',
    });
    const follower = await ctx.run(
      ctx.on.relationJoined(website, { remoteUnit: 0 }),
      state.with({ leader: false }),
    );
    expect(follower.getRelation(website.id).localAppData).toEqual({});
  });

  it('restart: restarts the service and counts it in stored state', async () => {
    const { secret, peers } = sharedToken();
    const state = new State({
      relations: [peers],
      secrets: [secret],
      containers: [webContainer(tempDir(), { configured: true })],
      storedStates: [
        new StoredState({ ownerPath: 'ExampleCharm', name: 'state', content: { restarts: 4 } }),
      ],
    });
    const out = await ctx.runWithOutput(
      ctx.on.action('restart', { reason: 'new certificate' }),
      state,
    );
    expect(out.actionLogs).toEqual(['restarting the web server: new certificate']);
    expect(out.actionResults).toEqual({ restarts: '5' });
    expect(out.state.getStoredState('state', 'ExampleCharm').content).toEqual({ restarts: 5 });
  });

  it('restart and get-stats fail while Pebble is not reachable or nothing is configured', async () => {
    const offline = new State({ containers: [webContainer(tempDir(), { canConnect: false })] });
    for (const action of [ctx.on.action('get-stats'), ctx.on.action('restart', { reason: 'x' })]) {
      const run = ctx.run(action, offline);
      await expect(run).rejects.toThrow(ActionFailed);
      await expect(run).rejects.toThrow('Pebble in the web container is not reachable');
    }
    const empty = new State({ containers: [webContainer(tempDir())] });
    await expect(ctx.run(ctx.on.action('restart', { reason: 'x' }), empty)).rejects.toThrow(
      'the web service is not configured yet',
    );
  });

  it('get-stats: returns the counters from an exec in the container', async () => {
    const { secret, peers } = sharedToken();
    const state = new State({
      relations: [peers],
      secrets: [secret],
      containers: [webContainer(tempDir())],
    });
    const out = await ctx.runWithOutput(ctx.on.action('get-stats'), state);
    expect(out.actionResults).toEqual({
      requests: '7',
      rejected: '1',
      'uptime-seconds': '42',
      restarts: '0',
    });
    expect(out.execHistory.web?.map((e) => e.command)).toEqual([
      ['node', paths.server, '--config', paths.config, '--stats'],
    ]);
    const bad = ctx.run(
      ctx.on.action('get-stats'),
      state.with({ containers: [webContainer(tempDir(), { statsOutput: 'oops' })] }),
    );
    await expect(bad).rejects.toThrow(/the server answered something that is not its stats/);
  });

  it('leaves a failed alive check to Pebble (on-check-failure restarts the service)', async () => {
    const { secret, peers } = sharedToken();
    const container = webContainer(tempDir(), { checks: [downCheck('alive')], configured: true });
    const state = new State({ relations: [peers], secrets: [secret], containers: [container] });
    const out = await ctx.runWithOutput(
      ctx.on.pebbleCheckFailed(container, downCheck('alive')),
      state,
    );
    expect(out.jujuLog).toContainEqual({
      level: 'WARNING',
      message: 'check alive failed: Pebble restarts the web service',
    });
    // The charm restarted nothing: its counter was never written.
    const stored = out.state.storedStates.find((st) => st.ownerPath === 'ExampleCharm');
    expect(stored?.content ?? { restarts: 0 }).toEqual({ restarts: 0 });
    expect(out.state.unitStatus).toEqual(
      new ActiveStatus('serving on port 8080 (check alive down)'),
    );
  });

  it('on a failed check: restarts the service; on recovery: logs', async () => {
    const { secret, peers } = sharedToken();
    const container = webContainer(tempDir(), { checks: [downCheck('ready')], configured: true });
    const state = new State({ relations: [peers], secrets: [secret], containers: [container] });
    const failed = await ctx.runWithOutput(
      ctx.on.pebbleCheckFailed(container, downCheck('ready')),
      state,
    );
    expect(failed.jujuLog).toContainEqual({
      level: 'WARNING',
      message: 'check ready failed: restarting the web service',
    });
    expect(failed.state.getStoredState('state', 'ExampleCharm').content).toEqual({ restarts: 1 });
    const recovered = await ctx.runWithOutput(
      ctx.on.pebbleCheckRecovered(
        failed.state.getContainer('web'),
        failed.state.getContainer('web').getCheckInfo('ready'),
      ),
      failed.state,
    );
    expect(recovered.jujuLog).toContainEqual({ level: 'INFO', message: 'check ready recovered' });
  });
});
