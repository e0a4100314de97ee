import { readFileSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';

/** One entry read back from a zip archive. */
export interface ReadEntry {
  readonly path: string;
  readonly method: number;
  readonly unixMode: number;
  readonly data: Buffer;
  readonly dosTime: number;
  readonly dosDate: number;
}

/**
 * Reads a (small enough to fit in memory) zip archive through its central directory,
 * checking each entry's local header, sizes and CRC.
 */
export function readZip(path: string): ReadEntry[] {
  const buf = readFileSync(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central header ${i}`);
    const method = buf.readUInt16LE(at + 10);
    const dosTime = buf.readUInt16LE(at + 12);
    const dosDate = buf.readUInt16LE(at + 14);
    const crc = buf.readUInt32LE(at + 16);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const external = buf.readUInt32LE(at + 38);
    const offset = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (buf.readUInt32LE(offset) !== 0x04034b50) throw new Error(`bad local header ${name}`);
    const localName = buf.readUInt16LE(offset + 26);
    const localExtra = buf.readUInt16LE(offset + 28);
    if (buf.readUInt32LE(offset + 14) !== crc) throw new Error(`local crc differs ${name}`);
    const start = offset + 30 + localName + localExtra;
    const body = buf.subarray(start, start + compressedSize);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    if (data.length !== size) throw new Error(`size mismatch ${name}`);
    if ((size === 0 ? 0 : crc32(data)) !== crc) throw new Error(`crc mismatch ${name}`);
    entries.push({ path: name, method, unixMode: external >>> 16, data, dosTime, dosDate });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
