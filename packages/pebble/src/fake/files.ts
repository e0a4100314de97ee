import { randomInt } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { boundaryOf, MultipartParser, quote } from '../multipart.js';
import type { ZodOutput } from '../zod.js';
import { memo, safeParse, z } from '../zod.js';
import { rfc3339Seconds } from './changes.js';
import { HttpError, osErrorText } from './http-error.js';
import type { Ownership, UserDb } from './users.js';

/** A recorded owner and mode of a path written through the fake. */
export interface FileRecord extends Ownership {
  permissions: number;
}

const ownerFields = () => ({
  permissions: z.nullish(z.string()),
  'user-id': z.nullish(z.number().check(z.int())),
  user: z.nullish(z.string()),
  'group-id': z.nullish(z.number().check(z.int())),
  group: z.nullish(z.string()),
});
const writeRequestSchema = memo(() =>
  z.object({
    action: z.string(),
    files: z.nullish(
      z.array(
        z.object({ path: z.string(), 'make-dirs': z.nullish(z.boolean()), ...ownerFields() }),
      ),
    ),
  }),
);
const jsonRequestSchema = memo(() =>
  z.object({
    action: z.string(),
    dirs: z.nullish(
      z.array(
        z.object({ path: z.string(), 'make-parents': z.nullish(z.boolean()), ...ownerFields() }),
      ),
    ),
    paths: z.nullish(z.array(z.object({ path: z.string(), recursive: z.nullish(z.boolean()) }))),
  }),
);

/** Ownership and mode fields of a file request item. */
interface OwnerMeta {
  permissions?: string | null | undefined;
  'user-id'?: number | null | undefined;
  user?: string | null | undefined;
  'group-id'?: number | null | undefined;
  group?: string | null | undefined;
}

type ItemResult = { path: string; error?: { message: string; kind: string } };

class FileOpError extends Error {
  readonly kind: string;
  constructor(message: string, kind: string) {
    super(message);
    this.kind = kind;
  }
}

function opError(op: string, path: string, error: unknown): FileOpError {
  if (error instanceof FileOpError) return error;
  const { text, kind } = osErrorText(error);
  return new FileOpError(`${op} ${path}: ${text}`, kind);
}

function parsePermissions(value: string | null | undefined, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  if (!/^[0-7]{3}$/u.test(value)) {
    throw new FileOpError(
      `permissions must be a 3-digit octal string, got "${value}"`,
      'generic-file-error',
    );
  }
  return Number.parseInt(value, 8);
}

async function drain(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const ok = (): void => {
      stream.off('error', fail);
      resolve();
    };
    const fail = (error: Error): void => {
      stream.off('drain', ok);
      reject(error);
    };
    stream.once('drain', ok);
    stream.once('error', fail);
  });
}

async function closeStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** Files on a real directory, addressed by absolute paths inside it. @internal */
export class FileStore {
  readonly root: string;
  readonly records = new Map<string, FileRecord>();
  readonly #users: UserDb;

  constructor(root: string, users: UserDb) {
    this.root = root;
    this.#users = users;
  }

  /** Maps a workload path to the host path (never outside the root). */
  hostPath(path: string): string {
    const clean = posix.normalize(path);
    return posix.join(this.root, clean);
  }

  #owner(fields: OwnerMeta): Ownership | undefined {
    try {
      return this.#users.resolve({
        userId: fields['user-id'] ?? null,
        user: fields.user ?? null,
        groupId: fields['group-id'] ?? null,
        group: fields.group ?? null,
      });
    } catch (error) {
      throw new FileOpError(
        `cannot look up user and group: ${(error as Error).message}`,
        'generic-file-error',
      );
    }
  }

  #record(path: string, owner: Ownership | undefined, permissions: number): void {
    const clean = posix.normalize(path);
    const base = owner ?? this.#defaultOwner();
    this.records.set(clean, { ...base, permissions });
  }

  #defaultOwner(): Ownership {
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    return {
      userId: uid,
      user: this.#users.userName(uid),
      groupId: gid,
      group: this.#users.groupName(gid),
    };
  }

  async #makeParents(path: string, owner: Ownership | undefined): Promise<void> {
    const parts = posix.normalize(path).split('/').filter(Boolean);
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      try {
        await mkdir(this.hostPath(current));
        await chmod(this.hostPath(current), 0o755);
        this.#record(current, owner, 0o755);
      } catch (error) {
        const code = Reflect.get(error as object, 'code');
        if (code === 'EEXIST') {
          const s = await stat(this.hostPath(current));
          if (!s.isDirectory())
            throw new FileOpError(`mkdir ${current}: not a directory`, 'generic-file-error');
          continue;
        }
        throw opError('mkdir', current, error);
      }
    }
  }

  /** POST /v1/files with a JSON body. */
  async jsonAction(body: unknown): Promise<ItemResult[]> {
    const parsed = safeParse(jsonRequestSchema(), body);
    if (!parsed.success)
      throw new HttpError(
        400,
        `cannot decode request body: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const req = parsed.data;
    if (req.action === 'make-dirs') {
      const out: ItemResult[] = [];
      for (const dir of req.dirs ?? [])
        out.push(await this.#item(dir.path, () => this.#makeDir(dir)));
      return out;
    }
    if (req.action === 'remove') {
      const out: ItemResult[] = [];
      for (const p of req.paths ?? [])
        out.push(await this.#item(p.path, () => this.#remove(p.path, p.recursive ?? false)));
      return out;
    }
    if (req.action === 'write') throw new HttpError(400, 'must use multipart with "write" action');
    throw new HttpError(400, `invalid action "${req.action}"`);
  }

  async #item(path: string, fn: () => Promise<void>): Promise<ItemResult> {
    try {
      if (!path.startsWith('/'))
        throw new FileOpError(`paths must be absolute, got "${path}"`, 'generic-file-error');
      await fn();
      return { path };
    } catch (error) {
      const e = error instanceof FileOpError ? error : opError('', path, error);
      return { path, error: { message: e.message, kind: e.kind } };
    }
  }

  async #makeDir(
    dir: OwnerMeta & { path: string; 'make-parents'?: boolean | null | undefined },
  ): Promise<void> {
    const perms = parsePermissions(dir.permissions, 0o755);
    const owner = this.#owner(dir);
    const host = this.hostPath(dir.path);
    if (dir['make-parents']) {
      await this.#makeParents(posix.dirname(posix.normalize(dir.path)), owner);
      try {
        const s = await stat(host);
        if (s.isDirectory()) return;
        throw new FileOpError(`mkdir ${dir.path}: not a directory`, 'generic-file-error');
      } catch (error) {
        if (error instanceof FileOpError) throw error;
      }
    }
    try {
      await mkdir(host);
    } catch (error) {
      throw opError('mkdir', dir.path, error);
    }
    await chmod(host, perms);
    this.#record(dir.path, owner, perms);
  }

  async #remove(path: string, recursive: boolean): Promise<void> {
    const host = this.hostPath(path);
    if (posix.normalize(path) === '/')
      throw new FileOpError('remove /: cannot remove the root', 'generic-file-error');
    if (recursive) {
      await rm(host, { recursive: true, force: true });
    } else {
      try {
        const s = await lstat(host);
        if (s.isDirectory()) await rmdir(host);
        else await unlink(host);
      } catch (error) {
        throw opError('remove', path, error);
      }
    }
    for (const key of [...this.records.keys()]) {
      if (key === posix.normalize(path) || key.startsWith(`${posix.normalize(path)}/`))
        this.records.delete(key);
    }
  }

  /** GET /v1/files?action=list. */
  async list(
    path: string | undefined,
    pattern: string | undefined,
    itself: boolean,
  ): Promise<Record<string, unknown>[]> {
    if (path === undefined || path === '') throw new HttpError(400, 'must specify path');
    if (!path.startsWith('/')) throw new HttpError(400, `path must be absolute, got "${path}"`);
    let matcher: RegExp | undefined;
    if (pattern !== undefined && pattern !== '') {
      try {
        matcher = globToRegExp(pattern);
      } catch {
        throw new HttpError(400, 'syntax error in pattern', 'generic-file-error');
      }
    }
    const host = this.hostPath(path);
    let s: Awaited<ReturnType<typeof stat>>;
    try {
      s = await stat(host);
    } catch (error) {
      const { text, kind } = osErrorText(error);
      throw new HttpError(
        kind === 'not-found' ? 404 : kind === 'permission-denied' ? 403 : 400,
        `stat ${path}: ${text}`,
        kind,
      );
    }
    const clean = posix.normalize(path);
    if (!s.isDirectory() || itself) {
      const name = posix.basename(clean) || '/';
      if (matcher !== undefined && !matcher.test(name)) return [];
      return [this.#info(clean, name, s)];
    }
    const names = (await readdir(host)).sort();
    const out: Record<string, unknown>[] = [];
    for (const name of names) {
      if (matcher !== undefined && !matcher.test(name)) continue;
      const child = posix.join(clean, name);
      out.push(this.#info(child, name, await lstat(this.hostPath(child))));
    }
    return out;
  }

  #info(path: string, name: string, s: Awaited<ReturnType<typeof stat>>): Record<string, unknown> {
    const type = s.isFile()
      ? 'file'
      : s.isDirectory()
        ? 'directory'
        : s.isSymbolicLink()
          ? 'symlink'
          : s.isSocket()
            ? 'socket'
            : s.isFIFO()
              ? 'named-pipe'
              : s.isBlockDevice() || s.isCharacterDevice()
                ? 'device'
                : 'unknown';
    const record = this.records.get(path);
    const uid = record?.userId ?? Number(s.uid);
    const gid = record?.groupId ?? Number(s.gid);
    const out: Record<string, unknown> = { path, name, type };
    if (type === 'file') out.size = Number(s.size);
    out.permissions = (Number(s.mode) & 0o777).toString(8).padStart(3, '0');
    out['last-modified'] = rfc3339Seconds(s.mtime);
    out['user-id'] = uid;
    out.user = record?.user ?? this.#users.userName(uid);
    out['group-id'] = gid;
    out.group = record?.group ?? this.#users.groupName(gid);
    return out;
  }

  /** POST /v1/files with a multipart body: streams each file to disk. */
  async write(req: IncomingMessage, contentType: string): Promise<ItemResult[]> {
    const boundary = boundaryOf(contentType);
    if (boundary === undefined || boundary.length < 32)
      throw new HttpError(400, `invalid boundary "${boundary ?? ''}"`);
    const parser = new MultipartParser(boundary);
    type Meta = NonNullable<ZodOutput<ReturnType<typeof writeRequestSchema>>['files']>[number];
    const metas = new Map<string, Meta>();
    const order: string[] = [];
    const results = new Map<string, ItemResult>();
    let partIndex = -1;
    let requestText: Buffer[] | undefined = [];
    let current:
      | {
          path: string;
          tmp: string;
          stream: WriteStream | undefined;
          error: FileOpError | undefined;
        }
      | undefined;
    const fail = async (error: HttpError): Promise<never> => {
      if (current?.stream !== undefined) {
        current.stream.destroy();
        await rm(current.tmp, { force: true });
      }
      req.resume();
      throw error;
    };
    for await (const chunk of chunksOf(req)) {
      let events: ReturnType<MultipartParser['push']>;
      try {
        events = parser.push(chunk as Buffer);
      } catch (error) {
        return fail(
          new HttpError(400, `cannot read file part ${partIndex}: ${(error as Error).message}`),
        );
      }
      for (const event of events) {
        if (event.type === 'part') {
          partIndex++;
          if (partIndex === 0) {
            if (event.headers.name !== 'request') {
              return fail(
                new HttpError(
                  400,
                  `metadata field name must be "request", got "${event.headers.name ?? ''}"`,
                ),
              );
            }
            continue;
          }
          if (event.headers.name !== 'files') {
            return fail(
              new HttpError(400, `field name must be "files", got "${event.headers.name ?? ''}"`),
            );
          }
          const path = event.headers.filename ?? '';
          const meta = metas.get(path);
          if (meta === undefined) return fail(new HttpError(400, `no metadata for path "${path}"`));
          current = { path, tmp: '', stream: undefined, error: undefined };
          try {
            current.tmp = await this.#openTemp(meta, current);
          } catch (error) {
            current.error = opError('open', path, error);
          }
        } else if (event.type === 'data') {
          if (partIndex === 0) requestText?.push(Buffer.from(event.chunk));
          else if (current?.stream !== undefined && current.error === undefined) {
            if (!current.stream.write(event.chunk)) await drain(current.stream);
          }
        } else if (event.type === 'end-part') {
          if (partIndex === 0 && requestText !== undefined) {
            let parsed: ZodOutput<ReturnType<typeof writeRequestSchema>>;
            try {
              const r = safeParse(
                writeRequestSchema(),
                JSON.parse(Buffer.concat(requestText).toString('utf8')),
              );
              if (!r.success) throw new Error(r.error.issues[0]?.message ?? 'invalid');
              parsed = r.data;
            } catch (error) {
              return fail(
                new HttpError(400, `cannot decode request metadata: ${(error as Error).message}`),
              );
            }
            requestText = undefined;
            if (parsed.action !== 'write')
              return fail(
                new HttpError(400, `multipart action must be "write", got "${parsed.action}"`),
              );
            if ((parsed.files ?? []).length === 0)
              return fail(new HttpError(400, 'must specify one or more files'));
            for (const f of parsed.files ?? []) {
              metas.set(f.path, f);
              order.push(f.path);
            }
          } else if (current !== undefined) {
            const done = current;
            current = undefined;
            results.set(done.path, await this.#finish(done, metas.get(done.path)));
          }
        }
      }
    }
    if (!parser.done)
      return fail(new HttpError(400, `cannot read file part ${partIndex}: unexpected EOF`));
    return order.map(
      (path) =>
        results.get(path) ?? {
          path,
          error: { message: `no file content for path "${path}"`, kind: 'generic-file-error' },
        },
    );
  }

  async #openTemp(
    meta: OwnerMeta & { path: string; 'make-dirs'?: boolean | null | undefined },
    current: { stream: WriteStream | undefined },
  ): Promise<string> {
    if (!meta.path.startsWith('/'))
      throw new FileOpError(`paths must be absolute, got "${meta.path}"`, 'generic-file-error');
    parsePermissions(meta.permissions, 0o644);
    const owner = this.#owner(meta);
    const clean = posix.normalize(meta.path);
    if (meta['make-dirs']) {
      try {
        await this.#makeParents(posix.dirname(clean), owner);
      } catch (error) {
        const e = opError('mkdir', posix.dirname(clean), error);
        throw new FileOpError(`cannot create directory: ${e.message}`, e.kind);
      }
    }
    const base = posix.basename(clean);
    if (base.includes('*')) {
      throw new FileOpError(
        `cannot create tempfile for filename containing '*': "${base}"`,
        'generic-file-error',
      );
    }
    const tmpName = `${clean}.${randomInt(1_000_000_000)}~`;
    const tmp = this.hostPath(tmpName);
    const stream = createWriteStream(tmp, { flags: 'wx', highWaterMark: 4 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => {
        stream.off('error', reject);
        resolve();
      });
      stream.once('error', (error) => {
        reject(opError('open', tmpName, error));
      });
    });
    current.stream = stream;
    return tmp;
  }

  async #finish(
    done: {
      path: string;
      tmp: string;
      stream: WriteStream | undefined;
      error: FileOpError | undefined;
    },
    meta: OwnerMeta | undefined,
  ): Promise<ItemResult> {
    if (done.error !== undefined || done.stream === undefined) {
      const e = done.error ?? new FileOpError('cannot open file', 'generic-file-error');
      return { path: done.path, error: { message: e.message, kind: e.kind } };
    }
    try {
      await closeStream(done.stream);
      const perms = parsePermissions(meta?.permissions, 0o644);
      await chmod(done.tmp, perms);
      await rename(done.tmp, this.hostPath(done.path));
      this.#record(done.path, meta === undefined ? undefined : this.#owner(meta), perms);
      return { path: done.path };
    } catch (error) {
      await rm(done.tmp, { force: true });
      const e = opError('rename', done.path, error);
      return { path: done.path, error: { message: e.message, kind: e.kind } };
    }
  }

  /** GET /v1/files?action=read: streams a multipart reply (with a Content-Length). */
  async read(
    paths: string[],
    accept: string | undefined,
    res: ServerResponse,
    envelope: (result: unknown) => string,
  ): Promise<void> {
    if (paths.length === 0) throw new HttpError(400, 'must specify one or more paths');
    if (accept !== 'multipart/form-data')
      throw new HttpError(400, 'must accept multipart/form-data');
    const boundary = Array.from({ length: 60 }, () => '0123456789abcdef'[randomInt(16)]).join('');
    const results: ItemResult[] = [];
    const parts: { path: string; head: Buffer; size: number }[] = [];
    for (const path of paths) {
      if (!path.startsWith('/')) {
        results.push({
          path,
          error: { message: `paths must be absolute, got "${path}"`, kind: 'generic-file-error' },
        });
        continue;
      }
      try {
        const s = await stat(this.hostPath(path));
        if (!s.isFile()) {
          throw new FileOpError(`can only read a regular file: "${path}"`, 'generic-file-error');
        }
        const head = Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename=${quote(path)}\r\nContent-Type: application/octet-stream\r\n\r\n`,
        );
        parts.push({ path, head, size: Number(s.size) });
        results.push({ path });
      } catch (error) {
        const e = opError('stat', path, error);
        results.push({ path, error: { message: e.message, kind: e.kind } });
      }
    }
    const tail = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="response"\r\nContent-Type: application/json\r\n\r\n${envelope(results)}\n\r\n--${boundary}--\r\n`,
    );
    const length = parts.reduce((n, p) => n + p.head.length + p.size + 2, tail.length);
    res.writeHead(200, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(length),
    });
    const pool = new BufferPool(res);
    try {
      for (const part of parts) {
        await writeAll(res, part.head);
        if (part.size > 0) await sendFile(this.hostPath(part.path), part, res, pool);
        await writeAll(res, CRLF);
      }
      await writeAll(res, tail);
      res.end();
    } finally {
      pool.close();
    }
  }
}

/**
 * The chunks of a stream one by one, as they arrived. (A stream's own async iterator, in
 * paused mode, joins everything buffered into one new Buffer on each read: a copy per read.)
 * At most `limit` chunks are queued before the stream is paused.
 */
async function* chunksOf(stream: Readable, limit = 64): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (chunk: Buffer): void => {
    queue.push(chunk);
    if (queue.length >= limit) stream.pause();
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  const onError = (error: Error): void => {
    failure = error;
    notify();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('error', onError);
  stream.once('close', onEnd);
  try {
    for (;;) {
      let head = 0;
      while (head < queue.length) {
        const chunk = queue[head++];
        if (chunk !== undefined) yield chunk;
      }
      queue.length = 0;
      if (failure !== undefined) throw failure;
      if (ended) return;
      if (stream.isPaused()) stream.resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('error', onError);
    stream.off('close', onEnd);
  }
}

const READ_CHUNK = 1024 * 1024;
const READ_BUFFERS = 4;

/**
 * A few reusable read buffers: a buffer goes back to the pool only when the socket has
 * taken its bytes (the write callback), so that the file is read ahead while earlier
 * chunks are still being sent, and no buffer is allocated per chunk.
 */
class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #waiters: ((buf: Buffer | undefined) => void)[] = [];
  readonly #res: ServerResponse;
  readonly #onClose = (): void => {
    for (const wake of this.#waiters.splice(0)) wake(undefined);
  };

  constructor(res: ServerResponse) {
    this.#res = res;
    for (let i = 0; i < READ_BUFFERS; i++) this.#free.push(Buffer.allocUnsafeSlow(READ_CHUNK));
    res.on('close', this.#onClose);
  }

  /** A free buffer, once one is back; `undefined` when the client went away. */
  async take(): Promise<Buffer | undefined> {
    if (this.#res.destroyed) return undefined;
    const buf = this.#free.pop();
    if (buf !== undefined) return buf;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  give(buf: Buffer): void {
    const wake = this.#waiters.shift();
    if (wake !== undefined) wake(buf);
    else this.#free.push(buf);
  }

  close(): void {
    this.#res.off('close', this.#onClose);
  }
}

async function sendFile(
  hostPath: string,
  part: { path: string; size: number },
  res: ServerResponse,
  pool: BufferPool,
): Promise<void> {
  const file = await open(hostPath, 'r');
  try {
    let sent = 0;
    while (sent < part.size) {
      const buf = await pool.take();
      if (buf === undefined) throw new Error('client went away');
      const { bytesRead } = await file.read(buf, 0, Math.min(buf.length, part.size - sent), sent);
      if (bytesRead === 0) break;
      sent += bytesRead;
      res.write(buf.subarray(0, bytesRead), () => pool.give(buf));
    }
    // The file changed size while being sent: the promised length cannot be kept.
    if (sent !== part.size) throw new Error(`${part.path} changed size while being read`);
  } finally {
    await file.close();
  }
}

const CRLF = Buffer.from('\r\n');

async function writeAll(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.destroyed) throw new Error('client went away');
  if (!res.write(chunk)) {
    await new Promise<void>((resolve, reject) => {
      const ok = (): void => {
        res.off('close', gone);
        resolve();
      };
      const gone = (): void => {
        res.off('drain', ok);
        reject(new Error('client went away'));
      };
      res.once('drain', ok);
      res.once('close', gone);
    });
  }
}

/** Converts a shell glob (`*`, `?`, `[...]`) to a RegExp on whole names. @internal */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) throw new Error('syntax error in pattern');
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^') || body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/gu, '\\\\')}]`;
      i = end;
    } else if (c === '\\') {
      i++;
      out += pattern.charAt(i).replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');
  }
  return new RegExp(`^${out}$`, 'u');
}
