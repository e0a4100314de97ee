// The HTTP transport: timeouts, aborts, closing, connection reuse and the request bytes, seen
// by a plain socket server so that each fault is exact.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionError, TimeoutError } from '../src/errors.js';
import { PebbleClient } from '../src/pebble-client.js';
import { settle } from './helpers/setup.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const OK = JSON.stringify({ type: 'sync', 'status-code': 200, status: 'OK', result: [] });

/** A server answering each request with `handler` (an empty sync reply by default). */
async function serve(handler?: Handler): Promise<{
  socketPath: string;
  seen: Seen[];
  connections: () => number;
  client: (timeoutMs?: number) => PebbleClient;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'pebble-transport-'));
  const socketPath = join(dir, 'pebble.socket');
  const seen: Seen[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      if (handler === undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(OK);
      } else handler(req, res, entry);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const clients: PebbleClient[] = [];
  cleanups.push(async () => {
    for (const c of clients) await c.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return {
    socketPath,
    seen,
    connections: () => connections,
    client: (timeoutMs = 5000) => {
      const c = new PebbleClient({ socketPath, timeoutMs });
      clients.push(c);
      return c;
    },
  };
}

describe('timeouts', () => {
  it('no reply headers within timeoutMs: TimeoutError naming the endpoint and socket', async () => {
    const { socketPath, client } = await serve(() => undefined);
    const error = await client(50)
      .getSystemInfo()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe(
      `GET /v1/system-info: no reply from Pebble at '${socketPath}' within 50 ms`,
    );
    expect((error as TimeoutError).timeoutMs).toBe(50);
    expect((error as TimeoutError).cause).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('a reply body that stalls: TimeoutError', async () => {
    const { socketPath, client } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"type":');
    });
    const error = await client(50)
      .getChanges()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe(
      `GET /v1/changes: no reply from Pebble at '${socketPath}' within 50 ms`,
    );
    expect((error as TimeoutError).cause).toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('a long-poll waits past timeoutMs for its reply', async () => {
    const { client, seen } = await serve((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(OK);
      }, 100);
    });
    await expect(client(50).getNotices({ timeoutMs: 100 })).resolves.toEqual([]);
    expect(seen[0]?.url).toBe('/v1/notices?timeout=100ms');
  });
});

describe('the body timeout and a reader that waits', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Lets the sockets work while the (fake) clock runs far past the client's timeout. */
  async function waitLong(timeoutMs: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await settle(5);
      vi.advanceTimersByTime(timeoutMs / 2);
    }
  }

  async function drain(stream: Readable): Promise<number> {
    let n = 0;
    for await (const chunk of stream) n += (chunk as Buffer).length;
    return n;
  }

  /** A pull reply of `size` bytes, written at once (the server buffers what is not read). */
  function pullReply(size: number): Handler {
    return (_req, res) => {
      const b = 'b'.repeat(32);
      res.writeHead(200, { 'content-type': `multipart/form-data; boundary=${b}` });
      res.end(
        Buffer.concat([
          Buffer.from(
            `--${b}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name="files"; filename="/f"\r\n\r\n`,
          ),
          Buffer.alloc(size, 0x61),
          Buffer.from(
            `\r\n--${b}\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name="response"\r\n\r\n` +
              `{"type":"sync","status-code":200,"status":"OK","result":[{"path":"/f"}]}\r\n--${b}--\r\n`,
          ),
        ]),
      );
    };
  }

  it('a reply that has all come is not timed out while its reader waits', async () => {
    // pull's stream holds 1 MiB: the rest stays in the reply, all received, not yet read.
    const size = 1024 * 1024 + 32 * 1024;
    const { client } = await serve(pullReply(size));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stream = await client(50).pull('/f', { encoding: null });
    await waitLong(50);
    expect(await drain(stream)).toBe(size);
  });

  it('a reader holding a large reply back pauses the clock, as undici did', async () => {
    const size = 16 * 1024 * 1024;
    const { client } = await serve(pullReply(size));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stream = await client(50).pull('/f', { encoding: null });
    await waitLong(50);
    expect(await drain(stream)).toBe(size);
  });
});

describe('pull downloads', () => {
  const b = 'c'.repeat(40);
  /** Writes a pull reply in small pieces, without a length: chunked, as Pebble sends it. */
  const chunkedPull: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': `multipart/form-data; boundary=${b}` });
    const wire =
      `--${b}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name="files"; filename="/f"\r\n\r\n` +
      `${'0123456789'.repeat(1000)}\r\n--${b}\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name="response"\r\n\r\n` +
      `{"type":"sync","status-code":200,"status":"OK","result":[{"path":"/f"}]}\r\n--${b}--\r\n`;
    for (let i = 0; i < wire.length; i += 777) res.write(wire.slice(i, i + 777));
    res.end();
  };

  it('reads a chunked reply and sends the request Pebble expects', async () => {
    const { client, seen } = await serve(chunkedPull);
    expect(await client().pull('/f')).toBe('0123456789'.repeat(1000));
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/files?action=read&path=%2Ff' });
    expect(seen[0]?.headers).toMatchObject({
      host: 'localhost',
      accept: 'multipart/form-data',
      connection: 'close',
    });
  });

  it('times out waiting for the reply, and ends with the client', async () => {
    const { client, seen, socketPath } = await serve(() => undefined);
    const error = await client(50)
      .pull('/f')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe(
      `GET /v1/files: no reply from Pebble at '${socketPath}' within 50 ms`,
    );
    const c = client();
    const pulling = c.pull('/f').catch((e: unknown) => e);
    while (seen.length < 2) await new Promise<void>((resolve) => setImmediate(resolve));
    await c.close();
    const closed = await pulling;
    expect(closed).toBeInstanceOf(ConnectionError);
    expect((closed as Error).message).toBe(
      `GET /v1/files: could not talk to Pebble at '${socketPath}': the client is closed`,
    );
  });
});

describe('aborting and closing', () => {
  it('an aborted signal rejects a long-poll with the signal reason', async () => {
    const { client, seen } = await serve(() => undefined);
    const c = client();
    const controller = new AbortController();
    const polling = c.getNotices({ timeoutMs: 60_000, signal: controller.signal });
    while (seen.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await polling.catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe('AbortError');
    await expect(c.getNotices({ signal: controller.signal })).rejects.toBe(
      controller.signal.reason,
    );
  });

  it('close() ends a request in flight and later calls with ConnectionError', async () => {
    const { client, seen, socketPath } = await serve(() => undefined);
    const c = client();
    const polling = c.getNotices({ timeoutMs: 60_000 }).catch((e: unknown) => e);
    while (seen.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    await c.close();
    const error = await polling;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(
      /^GET \/v1\/notices: could not talk to Pebble at '.+'/u,
    );
    const later = await c.getSystemInfo().catch((e: unknown) => e);
    expect(later).toBeInstanceOf(ConnectionError);
    expect((later as ConnectionError).socketPath).toBe(socketPath);
  });

  it('a push source that fails ends the request with ConnectionError carrying the failure', async () => {
    const { client } = await serve();
    const failure = new Error('disk gone');
    async function* source(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('x');
      throw failure;
    }
    const error = await client()
      .push('/f', source())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(
      /^POST \/v1\/files: could not talk to Pebble at '.+': disk gone$/u,
    );
    expect((error as Error).cause).toBe(failure);
  });
});

describe('connections', () => {
  it('a missing socket: ConnectionError whose cause is the ENOENT of connecting', async () => {
    const client = new PebbleClient({ socketPath: '/nonexistent/pebble.socket' });
    const error = await client.getChecks().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe(
      "GET /v1/checks: could not connect to Pebble: socket not found at '/nonexistent/pebble.socket' (container restarted?)",
    );
    expect((error as Error).cause).toMatchObject({
      code: 'ENOENT',
      syscall: 'connect',
      message: 'connect ENOENT /nonexistent/pebble.socket',
    });
    await client.close();
  });

  it("reuses one connection for a hook's sequential calls", async () => {
    const { client, connections } = await serve();
    const c = client();
    await c.getChanges();
    await c.getChecks();
    await c.getServices();
    expect(connections()).toBe(1);
  });

  it('sends the request bytes Pebble expects', async () => {
    const { client, seen } = await serve((req, res) => {
      const result = req.method === 'POST' ? [{ path: '/f' }] : [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'sync', 'status-code': 200, status: 'OK', result }));
    });
    const c = client();
    await c.makeDir('/f');
    await c.push(
      '/f',
      (async function* () {
        yield Buffer.from('abc');
      })(),
    );
    await c.getChanges({ select: 'all' });
    const [post, push, get] = seen;
    expect(post).toMatchObject({ method: 'POST', url: '/v1/files' });
    expect(post?.headers).toMatchObject({
      host: 'localhost',
      accept: 'application/json',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(post?.body ?? '')),
    });
    expect(push?.headers['transfer-encoding']).toBe('chunked');
    expect(push?.body).toMatch(/\r\n\r\nabc\r\n--[0-9a-f]{32}--\r\n$/u);
    expect(get).toMatchObject({ method: 'GET', url: '/v1/changes?select=all', body: '' });
    expect(get?.headers['content-length']).toBeUndefined();
    expect(get?.headers['transfer-encoding']).toBeUndefined();
  });

  it('sends Host: localhost without having Node parse it as an IP address on each request', async () => {
    // Node's agent derives a TLS server name from the Host header with net.isIP unless one is
    // given; its IPv6 pattern costs a fresh process (a hook) milliseconds to compile.
    const { client, seen } = await serve();
    const net = process.getBuiltinModule('node:net');
    const isIP = vi.spyOn(net, 'isIP');
    try {
      await client().getChanges();
      expect(isIP).not.toHaveBeenCalled();
    } finally {
      isIP.mockRestore();
    }
    expect(seen[0]?.headers.host).toBe('localhost');
  });

  it('an idle kept-alive connection does not keep a script from exiting, nor loads crypto', async () => {
    const { socketPath, connections } = await serve();
    // Not closed on purpose: the script ends when its work is done, keep-alive or not.
    const script = join(packageDir, 'transport-exit.tmp.mjs');
    await writeFile(
      script,
      `import { PebbleClient } from '@opsjs/pebble';
const before = process.getActiveResourcesInfo();
const client = new PebbleClient({ socketPath: process.argv[2] });
await client.getChanges();
await client.getServices();
await new Promise((resolve) => setImmediate(resolve));
console.log(JSON.stringify({
  before,
  after: process.getActiveResourcesInfo(),
  // Loaded only when a push or exec needs them: crypto alone costs a hook about 2 ms.
  lazy: ['crypto', 'timers/promises'].filter((m) => process.moduleLoadList.includes('NativeModule ' + m)),
}));
`,
    );
    cleanups.push(() => rm(script, { force: true }));
    const child = spawn(process.execPath, [script, socketPath], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    // Nothing more keeps the event loop alive once the calls are done (the standard streams
    // are there from the start): the idle socket is unref'd.
    const { before, after, lazy } = JSON.parse(stdout) as {
      before: string[];
      after: string[];
      lazy: string[];
    };
    expect(after).toEqual(before);
    expect(lazy).toEqual([]);
    expect(connections()).toBe(1);
  });
});
