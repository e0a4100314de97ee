import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PebbleError } from '../src/errors.js';
import type { Layer } from '../src/layer.js';
import { onCleanup, settle, setup } from './helpers/setup.js';

const BASE: Layer = {
  summary: 'base',
  services: {
    web: {
      override: 'replace',
      command: 'web --port 80',
      startup: 'enabled',
      environment: { A: '1' },
      after: ['db'],
    },
    db: { override: 'replace', command: 'db' },
  },
  checks: { ready: { override: 'replace', level: 'ready', tcp: { port: 80 }, threshold: 2 } },
};
const OVERLAY: Layer = {
  services: {
    web: { override: 'merge', environment: { B: '2' }, after: ['cache'] },
    cache: { override: 'replace', command: 'cache', startup: 'enabled' },
  },
};

describe('FakePebbleServer test-side controls', () => {
  it('adds layers synchronously with the same merge rules as the API', async () => {
    const viaApi = await setup();
    await viaApi.client.addLayer('base', BASE);
    await viaApi.client.addLayer('base', OVERLAY, { combine: true });
    await viaApi.client.addLayer('extra', 'services:\n  db:\n    override: merge\n    user: app\n');
    const { server, client } = await setup();
    server.addLayer('base', BASE);
    server.addLayer('base', OVERLAY, { combine: true });
    server.addLayer('extra', 'services:\n  db:\n    override: merge\n    user: app\n');
    expect(server.plan).toEqual(viaApi.server.plan);
    expect(server.layers).toEqual(viaApi.server.layers);
    expect(await client.getPlan()).toEqual(await viaApi.client.getPlan());
    expect(server.plan.services?.web?.environment).toEqual({ A: '1', B: '2' });
    expect(server.plan.services?.web?.after).toEqual(['db', 'cache']);
    // Checks in the plan start as they would after the API call.
    expect(server.checks.ready).toMatchObject({ status: 'up', threshold: 2, level: 'ready' });
    expect(() => server.addLayer('base', OVERLAY)).toThrow(
      'fake pebble: cannot add layer "base": layer "base" already exists',
    );
    expect(() =>
      server.addLayer('bad', { services: { x: { override: 'merge', requires: ['nope'] } } }),
    ).toThrow('fake pebble: cannot add layer "bad": plan must define "command" for service "x"');
    expect(server.layers.map((l) => l.label)).toEqual(['base', 'extra']);
  });

  it('seeds service statuses without changes and reports them', async () => {
    const { server, client } = await setup();
    server.addLayer('base', BASE);
    expect(server.services).toEqual({
      db: { startup: 'disabled', current: 'inactive', since: undefined, starts: 0 },
      web: { startup: 'enabled', current: 'inactive', since: undefined, starts: 0 },
    });
    server.setServiceStatus('web', 'active');
    server.setServiceStatus('db', 'error');
    expect(server.services.web).toMatchObject({ current: 'active', starts: 0 });
    expect(server.services.web?.since).toBeInstanceOf(Date);
    expect((await client.getServices()).map((s) => [s.name, s.current])).toEqual([
      ['db', 'error'],
      ['web', 'active'],
    ]);
    expect(await client.getChanges({ select: 'all' })).toEqual([
      expect.objectContaining({ kind: 'perform-check' }),
    ]);
    // The seeded active service counts as running its current configuration: replan leaves it.
    await client.replanServices();
    expect(server.startCount('web')).toBe(0);
    expect(() => server.setServiceStatus('nope', 'active')).toThrow(
      'fake pebble: no service "nope" in the plan',
    );
    expect(() => server.setServiceStatus('web', 'running' as 'active')).toThrow(
      'fake pebble: invalid service status "running"',
    );
  });

  it('reports and seeds check states', async () => {
    const { server, client } = await setup();
    server.addLayer('base', BASE);
    server.addLayer('more', {
      checks: { manual: { override: 'replace', startup: 'disabled', exec: { command: 'true' } } },
    });
    expect(server.checks).toEqual({
      manual: {
        status: 'inactive',
        successes: 0,
        failures: 0,
        threshold: 3,
        level: undefined,
        startup: 'disabled',
        changeId: undefined,
        error: undefined,
      },
      ready: expect.objectContaining({ status: 'up', level: 'ready', startup: 'enabled' }),
    });
    server.setCheckStatus('ready', 'down', { error: 'refused', failures: 5 });
    expect(server.checks.ready).toMatchObject({ status: 'down', failures: 5, error: 'refused' });
    expect((await client.getChecks()).find((c) => c.name === 'ready')).toMatchObject({
      status: 'down',
      failures: 5,
    });
    server.setCheckStatus('ready', 'up', { successes: 7 });
    expect(server.checks.ready).toMatchObject({ status: 'up', successes: 7, failures: 0 });
    server.setCheckStatus('ready', 'inactive');
    expect(server.checks.ready).toMatchObject({ status: 'inactive', changeId: undefined });
    expect(await client.getHealth()).toBe(true);
    server.setCheckStatus('manual', 'up', { successes: 1, failures: 1 });
    expect(server.checks.manual).toMatchObject({ status: 'up', successes: 1, failures: 1 });
  });
});

describe('FakePebbleServer.reset', () => {
  it('returns to the just-started state and keeps serving the same client', async () => {
    const { server, client } = await setup();
    const bootId = (await client.getSystemInfo()).bootId;
    server.addLayer('base', BASE);
    await client.startServices(['web']);
    server.setServiceStartupBehaviour('db', { kind: 'fail', message: 'boom' });
    server.handleExec('echo', ({ stdout }) => {
      stdout.write('hi');
      return 0;
    });
    await client.notify('example.com/a');
    await client.push('/etc/conf/app.yaml', 'x: 1', { makeDirs: true, permissions: 0o600 });
    await client.replaceIdentities({ bob: { access: 'read', local: { userId: 42 } } });
    server.addLog('web', 'started');
    server.intercept('GET', '/v1/system-info', (_req, res) => {
      res.writeHead(500).end();
    });
    expect(server.fileRecord('/etc/conf/app.yaml')).toBeDefined();

    await server.reset();

    expect(server.plan).toEqual({});
    expect(server.layers).toEqual([]);
    expect(server.services).toEqual({});
    expect(server.checks).toEqual({});
    expect(server.notices).toEqual([]);
    expect(server.identities).toEqual({});
    expect(server.fileRecord('/etc/conf/app.yaml')).toBeUndefined();
    expect(await readdir(server.root)).toEqual([]);
    const info = await client.getSystemInfo();
    expect(info.bootId).not.toBe(bootId);
    expect(await client.getChanges({ select: 'all' })).toEqual([]);
    expect(await client.getLogs({ services: ['web'] })).toEqual([]);
    await expect(client.exec(['echo'])).rejects.toThrow('cannot find executable "echo"');
    // IDs start again, and startup behaviours are gone.
    server.addLayer('base', BASE);
    expect(await client.startServices(['db'])).toBe('2');
    expect(server.services.db?.current).toBe('active');
    // Notice IDs start again too (1 and 2 are the two changes' change-update notices).
    expect(await client.notify('example.com/b')).toBe('3');
    expect(server.notices.map((n) => [n.id, n.type])).toEqual([
      ['1', 'change-update'],
      ['2', 'change-update'],
      ['3', 'custom'],
    ]);
  });

  it('cuts requests in flight, releases hanging starts and listens again', async () => {
    const { server, client } = await setup();
    server.addLayer('base', BASE);
    server.setServiceStartupBehaviour('db', { kind: 'hang' });
    const id = await client.startServices(['db'], { timeoutMs: 0 });
    const waiting = client.waitChange(id).catch((e: unknown) => e);
    const polling = client
      .getNotices({ types: ['custom'], timeoutMs: 30_000 })
      .catch((e: unknown) => e);
    server.handleExec(
      'sleep',
      ({ signal }) =>
        new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(0))),
    );
    const sleeping = await client.exec(['sleep']);
    const exited = sleeping.wait().catch((e: unknown) => e);
    await server.setAvailable(false);
    await server.reset();
    expect(await waiting).toBeInstanceOf(PebbleError);
    expect(await polling).toBeInstanceOf(PebbleError);
    expect(await exited).toBeInstanceOf(PebbleError);
    // The released start belonged to the old state: it must not mark "db" in the new one.
    server.addLayer('base', BASE);
    expect(server.services.db?.current).toBe('inactive');
    expect(await client.getChanges({ select: 'all' })).toEqual([
      expect.objectContaining({ id: '1', kind: 'perform-check' }),
    ]);
    // The old changes finishing late must not leave notices in the new state.
    await settle();
    expect(server.notices.map((n) => [n.type, n.key])).toEqual([['change-update', '1']]);
  });

  it('empties a given root without following links, or keeps files on request', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'fake-pebble-outside-'));
    onCleanup(() => rm(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, 'keep.txt'), 'mine');
    const root = await mkdtemp(join(tmpdir(), 'fake-pebble-given-root-'));
    onCleanup(() => rm(root, { recursive: true, force: true }));
    const { server, client } = await setup({ root });
    mkdirSync(join(root, 'mnt'));
    symlinkSync(outside, join(root, 'mnt', 'data'));
    await client.push('/a.txt', 'a');
    await server.reset({ keepFiles: true });
    expect(await client.pull('/a.txt')).toBe('a');
    await server.reset();
    expect(await readdir(root)).toEqual([]);
    expect(existsSync(join(outside, 'keep.txt'))).toBe(true);
    await server.close();
    await expect(server.reset()).rejects.toThrow('fake pebble: cannot reset a closed server');
  });
});
