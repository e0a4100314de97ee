// Wire-level fidelity: the exact requests the client sends, checked against what ops.pebble
// (and, where ops has no equivalent, Pebble's Go client) sends for the same call.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APIError, ExecError, PathError, ProtocolError, TimeoutError } from '../src/errors.js';
import { PebbleClient, rfc3339Nano } from '../src/pebble-client.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = (seen: Seen, res: ServerResponse) => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function sync(result: unknown): Reply {
  return (_seen, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'sync', 'status-code': 200, status: 'OK', result }));
  };
}

/** A socket server that records each request and answers with the next canned reply. */
async function recorder(...replies: Reply[]): Promise<{ client: PebbleClient; seen: Seen[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'pebble-wire-'));
  const socketPath = join(dir, 'pebble.socket');
  const seen: Seen[] = [];
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
      const reply = replies.shift() ?? sync(null);
      reply(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const client = new PebbleClient({ socketPath, timeoutMs: 5000 });
  cleanups.push(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return { client, seen };
}

function requestPart(body: string): unknown {
  const match = /name="request"\r\n\r\n(.*?)\r\n--/su.exec(body);
  return JSON.parse(match?.[1] ?? 'null');
}

describe('request wire format (as ops.pebble)', () => {
  it('push sends make-dirs only when set, and no other defaults', async () => {
    const ok = sync([{ path: '/f' }]);
    const { client, seen } = await recorder(ok, ok);
    await client.push('/f', 'x');
    await client.push('/f', 'x', { makeDirs: true, permissions: 0o600, userId: 0, group: 'g' });
    expect(requestPart(seen[0]?.body ?? '')).toEqual({ action: 'write', files: [{ path: '/f' }] });
    expect(requestPart(seen[1]?.body ?? '')).toEqual({
      action: 'write',
      files: [{ permissions: '600', 'user-id': 0, group: 'g', path: '/f', 'make-dirs': true }],
    });
    expect(seen[0]?.headers['content-type']).toMatch(
      /^multipart\/form-data; boundary="[0-9a-f]{32}"$/u,
    );
    expect(seen[0]?.headers.accept).toBe('application/json');
  });

  it('makeDir and removePath omit false flags', async () => {
    const ok = sync([{ path: '/d' }]);
    const { client, seen } = await recorder(ok, ok, ok, ok);
    await client.makeDir('/d');
    await client.makeDir('/d', { makeParents: true, permissions: 0o700 });
    await client.removePath('/d');
    await client.removePath('/d', { recursive: true });
    expect(seen.map((s) => JSON.parse(s.body))).toEqual([
      { action: 'make-dirs', dirs: [{ path: '/d' }] },
      { action: 'make-dirs', dirs: [{ permissions: '700', path: '/d', 'make-parents': true }] },
      { action: 'remove', paths: [{ path: '/d' }] },
      { action: 'remove', paths: [{ path: '/d', recursive: true }] },
    ]);
  });

  it('listFiles omits an empty pattern and a false itself', async () => {
    const { client, seen } = await recorder(sync([]), sync([]), sync([]));
    await client.listFiles('/d');
    await client.listFiles('/d', { pattern: '', itself: false });
    await client.listFiles('/d', { pattern: '*.txt', itself: true });
    expect(seen.map((s) => s.url)).toEqual([
      '/v1/files?path=%2Fd&action=list',
      '/v1/files?path=%2Fd&action=list',
      '/v1/files?path=%2Fd&pattern=*.txt&itself=true&action=list',
    ]);
  });

  it('getServices joins names with commas and sends an empty list as names=', async () => {
    const { client, seen } = await recorder(sync([]), sync([]), sync([]));
    await client.getServices();
    await client.getServices([]);
    await client.getServices(['a', 'b']);
    expect(seen.map((s) => s.url)).toEqual([
      '/v1/services',
      '/v1/services?names=',
      '/v1/services?names=a%2Cb',
    ]);
  });

  it('exec sends every field, null when not given, environment {}', async () => {
    const { client, seen } = await recorder((_s, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'error',
          'status-code': 400,
          status: 'Bad Request',
          result: { message: 'cannot find executable "nope"' },
        }),
      );
    });
    await expect(client.exec(['nope'])).rejects.toThrow('cannot find executable "nope"');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      command: ['nope'],
      'service-context': null,
      environment: {},
      'working-dir': null,
      timeout: null,
      'user-id': null,
      user: null,
      'group-id': null,
      group: null,
      'split-stderr': true,
    });
  });

  it('sendSignal names every Linux signal number as Python does', async () => {
    const { client, seen } = await recorder(sync(null), sync(null), sync(null));
    await client.sendSignal(28, ['web']);
    await client.sendSignal(11, ['web']);
    await client.sendSignal(29, ['web']);
    expect(seen.map((s) => JSON.parse(s.body).signal)).toEqual(['SIGWINCH', 'SIGSEGV', 'SIGIO']);
  });

  it('getNotices sends after in RFC 3339 nano form and the timeout as a Go duration', async () => {
    const { client, seen } = await recorder(sync([]));
    await client.getNotices({
      types: ['custom'],
      keys: ['a.com/x'],
      after: new Date('2026-01-01T00:00:00.120Z'),
      timeoutMs: 90_000,
    });
    expect(seen[0]?.url).toBe(
      '/v1/notices?types=custom&keys=a.com%2Fx&after=2026-01-01T00%3A00%3A00.12Z&timeout=1m30s',
    );
    expect(rfc3339Nano(new Date('2026-01-01T00:00:00.000Z'))).toBe('2026-01-01T00:00:00Z');
  });

  it('a files reply without the requested path is a ProtocolError', async () => {
    const { client } = await recorder(sync([{ path: '/other' }]));
    await expect(client.makeDir('/d')).rejects.toThrow(ProtocolError);
  });

  it('a per-file error reads as ops: "<kind> - <message>"', async () => {
    const { client } = await recorder(
      sync([{ path: '/d', error: { kind: 'permission-denied', message: 'mkdir /d: denied' } }]),
    );
    const error = await client.makeDir('/d').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PathError);
    expect(error).toMatchObject({
      message: 'permission-denied - mkdir /d: denied',
      apiMessage: 'mkdir /d: denied',
      path: '/d',
    });
  });

  it('waitChange times out with ops text (seconds as a Python float)', async () => {
    const { client } = await recorder();
    await expect(client.waitChange('7', { timeoutMs: 0 })).rejects.toThrow(
      new TimeoutError('timed out waiting for change 7 (0.0 seconds)', 0),
    );
  });
});

describe('error replies (as ops.pebble)', () => {
  it('any HTTP error status is an APIError, even without a JSON envelope', async () => {
    const { client } = await recorder(
      (_s, res) => {
        // Pebble's reply when it cannot marshal its response: a 500 with no body.
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end();
      },
      (_s, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>bad gateway</html>');
      },
      (_s, res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            type: 'error',
            'status-code': 404,
            status: 'Not Found',
            result: { message: 'cannot find change with id "9"', kind: 'not-found' },
          }),
        );
      },
    );
    const empty = await client.getSystemInfo().catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(APIError);
    expect(empty).toMatchObject({ status: 500, statusText: 'Internal Server Error' });
    expect((empty as APIError).apiMessage).toMatch(/^no error message in reply \(HTTP 500: /u);
    const html = await client.getChanges().catch((e: unknown) => e);
    expect(html).toBeInstanceOf(APIError);
    expect(html).toMatchObject({
      status: 502,
      statusText: 'Bad Gateway',
      apiMessage: "no error message in reply (HTTP 502: Content-Type 'text/html')",
    });
    await expect(client.getChange('9')).rejects.toMatchObject({
      status: 404,
      kind: 'not-found',
      apiMessage: 'cannot find change with id "9"',
    });
  });
});

describe('error texts (as ops.pebble)', () => {
  it('ExecError quotes the executable and outputs with Python repr', () => {
    expect(new ExecError(['ls', '-l'], 2, "it's", 'a\nb').message).toBe(
      `non-zero exit code 2 executing 'ls', stdout="it's", stderr='a\\nb'`,
    );
    expect(new ExecError(['x'], 1, Buffer.from([0, 0x41, 0xff]), undefined).message).toBe(
      "non-zero exit code 1 executing 'x', stdout=b'\\x00A\\xff'",
    );
    expect(new ExecError(['x'], 1, undefined, undefined).message).toBe(
      "non-zero exit code 1 executing 'x'",
    );
  });
});
