import { describe, expect, it } from 'vitest';
import { APIError, ChangeError } from '../src/errors.js';
import { isRunning } from '../src/schemas.js';
import { setup } from './helpers/setup.js';

const LAYER = {
  services: {
    db: { override: 'replace' as const, command: '/bin/db', startup: 'enabled' as const },
    web: {
      override: 'replace' as const,
      command: '/bin/web',
      startup: 'enabled' as const,
      requires: ['db'],
      after: ['db'],
    },
    tool: { override: 'replace' as const, command: '/bin/tool' },
  },
};

describe('services', () => {
  it('autostarts enabled services in dependency order', async () => {
    const { client } = await setup();
    await client.addLayer('base', LAYER);
    const id = await client.autostartServices();
    const change = await client.getChange(id);
    expect(change.kind).toBe('autostart');
    expect(change.summary).toBe('Autostart service "db" and 1 more');
    expect(change.tasks.map((t) => t.summary)).toEqual([
      'Start service "db"',
      'Start service "web"',
    ]);
    const services = await client.getServices();
    expect(services.map((s) => [s.name, s.startup, s.current])).toEqual([
      ['db', 'enabled', 'active'],
      ['tool', 'disabled', 'inactive'],
      ['web', 'enabled', 'active'],
    ]);
    expect(services.filter(isRunning).map((s) => s.name)).toEqual(['db', 'web']);
    expect(services[0]?.currentSince).toBeInstanceOf(Date);
    expect((await client.getServices(['web', 'nope'])).map((s) => s.name)).toEqual(['web']);
  });

  it('refuses autostart with no enabled services (no-default-services)', async () => {
    const { client } = await setup();
    await client.addLayer('base', { services: { a: { override: 'replace', command: 'a' } } });
    const error = await client.autostartServices().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({
      status: 400,
      kind: 'no-default-services',
      apiMessage: 'no default services',
    });
  });

  it('starts requirements, stops dependents, restarts', async () => {
    const { server, client } = await setup();
    await client.addLayer('base', LAYER);
    const started = await client.getChange(await client.startServices(['web']));
    // As Pebble: the summary names the service asked for and counts those resolved.
    expect(started.summary).toBe('Start service "web" and 1 more');
    expect((await client.getServices()).filter(isRunning).map((s) => s.name)).toEqual([
      'db',
      'web',
    ]);
    const stopped = await client.getChange(await client.stopServices(['db']));
    expect(stopped.summary).toBe('Stop service "db" and 1 more');
    expect(stopped.tasks.map((t) => t.summary)).toEqual([
      'Stop service "web"',
      'Stop service "db"',
    ]);
    expect((await client.getServices()).filter(isRunning)).toEqual([]);
    await client.startServices(['web']);
    const before = server.startCount('web');
    const id = await client.restartServices(['web']);
    expect((await client.getChange(id)).tasks.map((t) => t.summary)).toEqual([
      'Stop service "web"',
      'Start service "db"',
      'Start service "web"',
    ]);
    expect(server.startCount('web')).toBe(before + 1);
  });

  it('replans: restarts changed services and starts enabled ones', async () => {
    const { server, client } = await setup();
    await client.addLayer('base', LAYER);
    await client.replanServices();
    expect((await client.getServices()).filter(isRunning).map((s) => s.name)).toEqual([
      'db',
      'web',
    ]);
    const starts = server.startCount('db');
    const noop = await client.getChange(await client.replanServices());
    expect(noop.tasks[0]?.log.join('\n')).toContain('Service "db" already started.');
    expect(server.startCount('db')).toBe(starts);
    await client.addLayer('more', {
      services: { db: { override: 'merge', environment: { MODE: 'prod' } } },
    });
    const id = await client.replanServices();
    const change = await client.getChange(id);
    expect(change.tasks.map((t) => t.summary)).toEqual([
      'Stop service "web"',
      'Stop service "db"',
      'Start service "db"',
      'Start service "web"',
    ]);
    expect(server.startCount('db')).toBe(starts + 1);
  });

  it('creates a task-less "Replan - no services" change when nothing is enabled', async () => {
    const { client } = await setup();
    await client.addLayer('base', { services: { a: { override: 'replace', command: 'a' } } });
    const change = await client.getChange(await client.replanServices());
    expect(change).toMatchObject({ summary: 'Replan - no services', status: 'Done', tasks: [] });
  });

  it('returns the change ID at once with timeoutMs 0', async () => {
    const { server, client } = await setup();
    await client.addLayer('base', LAYER);
    server.setServiceStartupBehaviour('tool', { kind: 'hang' });
    const id = await client.startServices(['tool'], { timeoutMs: 0 });
    expect((await client.getChange(id)).ready).toBe(false);
    server.releaseService('tool');
    expect((await client.waitChange(id)).status).toBe('Done');
  });

  it('rejects a bare string instead of a list of names', async () => {
    const { client } = await setup();
    await expect(client.startServices('web' as unknown as string[])).rejects.toThrow(
      'startServices: services must be an array of names, not string',
    );
    // As ops: the same TypeError for signals and checks, before any request is sent.
    await expect(client.sendSignal('SIGHUP', 'web' as unknown as string[])).rejects.toThrow(
      TypeError,
    );
    await expect(client.startChecks('up' as unknown as string[])).rejects.toThrow(
      'startChecks: checks must be an array of names, not string',
    );
    await expect(client.stopChecks([1] as unknown as string[])).rejects.toThrow(
      'stopChecks: checks names must be strings',
    );
  });

  it('reports unknown services and empty lists as APIError', async () => {
    const { client } = await setup();
    await client.addLayer('base', LAYER);
    await expect(client.startServices(['nope'])).rejects.toMatchObject({
      status: 400,
      apiMessage: 'cannot start services: service "nope" does not exist',
    });
    await expect(client.stopServices([])).rejects.toMatchObject({
      apiMessage: 'must specify services for stop action',
    });
  });

  it('reports a service that cannot start as ChangeError', async () => {
    const { server, client } = await setup();
    await client.addLayer('base', LAYER);
    server.setServiceStartupBehaviour('tool', {
      kind: 'fail',
      message: 'exec: "/bin/tool": not found',
    });
    const error = await client.startServices(['tool']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangeError);
    expect((error as ChangeError).err).toContain(
      'cannot start service: exec: "/bin/tool": not found',
    );
  });

  it('applies on-failure when a running service exits', async () => {
    const { server, client } = await setup();
    await client.addLayer('base', {
      services: {
        a: { override: 'replace', command: 'a', onFailure: 'ignore' },
        b: { override: 'replace', command: 'b' },
      },
    });
    await client.startServices(['a', 'b']);
    expect(server.exitService('a', 2)).toBe('ignore');
    expect(server.exitService('b', 1)).toBe('restart');
    const states = Object.fromEntries((await client.getServices()).map((s) => [s.name, s.current]));
    expect(states).toEqual({ a: 'error', b: 'active' });
  });

  it('sends signals to running services by name or number', async () => {
    const { client } = await setup();
    await client.addLayer('base', LAYER);
    await client.startServices(['db']);
    await client.sendSignal('SIGHUP', ['db']);
    await client.sendSignal(1, ['db']);
    await expect(client.sendSignal('SIGHUP', ['tool'])).rejects.toMatchObject({
      status: 500,
      apiMessage: 'cannot send signal to "tool": service is not running',
    });
    await expect(client.sendSignal('SIGFOO', ['db'])).rejects.toMatchObject({
      apiMessage: 'cannot send signal to "db": invalid signal name "SIGFOO"',
    });
    await expect(client.sendSignal(999, ['db'])).rejects.toThrow('unknown signal number 999');
  });
});
