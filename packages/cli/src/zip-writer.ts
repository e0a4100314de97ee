import type { FileHandle } from 'node:fs/promises';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';
import { ZipError } from './errors.js';

const deflateRawAsync = promisify(deflateRaw);

/** One entry of a zip archive written by {@link writeZip}. */
export type ZipEntry =
  | {
      /** Path inside the archive, `/`-separated, relative. */
      readonly path: string;
      /** Unix permission bits (default `0o644`). */
      readonly mode?: number;
      /** The content. */
      readonly data: string | Uint8Array;
    }
  | {
      /** Path inside the archive, `/`-separated, relative. */
      readonly path: string;
      /** Unix permission bits (default: `0o755` when the file has any execute bit, else `0o644`). */
      readonly mode?: number;
      /** A file on disk whose content is streamed into the archive (never read whole). */
      readonly file: string;
    }
  | {
      /** Path inside the archive, `/`-separated, relative. */
      readonly path: string;
      /** The target of the symbolic link, relative to the link's directory. */
      readonly symlink: string;
    };

/** What {@link writeZip} wrote for one entry. */
export interface ZipEntryInfo {
  /** Path inside the archive. */
  readonly path: string;
  /** `file` or `symlink`. */
  readonly kind: 'file' | 'symlink';
  /** Unix permission bits stored in the archive. */
  readonly mode: number;
  /** Uncompressed size in bytes. */
  readonly size: number;
  /** Size in the archive in bytes. */
  readonly compressedSize: number;
}

/** Options of {@link writeZip}. */
export interface ZipWriteOptions {
  /** Deflate level, 0–9 (default 6). The same level always gives the same bytes. */
  readonly level?: number;
  /** Size of the independently deflated chunks of large files, in bytes (default 4 MiB). */
  readonly chunkSize?: number;
  /** How many chunks are deflated at once (default: the number of CPUs, at most 4). */
  readonly concurrency?: number;
  /**
   * Keep the entries in the order given instead of sorting them by path (the caller then owns
   * determinism). Extractors that stamp files with the extraction time make later entries
   * newer.
   */
  readonly keepOrder?: boolean;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const VERSION_NEEDED = 20;
const VERSION_MADE_BY = (3 << 8) | 20; // unix, zip 2.0
const FLAG_UTF8 = 0x0800;
const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const MAX_32 = 0xffffffff;
const STORED = 0;
const DEFLATED = 8;

interface CentralRecord {
  readonly name: Buffer;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly unixMode: number;
  readonly offset: number;
}

/**
 * Writes a deterministic zip archive: entries sorted by path (unless `keepOrder`), every
 * timestamp 1980-01-01 00:00, unix modes in the external attributes (so executables and symbolic links survive
 * `unzip`), UTF-8 names, no extra fields. The same entries and options always give
 * byte-identical output.
 *
 * Files on disk are streamed: they are read and deflated in chunks of `chunkSize`, several
 * chunks at once on the thread pool, and the chunks are joined into one valid deflate stream
 * (each chunk but the last ends with a sync flush). Memory stays bounded by
 * `chunkSize × concurrency × 2` whatever the file size.
 *
 * @example
 * ```ts
 * await writeZip('out.zip', [
 *   { path: 'dispatch', mode: 0o755, data: '#!/bin/sh\n' },
 *   { path: 'runtime/node', file: process.execPath },
 *   { path: 'hooks/install', symlink: '../dispatch' },
 * ]);
 * ```
 * @param outPath - The file to write (overwritten). Callers wanting atomicity write to a
 *   temporary name and rename.
 * @param entries - What to put in the archive.
 * @returns One {@link ZipEntryInfo} per entry, in archive order.
 * @throws {ZipError} for an invalid or duplicate path, or an archive too large without zip64.
 */
export async function writeZip(
  outPath: string,
  entries: readonly ZipEntry[],
  options: ZipWriteOptions = {},
): Promise<ZipEntryInfo[]> {
  const level = options.level ?? 6;
  const chunkSize = options.chunkSize ?? 4 * 1024 * 1024;
  const concurrency = Math.max(1, options.concurrency ?? Math.min(4, availableParallelism()));
  const sorted = options.keepOrder
    ? [...entries]
    : [...entries].sort((a, b) => compareNames(a.path, b.path));
  const seen = new Set<string>();
  for (const current of sorted) {
    checkPath(current.path);
    if (seen.has(current.path)) {
      throw new ZipError(`${current.path}: duplicate path in the archive`, { file: current.path });
    }
    seen.add(current.path);
  }

  const out = await open(outPath, 'w');
  const records: CentralRecord[] = [];
  const infos: ZipEntryInfo[] = [];
  let offset = 0;
  try {
    for (const entry of sorted) {
      const name = Buffer.from(entry.path, 'utf8');
      checkSize(offset, entry.path);
      if ('file' in entry) {
        const st = await stat(entry.file);
        if (!st.isFile()) {
          throw new ZipError(`${entry.file}: not a regular file (for ${entry.path})`, {
            file: entry.file,
          });
        }
        const mode = entry.mode ?? ((st.mode & 0o111) !== 0 ? 0o755 : 0o644);
        checkSize(st.size, entry.path);
        const dataStart = offset + 30 + name.length;
        let crc = 0;
        let compressedSize = 0;
        let method = STORED;
        if (st.size > 0) {
          method = DEFLATED;
          const result = await deflateFile(out, entry.file, st.size, dataStart, {
            level,
            chunkSize,
            concurrency,
          });
          crc = result.crc;
          compressedSize = result.compressedSize;
        }
        checkSize(compressedSize, entry.path);
        const header = localHeader(name, method, crc, compressedSize, st.size);
        await writeAll(out, header, offset);
        records.push({
          name,
          method,
          crc,
          compressedSize,
          size: st.size,
          unixMode: S_IFREG | mode,
          offset,
        });
        infos.push({ path: entry.path, kind: 'file', mode, size: st.size, compressedSize });
        offset = dataStart + compressedSize;
      } else {
        const isLink = 'symlink' in entry;
        const raw = isLink
          ? Buffer.from(entry.symlink, 'utf8')
          : typeof entry.data === 'string'
            ? Buffer.from(entry.data, 'utf8')
            : Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
        const mode = isLink ? 0o777 : (entry.mode ?? 0o644);
        checkSize(raw.length, entry.path);
        let method = STORED;
        let body: Buffer = raw;
        if (!isLink && raw.length > 0) {
          const deflated = deflateRawSync(raw, { level });
          if (deflated.length < raw.length) {
            method = DEFLATED;
            body = deflated;
          }
        }
        const crc = raw.length === 0 ? 0 : crc32(raw);
        const header = localHeader(name, method, crc, body.length, raw.length);
        await writeAll(out, header, offset);
        await writeAll(out, body, offset + header.length);
        records.push({
          name,
          method,
          crc,
          compressedSize: body.length,
          size: raw.length,
          unixMode: (isLink ? S_IFLNK : S_IFREG) | mode,
          offset,
        });
        infos.push({
          path: entry.path,
          kind: isLink ? 'symlink' : 'file',
          mode,
          size: raw.length,
          compressedSize: body.length,
        });
        offset += header.length + body.length;
      }
    }
    const centralStart = offset;
    checkSize(centralStart, 'central directory');
    for (const record of records) {
      const header = centralHeader(record);
      await writeAll(out, header, offset);
      offset += header.length;
    }
    checkSize(offset, 'central directory');
    if (records.length > 0xffff) {
      throw new ZipError(`too many entries (${records.length}) for a zip archive without zip64`);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
    end.writeUInt16LE(records.length, 8);
    end.writeUInt16LE(records.length, 10);
    end.writeUInt32LE(offset - centralStart, 12);
    end.writeUInt32LE(centralStart, 16);
    await writeAll(out, end, offset);
  } finally {
    await out.close();
  }
  return infos;
}

function compareNames(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}

function checkPath(path: string): void {
  const bad =
    path === '' ||
    path.startsWith('/') ||
    path.endsWith('/') ||
    path.includes('\\') ||
    path.includes('\0') ||
    path.split('/').some((part) => part === '' || part === '.' || part === '..');
  if (bad) {
    throw new ZipError(
      `${JSON.stringify(path)}: invalid path in the archive (expected a relative path without "." or ".." parts)`,
      { file: path },
    );
  }
}

function checkSize(value: number, what: string): void {
  if (value > MAX_32) {
    throw new ZipError(`${what}: larger than 4 GiB, which needs zip64 (not supported)`);
  }
}

function localHeader(
  name: Buffer,
  method: number,
  crc: number,
  compressedSize: number,
  size: number,
): Buffer {
  const header = Buffer.alloc(30 + name.length);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(FLAG_UTF8, 6);
  header.writeUInt16LE(method, 8);
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  header.writeUInt32LE(crc >>> 0, 14);
  header.writeUInt32LE(compressedSize, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(0, 28);
  name.copy(header, 30);
  return header;
}

function centralHeader(record: CentralRecord): Buffer {
  const header = Buffer.alloc(46 + record.name.length);
  header.writeUInt32LE(CENTRAL_HEADER, 0);
  header.writeUInt16LE(VERSION_MADE_BY, 4);
  header.writeUInt16LE(VERSION_NEEDED, 6);
  header.writeUInt16LE(FLAG_UTF8, 8);
  header.writeUInt16LE(record.method, 10);
  header.writeUInt16LE(DOS_TIME, 12);
  header.writeUInt16LE(DOS_DATE, 14);
  header.writeUInt32LE(record.crc >>> 0, 16);
  header.writeUInt32LE(record.compressedSize, 20);
  header.writeUInt32LE(record.size, 24);
  header.writeUInt16LE(record.name.length, 28);
  // extra length, comment length, disk number start, internal attributes: all 0
  header.writeUInt32LE((record.unixMode << 16) >>> 0, 38);
  header.writeUInt32LE(record.offset, 42);
  record.name.copy(header, 46);
  return header;
}

async function writeAll(out: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await out.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

interface DeflateSettings {
  readonly level: number;
  readonly chunkSize: number;
  readonly concurrency: number;
}

interface Chunk {
  readonly raw: Buffer;
  readonly deflated: Buffer;
}

async function deflateFile(
  out: FileHandle,
  path: string,
  size: number,
  position: number,
  settings: DeflateSettings,
): Promise<{ crc: number; compressedSize: number }> {
  const src = await open(path, 'r');
  try {
    const count = Math.ceil(size / settings.chunkSize);
    const inFlight: Promise<Chunk>[] = [];
    let next = 0;
    const startNext = (): void => {
      const index = next++;
      const chunk = readAndDeflate(src, path, index, count, size, settings);
      // Avoid an unhandled rejection while an earlier chunk is still awaited.
      chunk.catch(() => undefined);
      inFlight.push(chunk);
    };
    while (next < count && inFlight.length < settings.concurrency) startNext();
    let crc = 0;
    let written = 0;
    while (inFlight.length > 0) {
      const pending = inFlight.shift();
      if (pending === undefined) break;
      const chunk = await pending;
      if (next < count) startNext();
      crc = crc32(chunk.raw, crc);
      await writeAll(out, chunk.deflated, position + written);
      written += chunk.deflated.length;
    }
    return { crc, compressedSize: written };
  } finally {
    await src.close();
  }
}

async function readAndDeflate(
  src: FileHandle,
  path: string,
  index: number,
  count: number,
  size: number,
  settings: DeflateSettings,
): Promise<Chunk> {
  const start = index * settings.chunkSize;
  const length = Math.min(settings.chunkSize, size - start);
  const raw = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await src.read(raw, done, length - done, start + done);
    if (bytesRead === 0) {
      throw new ZipError(`${path}: the file shrank while it was being packed`, { file: path });
    }
    done += bytesRead;
  }
  const last = index === count - 1;
  const deflated = await deflateRawAsync(raw, {
    level: settings.level,
    finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
  });
  return { raw, deflated };
}
