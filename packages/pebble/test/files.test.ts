import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { APIError, PathError } from '../src/errors.js';
import { setup } from './helpers/setup.js';

describe('push and pull', () => {
  it('pushes text with permissions and ownership, and pulls it back', async () => {
    const { server, client } = await setup();
    await client.push('/etc/app/app.conf', 'port: 80\n', {
      makeDirs: true,
      permissions: 0o600,
      user: 'app',
      group: 'app',
    });
    expect(await readFile(server.hostPath('/etc/app/app.conf'), 'utf8')).toBe('port: 80\n');
    expect((await stat(server.hostPath('/etc/app/app.conf'))).mode & 0o777).toBe(0o600);
    expect(server.fileRecord('/etc/app/app.conf')).toEqual({
      userId: 1000,
      user: 'app',
      groupId: 1000,
      group: 'app',
      permissions: 0o600,
    });
    expect(server.fileRecord('/etc/app')).toMatchObject({ user: 'app', permissions: 0o755 });
    expect(await client.pull('/etc/app/app.conf')).toBe('port: 80\n');
  });

  it('pushes bytes and Readable streams, pulls bytes as a stream', async () => {
    const { client } = await setup();
    const bytes = Uint8Array.from([0, 1, 2, 255, 254]);
    await client.push('/bin.dat', bytes, { userId: 1000 });
    const stream = await client.pull('/bin.dat', { encoding: null });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect([...Buffer.concat(chunks)]).toEqual([0, 1, 2, 255, 254]);
    await client.push('/stream.txt', Readable.from(['a', 'b', Buffer.from('c')]));
    expect(await client.pull('/stream.txt')).toBe('abc');
    await client.push('/latin1.txt', 'é', { encoding: 'latin1' });
    expect(await client.pull('/latin1.txt', { encoding: 'latin1' })).toBe('é');
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const { server, client } = await setup();
    const text = '€'.repeat(200_000);
    await writeFile(server.hostPath('/euro.txt'), text);
    expect(await client.pull('/euro.txt')).toBe(text);
  });

  it('escapes quotes and backslashes in file names', async () => {
    const { client } = await setup();
    const path = '/we"ird\\name.txt';
    await client.push(path, 'x');
    expect(await client.pull(path)).toBe('x');
    expect((await client.listFiles('/')).map((f) => f.name)).toContain('we"ird\\name.txt');
  });

  it('maps per-file failures to PathError with Pebble kinds', async () => {
    const { client } = await setup();
    const missing = await client.push('/no/such/dir/f', 'x').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PathError);
    expect(missing).toMatchObject({ kind: 'not-found', path: '/no/such/dir/f' });
    expect((missing as PathError).message).toMatch(
      /^not-found - open \/no\/such\/dir\/f\.\d+~: no such file or directory$/u,
    );
    await expect(client.pull('/nope')).rejects.toMatchObject({
      kind: 'not-found',
      message: 'not-found - stat /nope: no such file or directory',
      apiMessage: 'stat /nope: no such file or directory',
      path: '/nope',
    });
    await client.makeDir('/d');
    await expect(client.pull('/d')).rejects.toMatchObject({
      kind: 'generic-file-error',
      message: 'generic-file-error - can only read a regular file: "/d"',
    });
    await expect(client.pull('relative')).rejects.toMatchObject({ kind: 'generic-file-error' });
    await expect(client.push('/f', 'x', { user: 'nosuchuser' })).rejects.toMatchObject({
      kind: 'generic-file-error',
      message: 'generic-file-error - cannot look up user and group: user: unknown user nosuchuser',
    });
    await expect(client.push('/f', 'x', { group: 'app' })).rejects.toThrow(
      'must specify user, not just group',
    );
  });

  it('keeps paths with .. inside the root', async () => {
    const { server, client } = await setup();
    await client.push('/a/../../../../escape.txt', 'contained');
    expect(await readFile(server.hostPath('/escape.txt'), 'utf8')).toBe('contained');
    expect(await client.pull('/x/../escape.txt')).toBe('contained');
  });

  it('pushes and pulls 32 MiB streamed, with the same bytes back', async () => {
    const { client } = await setup();
    const size = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
    const sent = createHash('sha256');
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < size / chunk.length; i++) {
        // A new buffer each time: the previous one may still be queued on the socket.
        const piece = Buffer.from(chunk);
        piece[0] = i & 0xff;
        sent.update(piece);
        yield piece;
      }
    }
    await client.push('/big.bin', source());
    const stream = await client.pull('/big.bin', { encoding: null });
    const got = createHash('sha256');
    let received = 0;
    for await (const part of stream) {
      received += (part as Buffer).length;
      got.update(part as Buffer);
    }
    expect(received).toBe(size);
    expect(got.digest('hex')).toBe(sent.digest('hex'));
  });

  it('pushes and pulls 256 MiB streamed, without the process growing with the size', async () => {
    // The size of the requirement; the content is checked by the 32 MiB test, so this
    // one only checks the length, the byte at each end of every received chunk, and memory.
    const { client } = await setup({}, { timeoutMs: 60_000 });
    const mib = 1024 * 1024;
    const size = 256 * mib;
    const patterns = [1, 2, 3, 4].map((value) => Buffer.alloc(mib, value));
    const expected = (offset: number): number => (Math.floor(offset / mib) % 4) + 1;
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < size / mib; i++) yield patterns[i % 4] as Buffer;
    }
    const rssBefore = process.memoryUsage().rss;
    await client.push('/huge.bin', source());
    const stream = await client.pull('/huge.bin', { encoding: null });
    let received = 0;
    let mismatches = 0;
    for await (const part of stream) {
      const buf = part as Buffer;
      if (
        buf[0] !== expected(received) ||
        buf[buf.length - 1] !== expected(received + buf.length - 1)
      )
        mismatches++;
      received += buf.length;
    }
    expect(received).toBe(size);
    expect(mismatches).toBe(0);
    // Streamed, not buffered: the process (client and server) grows far less than the file.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(size / 2);
  });
});

describe('listFiles, makeDir, removePath', () => {
  it('lists directories with typed FileInfo, patterns and itself', async () => {
    const { client } = await setup();
    await client.makeDir('/srv/data', { makeParents: true, permissions: 0o750, user: 'app' });
    await client.push('/srv/data/a.txt', 'hello', { permissions: 0o640 });
    await client.push('/srv/data/b.log', 'x');
    const files = await client.listFiles('/srv/data');
    expect(files.map((f) => f.name)).toEqual(['a.txt', 'b.log']);
    expect(files[0]).toMatchObject({
      path: '/srv/data/a.txt',
      type: 'file',
      size: 5,
      permissions: 0o640,
      userId: 0,
      user: 'root',
    });
    expect(files[0]?.lastModified).toBeInstanceOf(Date);
    expect((await client.listFiles('/srv/data', { pattern: '*.txt' })).map((f) => f.name)).toEqual([
      'a.txt',
    ]);
    const [itself] = await client.listFiles('/srv/data', { itself: true });
    expect(itself).toMatchObject({
      type: 'directory',
      permissions: 0o750,
      user: 'app',
      name: 'data',
    });
    expect(itself?.size).toBeUndefined();
    const missing = await client.listFiles('/nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(APIError);
    expect(missing).toMatchObject({
      status: 404,
      kind: 'not-found',
      apiMessage: 'stat /nope: no such file or directory',
    });
  });

  it('answers exists and isDir', async () => {
    const { client } = await setup();
    await client.push('/f', 'x');
    await client.makeDir('/d');
    expect(await client.exists('/f')).toBe(true);
    expect(await client.exists('/d')).toBe(true);
    expect(await client.exists('/nope')).toBe(false);
    expect(await client.isDir('/d')).toBe(true);
    expect(await client.isDir('/f')).toBe(false);
    expect(await client.isDir('/nope')).toBe(false);
  });

  it('makes directories with Pebble rules', async () => {
    const { client } = await setup();
    await expect(client.makeDir('/a/b')).rejects.toMatchObject({ kind: 'not-found' });
    await client.makeDir('/a/b', { makeParents: true });
    await client.makeDir('/a/b', { makeParents: true });
    await expect(client.makeDir('/a/b')).rejects.toMatchObject({
      kind: 'generic-file-error',
      message: 'generic-file-error - mkdir /a/b: file exists',
    });
    await expect(client.makeDir('/x', { group: 'staff' })).rejects.toThrow(
      'must specify user, not just group',
    );
  });

  it('removes files and trees', async () => {
    const { client } = await setup();
    await client.push('/t/x/y', 'z', { makeDirs: true });
    await expect(client.removePath('/t')).rejects.toMatchObject({
      message: 'generic-file-error - remove /t: directory not empty',
    });
    await expect(client.removePath('/nope')).rejects.toMatchObject({ kind: 'not-found' });
    await client.removePath('/t', { recursive: true });
    await client.removePath('/nope', { recursive: true });
    expect(await client.exists('/t')).toBe(false);
  });
});

describe('POST /v1/files content types (fake as Pebble)', () => {
  it('refuses a missing or malformed Content-Type, and a foreign media type', async () => {
    const { server } = await setup();
    const agent = new Agent({ connect: { socketPath: server.socketPath } });
    const post = async (contentType: string | undefined): Promise<unknown> => {
      const reply = await agent.request({
        origin: 'http://localhost',
        path: '/v1/files',
        method: 'POST',
        headers: contentType === undefined ? {} : { 'content-type': contentType },
        body: '{}',
      });
      return ((await reply.body.json()) as { result: { message: string } }).result.message;
    };
    try {
      expect(await post(undefined)).toBe('invalid Content-Type ""');
      expect(await post('/json')).toBe('invalid Content-Type "/json"');
      expect(await post('text/plain')).toBe('invalid media type "text/plain"');
      expect(await post('multipart/form-data; boundary=short')).toBe('invalid boundary "short"');
    } finally {
      await agent.close();
    }
  });
});
