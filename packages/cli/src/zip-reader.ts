import { createReadStream, createWriteStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { chmod, mkdir, open, symlink } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { TransformCallback } from 'node:stream';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';
import { ZipError } from './errors.js';

/** One entry of a zip archive's central directory. */
export interface ZipDirectoryEntry {
  /** Path inside the archive. */
  readonly path: string;
  /** `file`, `symlink` or `directory`. */
  readonly kind: 'file' | 'symlink' | 'directory';
  /** Unix permission bits (`0o644` when the archive has none). */
  readonly mode: number;
  /** Uncompressed size in bytes. */
  readonly size: number;
  /** Size in the archive in bytes. */
  readonly compressedSize: number;
  /** 0 (stored) or 8 (deflated). */
  readonly method: number;
  /** CRC-32 of the content. */
  readonly crc: number;
  /** Offset of the local header. */
  readonly offset: number;
}

/**
 * Lists a zip archive (a `.charm`) from its central directory, without reading the entries.
 *
 * @throws {ZipError} when the file is not a zip archive this reader understands (zip64,
 *   encryption and multi-disk archives are not supported).
 */
export async function listZip(zipPath: string): Promise<ZipDirectoryEntry[]> {
  const file = await open(zipPath, 'r');
  try {
    const { size } = await file.stat();
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = await readAt(file, size - tailLength, tailLength);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new ZipError(`${zipPath}: not a zip archive`, { file: zipPath });
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || count === 0xffff) {
      throw new ZipError(`${zipPath}: zip64 archives are not supported`, { file: zipPath });
    }
    const cd = await readAt(file, cdOffset, cdSize);
    const entries: ZipDirectoryEntry[] = [];
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(at) !== 0x02014b50) {
        throw new ZipError(`${zipPath}: corrupt central directory (entry ${i})`, { file: zipPath });
      }
      const madeBy = cd.readUInt16LE(at + 4) >> 8;
      const flags = cd.readUInt16LE(at + 8);
      const method = cd.readUInt16LE(at + 10);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      const external = cd.readUInt32LE(at + 38);
      const path = cd.subarray(at + 46, at + 46 + nameLength).toString('utf8');
      if ((flags & 1) !== 0) {
        throw new ZipError(`${zipPath}: ${path}: encrypted entries are not supported`, {
          file: zipPath,
        });
      }
      if (method !== 0 && method !== 8) {
        throw new ZipError(`${zipPath}: ${path}: unsupported compression method ${method}`, {
          file: zipPath,
        });
      }
      const unixMode = madeBy === 3 ? external >>> 16 : 0;
      const type = unixMode & 0o170000;
      const kind =
        path.endsWith('/') || type === 0o040000
          ? 'directory'
          : type === 0o120000
            ? 'symlink'
            : 'file';
      entries.push({
        path,
        kind,
        mode: unixMode === 0 ? (kind === 'directory' ? 0o755 : 0o644) : unixMode & 0o7777,
        size: cd.readUInt32LE(at + 24),
        compressedSize: cd.readUInt32LE(at + 20),
        method,
        crc: cd.readUInt32LE(at + 16),
        offset: cd.readUInt32LE(at + 42),
      });
      at += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
  } finally {
    await file.close();
  }
}

/**
 * Extracts a `.charm` (zip) into `destDir` as Juju unpacks it: unix modes restored (so
 * `dispatch` and the runtime stay executable), symbolic links recreated, every file streamed
 * through inflate and checked against its CRC-32.
 *
 * @example
 * ```ts
 * await unpackCharm('build/my-charm_ubuntu-24.04-amd64.charm', '/tmp/charm');
 * // then run /tmp/charm/dispatch with JUJU_DISPATCH_PATH=hooks/install and fake hook tools
 * ```
 * @returns The entries extracted.
 * @throws {ZipError} for an unsupported or corrupt archive, or an entry escaping `destDir`.
 */
export async function unpackCharm(
  charmPath: string,
  destDir: string,
): Promise<ZipDirectoryEntry[]> {
  const entries = await listZip(charmPath);
  const root = resolve(destDir);
  await mkdir(root, { recursive: true });
  const file = await open(charmPath, 'r');
  try {
    for (const entry of entries) {
      const target = resolve(root, entry.path);
      if (target !== root && !target.startsWith(`${root}${sep}`)) {
        throw new ZipError(`${charmPath}: ${entry.path}: path escapes the destination`, {
          file: charmPath,
        });
      }
      if (entry.kind === 'directory') {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      const header = await readAt(file, entry.offset, 30);
      if (header.readUInt32LE(0) !== 0x04034b50) {
        throw new ZipError(`${charmPath}: ${entry.path}: corrupt local header`, {
          file: charmPath,
        });
      }
      const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      if (entry.kind === 'symlink') {
        const raw = await readAt(file, start, entry.compressedSize);
        await symlink(raw.toString('utf8'), target);
        continue;
      }
      const source =
        entry.compressedSize === 0
          ? new PassThrough().end()
          : createReadStream(charmPath, { start, end: start + entry.compressedSize - 1 });
      const check = new CrcCheck(entry, charmPath);
      await pipeline(
        source,
        entry.method === 8 ? createInflateRaw() : new PassThrough(),
        check,
        createWriteStream(target, { mode: entry.mode }),
      );
      await chmod(target, entry.mode);
    }
  } finally {
    await file.close();
  }
  return entries;
}

/** @internal Passes data through, failing at the end when its size or CRC-32 differs. */
class CrcCheck extends Transform {
  #crc = 0;
  #size = 0;
  readonly #entry: ZipDirectoryEntry;
  readonly #archive: string;

  constructor(entry: ZipDirectoryEntry, archive: string) {
    super();
    this.#entry = entry;
    this.#archive = archive;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#crc = crc32(chunk, this.#crc);
    this.#size += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.#size !== this.#entry.size || this.#crc >>> 0 !== this.#entry.crc) {
      done(
        new ZipError(`${this.#archive}: ${this.#entry.path}: corrupt data (size or CRC mismatch)`, {
          file: this.#archive,
        }),
      );
      return;
    }
    done();
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}
