import { describe, expect, it } from 'vitest';
import { ConnectionError, PebbleError, ProtocolError } from '../src/errors.js';
import { FakePebbleServer } from '../src/fake/index.js';
import { PebbleClient } from '../src/pebble-client.js';
import { settle, setup } from './helpers/setup.js';

const WATCHED = new Set([
  'PipeWrap',
  'PipeServerWrap',
  'TCPWrap',
  'Timeout',
  'FileHandle',
  'FSReqCallback',
  'FSReqPromise',
]);

function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (WATCHED.has(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** The kinds whose count is above the baseline, once pending callbacks have run. */
async function leaked(baseline: Record<string, number>): Promise<Record<string, number>> {
  const over = (): Record<string, number> =>
    Object.fromEntries(Object.entries(handles()).filter(([kind, n]) => n > (baseline[kind] ?? 0)));
  for (let i = 0; i < 2000 && Object.keys(over()).length > 0; i++) await settle(5);
  return over();
}

describe('bad replies', () => {
  it('reports a malformed envelope as ProtocolError naming the endpoint', async () => {
    const { server, client } = await setup();
    server.intercept('GET', '/v1/system-info', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"type":"sync","result":{"version":"x"}}');
    });
    const error = await client.getSystemInfo().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).endpoint).toBe('GET /v1/system-info');
    expect((error as ProtocolError).message).toBe(
      'GET /v1/system-info: malformed reply envelope: status-code: Invalid input: expected number, received undefined; status: Invalid input: expected string, received undefined',
    );
  });

  it('reports a result of the wrong shape, invalid JSON and a wrong content type', async () => {
    const { server, client } = await setup();
    server.intercept('GET', '/v1/services', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"type":"sync","status-code":200,"status":"OK","result":[{"name":"web"}]}');
    });
    await expect(client.getServices()).rejects.toThrow(
      'GET /v1/services: unexpected result: 0.startup: Invalid input: expected string, received undefined',
    );
    server.intercept('GET', '/v1/changes', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"type":');
    });
    await expect(client.getChanges()).rejects.toThrow(
      /^GET \/v1\/changes: reply is not valid JSON/u,
    );
    server.intercept('GET', '/v1/checks', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>');
    });
    await expect(client.getChecks()).rejects.toThrow(
      "GET /v1/checks: expected Content-Type 'application/json', got 'text/html' (HTTP 200)",
    );
  });

  it('refuses a 10 MiB JSON reply beyond the configured limit', async () => {
    const { server } = await setup();
    const client = new PebbleClient({ socketPath: server.socketPath, maxJsonBytes: 1024 * 1024 });
    server.intercept('GET', '/v1/notices', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        `{"type":"sync","status-code":200,"status":"OK","result":"${'x'.repeat(10 * 1024 * 1024)}"}`,
      );
    });
    const error = await client.getNotices().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toBe(
      'GET /v1/notices: reply is larger than the limit of 1048576 bytes',
    );
    await expect(client.getSystemInfo()).resolves.toMatchObject({ version: 'v1.32.1' });
    await client.close();
  });
});

describe('a server dying', () => {
  it('mid-reply: ConnectionError', async () => {
    const { server, client } = await setup();
    server.intercept('GET', '/v1/plan', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"type":"sync",');
      res.socket?.destroy();
    });
    const error = await client.getPlan().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(
      /^GET \/v1\/plan: could not talk to Pebble at '.+pebble\.socket'/u,
    );
  });

  it('mid-pull: the stream errors with ConnectionError', async () => {
    const { server, client } = await setup();
    const boundary = 'b'.repeat(60);
    server.intercept('GET', '/v1/files', (_req, res) => {
      res.writeHead(200, { 'content-type': `multipart/form-data; boundary=${boundary}` });
      res.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="/f"\r\nContent-Type: application/octet-stream\r\n\r\npartial`,
      );
      setImmediate(() => res.socket?.destroy());
    });
    const stream = await client.pull('/f', { encoding: null });
    const error = await (async () => {
      for await (const _ of stream) {
        // drain
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PebbleError);
    expect((error as Error).message).toMatch(/^GET \/v1\/files: /u);
  });

  it('mid-exec: wait rejects instead of hanging', async () => {
    const server = await FakePebbleServer.start();
    const client = new PebbleClient({ socketPath: server.socketPath });
    server.handleExec(
      'sleep',
      ({ signal }) =>
        new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(0))),
    );
    const proc = await client.exec(['sleep']);
    const waiting = proc.wait().catch((e: unknown) => e);
    await server.close();
    expect(await waiting).toBeInstanceOf(ConnectionError);
    await client.close();
  });
});

describe('resources', () => {
  it('leaves no sockets, file handles or timers behind', async () => {
    const baseline = handles();
    const server = await FakePebbleServer.start();
    const client = new PebbleClient({ socketPath: server.socketPath });
    server.handleExec('cat', async ({ stdin, stdout }) => {
      for await (const chunk of stdin) stdout.write(chunk);
      return 0;
    });
    await client.addLayer('l', { services: { a: { override: 'replace', command: 'a' } } });
    await client.replanServices();
    await client.push('/f', 'x'.repeat(1024 * 1024));
    expect((await client.pull('/f')).length).toBe(1024 * 1024);
    const partial = await client.pull('/f', { encoding: null });
    partial.destroy();
    await expect(client.pull('/missing')).rejects.toThrow();
    await (await client.exec(['cat'], { stdin: 'hello' })).waitOutput();
    await client.getNotices({ timeoutMs: 1 });
    const controller = new AbortController();
    const follow = client.followLogs({ signal: controller.signal });
    const next = follow.next();
    controller.abort();
    await next;
    await expect(client.exec(['nope'])).rejects.toThrow();
    await client.close();
    await server.close();
    expect(await leaked(baseline)).toEqual({});
  });

  it('leaves nothing behind when reset cuts requests in flight', async () => {
    const baseline = handles();
    const server = await FakePebbleServer.start();
    const client = new PebbleClient({ socketPath: server.socketPath });
    server.addLayer('l', { services: { a: { override: 'replace', command: 'a' } } });
    server.setServiceStartupBehaviour('a', { kind: 'hang' });
    server.handleExec(
      'sleep',
      ({ signal }) =>
        new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(0))),
    );
    const id = await client.startServices(['a'], { timeoutMs: 0 });
    // A log follow surely in flight: a line has arrived; later pings are read on and the
    // follow must then end with an error when the reset cuts it.
    const follow = client.followLogs();
    let arrived = false;
    const following = (async (): Promise<unknown> => {
      for (;;) {
        const line = await follow.next();
        if (line.done === true) return 'ended without an error';
        arrived = true;
      }
    })().catch((e: unknown) => e);
    while (!arrived) {
      server.addLog('a', 'ping');
      await settle();
    }
    // (A wait arriving after the reset gets a 404: an error either way.)
    const pending = [
      ...[client.waitChange(id), (await client.exec(['sleep'])).wait()].map((p) =>
        p.catch((e: unknown) => e),
      ),
      following,
    ];
    await client.push('/f', 'x'.repeat(1024 * 1024));
    await server.reset();
    for (const result of await Promise.all(pending)) expect(result).toBeInstanceOf(PebbleError);
    expect(await client.exists('/f')).toBe(false);
    await client.close();
    await server.close();
    expect(await leaked(baseline)).toEqual({});
  });

  it('closes exec websockets of processes never waited for', async () => {
    const before = handles();
    const server = await FakePebbleServer.start();
    const baseline = handles();
    const client = new PebbleClient({ socketPath: server.socketPath });
    server.handleExec('quick', ({ stdout }) => {
      stdout.write('done');
      return 0;
    });
    server.handleExec(
      'sleep',
      ({ signal }) =>
        new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(0))),
    );
    const quick = await client.exec(['quick']);
    quick.stdout?.resume();
    const sleeping = await client.exec(['sleep']);
    expect(sleeping.changeId).toMatch(/^\d+$/u);
    // The client is closed while the second command still runs, and nobody waits: its
    // sockets go (the server's close handshakes may still hold timers until it closes).
    await client.close();
    expect((await leaked(baseline)).PipeWrap).toBeUndefined();
    await server.close();
    expect(await leaked(before)).toEqual({});
  });
});
