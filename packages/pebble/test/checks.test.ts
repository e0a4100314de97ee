import { describe, expect, it } from 'vitest';
import { setup } from './helpers/setup.js';

const CHECKS = {
  checks: {
    up: {
      override: 'replace' as const,
      level: 'alive' as const,
      http: { url: 'http://localhost:8080/' },
    },
    db: {
      override: 'replace' as const,
      level: 'ready' as const,
      tcp: { port: 5432 },
      threshold: 2,
    },
    manual: {
      override: 'replace' as const,
      startup: 'disabled' as const,
      exec: { command: 'true' },
    },
  },
};

describe('checks', () => {
  it('lists checks with typed info, filtered by level and names', async () => {
    const { client } = await setup();
    await client.addLayer('c', CHECKS);
    const checks = await client.getChecks();
    expect(checks.map((c) => [c.name, c.level, c.startup, c.status, c.threshold])).toEqual([
      ['db', 'ready', 'enabled', 'up', 2],
      ['manual', undefined, 'disabled', 'inactive', 3],
      ['up', 'alive', 'enabled', 'up', 3],
    ]);
    expect(checks[0]?.changeId).toMatch(/^\d+$/u);
    expect((await client.getChecks('alive')).map((c) => c.name)).toEqual(['up']);
    expect((await client.getChecks(undefined, ['db', 'manual'])).map((c) => c.name)).toEqual([
      'db',
      'manual',
    ]);
    const change = await client.getChange(checks[0]?.changeId ?? '');
    expect(change).toMatchObject({
      kind: 'perform-check',
      summary: 'Perform TCP check "db"',
      status: 'Doing',
    });
  });

  it('starts and stops checks, returning what changed', async () => {
    const { client } = await setup();
    await client.addLayer('c', CHECKS);
    expect(await client.startChecks(['manual', 'up'])).toEqual(['manual']);
    expect(await client.stopChecks(['up', 'db'])).toEqual(['db', 'up']);
    expect(await client.stopChecks(['up'])).toEqual([]);
    expect((await client.getChecks(undefined, ['up']))[0]?.status).toBe('inactive');
    await expect(client.startChecks(['nope'])).rejects.toMatchObject({
      status: 400,
      apiMessage: 'cannot start checks: cannot find checks in plan: nope',
    });
  });

  it('follows a check going down and recovering', async () => {
    const { server, client } = await setup();
    await client.addLayer('c', CHECKS);
    const before = (await client.getChecks(undefined, ['db']))[0];
    server.setCheckStatus('db', 'down', {
      error: 'dial tcp 127.0.0.1:5432: connect: connection refused',
    });
    const down = (await client.getChecks(undefined, ['db']))[0];
    expect(down).toMatchObject({ status: 'down', failures: 2, prevChangeId: before?.changeId });
    const failed = await client.getChange(before?.changeId ?? '');
    expect(failed.status).toBe('Error');
    expect(failed.err).toContain(
      '- Perform TCP check "db" (dial tcp 127.0.0.1:5432: connect: connection refused)',
    );
    expect((await client.getChange(down?.changeId ?? '')).kind).toBe('recover-check');
    const refreshed = await client.refreshCheck('db');
    expect(refreshed.error).toBe('dial tcp 127.0.0.1:5432: connect: connection refused');
    expect(refreshed.info.failures).toBe(3);
    server.setCheckStatus('db', 'up');
    expect((await client.getChecks(undefined, ['db']))[0]).toMatchObject({
      status: 'up',
      successes: 1,
      failures: 0,
    });
    expect((await client.refreshCheck('db')).error).toBeUndefined();
    await expect(client.refreshCheck('nope')).rejects.toMatchObject({
      status: 404,
      apiMessage: 'cannot find check with name "nope"',
    });
  });
});
