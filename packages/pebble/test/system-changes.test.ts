import { describe, expect, it } from 'vitest';
import { APIError, ChangeError, ConnectionError, TimeoutError } from '../src/errors.js';
import { PebbleClient } from '../src/pebble-client.js';
import { setup } from './helpers/setup.js';

describe('system', () => {
  it('gets the system info (version, boot id)', async () => {
    const { client } = await setup({ version: 'v1.99.0' });
    const info = await client.getSystemInfo();
    expect(info.version).toBe('v1.99.0');
    expect(info.bootId).toMatch(/^[0-9a-f-]{36}$/u);
  });

  it('reports a missing socket as ConnectionError naming the path', async () => {
    const client = new PebbleClient({ socketPath: '/nonexistent/dir/pebble.socket' });
    const error = await client.getSystemInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toContain(
      "socket not found at '/nonexistent/dir/pebble.socket' (container restarted?)",
    );
    expect((error as ConnectionError).socketPath).toBe('/nonexistent/dir/pebble.socket');
    await client.close();
  });

  it('reports an unavailable server as ConnectionError, then recovers', async () => {
    const { server, client } = await setup();
    await server.setAvailable(false);
    await expect(client.getSystemInfo()).rejects.toBeInstanceOf(ConnectionError);
    await server.setAvailable(true);
    await expect(client.getSystemInfo()).resolves.toMatchObject({ version: 'v1.32.1' });
  });

  it('maps error envelopes to APIError with status, kind and message', async () => {
    const { client } = await setup();
    const error = await client.getChange('99').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    const api = error as APIError;
    expect(api.status).toBe(404);
    expect(api.statusText).toBe('Not Found');
    expect(api.apiMessage).toBe('cannot find change with id "99"');
    expect(api.message).toBe('GET /v1/changes/99: 404 Not Found: cannot find change with id "99"');
    expect(api.kind).toBeUndefined();
  });

  it('keeps warnings for old Pebble and gets a 404 APIError from a current one', async () => {
    const { client } = await setup();
    const error = await client.getWarnings().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(404);
    expect((error as APIError).apiMessage).toBe('invalid API endpoint requested');
    await expect(client.ackWarnings(new Date())).rejects.toMatchObject({ status: 404 });
  });

  it('reads and acknowledges warnings on a legacy Pebble', async () => {
    const { server, client } = await setup({ legacyWarnings: true });
    server.addWarning('disk almost full');
    const warnings = await client.getWarnings();
    expect(warnings.map((w) => w.message)).toEqual(['disk almost full']);
    expect(warnings[0]?.firstAdded).toBeInstanceOf(Date);
    expect(await client.getWarnings()).toEqual([]);
    expect(await client.getWarnings('all')).toHaveLength(1);
    expect(await client.ackWarnings(new Date(Date.now() + 1000))).toBe(1);
    expect(await client.getWarnings('all')).toEqual([]);
  });

  it('answers health: 200 when no check is down, 502 (not an error) when one is', async () => {
    const { server, client } = await setup();
    expect(await client.getHealth()).toBe(true);
    await client.addLayer('checks', {
      checks: {
        up: { override: 'replace', level: 'alive', http: { url: 'http://localhost/' } },
        ready: { override: 'replace', level: 'ready', tcp: { port: 80 } },
      },
    });
    server.setCheckStatus('ready', 'down');
    expect(await client.getHealth()).toBe(false);
    expect(await client.getHealth({ level: 'alive' })).toBe(true);
    expect(await client.getHealth({ level: 'ready' })).toBe(false);
    expect(await client.getHealth({ names: ['up'] })).toBe(true);
    await expect(client.getHealth({ level: 'bogus' as 'alive' })).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('changes', () => {
  it('lists changes by selection and service, ordered by ID', async () => {
    const { client } = await setup();
    await client.addLayer('l', {
      services: {
        a: { override: 'replace', command: 'a' },
        b: { override: 'replace', command: 'b' },
      },
    });
    const first = await client.startServices(['a']);
    const second = await client.startServices(['b']);
    const all = await client.getChanges({ select: 'all' });
    expect(all.map((c) => c.id)).toEqual([first, second]);
    expect(await client.getChanges()).toEqual([]);
    expect((await client.getChanges({ select: 'ready', service: 'b' })).map((c) => c.id)).toEqual([
      second,
    ]);
    const change = await client.getChange(first);
    expect(change).toMatchObject({
      kind: 'start',
      summary: 'Start service "a"',
      status: 'Done',
      ready: true,
    });
    expect(change.tasks[0]).toMatchObject({
      kind: 'start',
      summary: 'Start service "a"',
      status: 'Done',
    });
    expect(change.spawnTime).toBeInstanceOf(Date);
    expect(change.readyTime).toBeInstanceOf(Date);
  });

  it('aborts a change and waits for its final state', async () => {
    const { server, client } = await setup();
    await client.addLayer('l', { services: { slow: { override: 'replace', command: 'slow' } } });
    server.setServiceStartupBehaviour('slow', { kind: 'hang' });
    const id = await client.startServices(['slow'], { timeoutMs: 0 });
    expect((await client.getChange(id)).ready).toBe(false);
    expect((await client.getChanges()).map((c) => c.id)).toEqual([id]);
    const flagged = await client.abortChange(id);
    expect(flagged.id).toBe(id);
    const done = await client.waitChange(id);
    expect(done.status).toBe('Error');
    expect(done.err).toContain('start aborted, sent SIGKILL to process');
    await expect(client.abortChange(id)).rejects.toMatchObject({
      status: 400,
      apiMessage: `cannot abort change ${id} with nothing pending`,
    });
  });

  it('waits with the server-side wait endpoint and times out with TimeoutError', async () => {
    const { server, client } = await setup({}, { timeoutMs: 1000 });
    await client.addLayer('l', { services: { slow: { override: 'replace', command: 'slow' } } });
    server.setServiceStartupBehaviour('slow', { kind: 'hang' });
    const id = await client.startServices(['slow'], { timeoutMs: 0 });
    const error = await client.waitChange(id, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe(
      `timed out waiting for change ${id} (0.05 seconds)`,
    );
    const waiting = client.waitChange(id, { timeoutMs: null });
    server.releaseService('slow');
    expect((await waiting).status).toBe('Done');
  });

  it('falls back to polling when the server has no wait endpoint', async () => {
    const { server, client } = await setup({ noChangeWait: true });
    await client.addLayer('l', { services: { slow: { override: 'replace', command: 'slow' } } });
    server.setServiceStartupBehaviour('slow', { kind: 'hang' });
    const id = await client.startServices(['slow'], { timeoutMs: 0 });
    const waiting = client.waitChange(id, { delayMs: 5 });
    server.releaseService('slow');
    expect((await waiting).status).toBe('Done');
    await expect(client.waitChange('999', { delayMs: 5 })).rejects.toMatchObject({ status: 404 });
  });

  it('raises ChangeError carrying the change, with task logs in the message', async () => {
    const { server, client } = await setup();
    await client.addLayer('l', { services: { bad: { override: 'replace', command: 'bad' } } });
    server.setServiceStartupBehaviour('bad', {
      kind: 'exit',
      exitCode: 1,
      output: 'listen: address in use',
    });
    const error = await client.startServices(['bad']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangeError);
    const change = (error as ChangeError).change;
    expect(change.status).toBe('Error');
    expect((error as ChangeError).err).toBe(
      'cannot perform the following tasks:\n- Start service "bad" (service start attempt: exited quickly with code 1, will restart)',
    );
    expect((error as ChangeError).message).toContain('\n----- Logs from task 0 -----\n');
    expect((error as ChangeError).message).toContain('listen: address in use');
  });
});
