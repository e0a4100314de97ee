// `npm run demo` (scripts/demo.ts → demo/life.ts): the whole life of the packed charm.
import { ActiveStatus } from '@opsjs/core';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../demo/life.js';

describe('the demo', () => {
  it('packs the charm and drives its dispatch from deploy to teardown', async () => {
    const lines: string[] = [];
    const result = await runDemo((line) => lines.push(line));
    expect(result.dispatches.map((d) => d.event)).toEqual([
      'install',
      'replicas_relation_created',
      'leader_elected',
      'config_changed',
      'start',
      'web_pebble_ready',
      'replicas_relation_changed',
      'config_changed',
      'website_relation_created',
      'website_relation_joined',
      'ingress_relation_joined',
      'ingress_relation_changed',
      'database_relation_joined',
      'database_relation_changed',
      'get_stats_action',
      'web_pebble_check_failed',
      'web_pebble_check_recovered',
      'restart_action',
      'website_relation_departed',
      'website_relation_broken',
      'stop',
      'remove',
    ]);
    expect(result.dispatches.every((d) => d.output.exitCode === 0)).toBe(true);
    const text = lines.join('\n');
    // The deferred config-changed is re-emitted when Pebble is ready.
    expect(text).toMatch(/Deferring <ConfigChangedEvent/);
    expect(text).toMatch(/Re-emitting deferred event <ConfigChangedEvent/);
    // A second, non-leader unit reads the token the leader shared through the peer relation.
    expect(text).toContain('same stats token as unit 0: true');
    // The local workload serves the new greeting after the config change.
    expect(result.greeting).toBe('Hello from the demo');
    // The proxy reads the published host and port.
    expect(text).toContain(
      'reads the app bag: {"hostname":"example-charm.demo.svc.cluster.local","port":"8081"}',
    );
    // The interface libraries: traefik's URL, and the credentials from postgresql-k8s's secret.
    expect(text).toContain('handlers  onIngressReady → onCollectUnitStatus');
    expect(text).toContain('"username":"relation-4","password":"<redacted>"');
    expect(text).not.toContain('not-printed-anywhere');
    // get-stats results come from the running workload's counters.
    const stats = result.dispatches.find((d) => d.event === 'get_stats_action')?.output;
    expect(Number(stats?.actionResults?.requests)).toBeGreaterThanOrEqual(4);
    expect(text).toContain('check ready failed: restarting the web service');
    expect(result.finalState.unitStatus).toEqual(
      new ActiveStatus('serving on port 8081, http://traefik.demo/demo-example-charm'),
    );
    expect(result.finalState.getStoredState('state', 'ExampleCharm').content).toEqual({
      restarts: 2,
    });
    expect(text).toMatch(/Pebble plan of web\n {3}services:\n {5}web:/);
    // No secret value is printed.
    const token = result.finalState.secrets.find((s) => s.owner === 'app')?.trackedContent.token;
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(text).not.toContain(token);
  }, 240_000);
});
