import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZipError } from '../src/errors.js';
import { listZip, unpackCharm } from '../src/zip-reader.js';
import { writeZip } from '../src/zip-writer.js';
import { readZip } from './helpers/read-zip.js';
import { hasCommand, useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();
const hasUnzip = hasCommand('unzip', '-v');
const hasPython = hasCommand('python3', '--version');

function pseudoRandom(size: number, seed: number): Buffer {
  const buf = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    // Half random bytes, half text-like runs so deflate has work of both kinds.
    buf[i] = i % 4096 < 2048 ? x >>> 24 : 97 + (i % 7);
  }
  return buf;
}

describe('writeZip', () => {
  it('writes sorted entries with fixed timestamps, modes and a symlink, readable back', async () => {
    const dir = tempDir();
    const script = join(dir, 'script.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o700);
    const zip = join(dir, 'out.zip');
    const infos = await writeZip(zip, [
      { path: 'b.txt', data: 'hello hello hello hello hello hello' },
      { path: 'a/run', file: script },
      { path: 'hooks/install', symlink: '../a/run' },
      { path: 'empty', data: '' },
    ]);
    expect(infos.map((i) => i.path)).toEqual(['a/run', 'b.txt', 'empty', 'hooks/install']);
    const entries = readZip(zip);
    expect(entries.map((e) => e.path)).toEqual(['a/run', 'b.txt', 'empty', 'hooks/install']);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get('a/run')?.unixMode).toBe(0o100755);
    expect(byPath.get('b.txt')?.unixMode).toBe(0o100644);
    expect(byPath.get('b.txt')?.method).toBe(8);
    expect(byPath.get('b.txt')?.data.toString()).toBe('hello hello hello hello hello hello');
    expect(byPath.get('hooks/install')?.unixMode).toBe(0o120777);
    expect(byPath.get('hooks/install')?.data.toString()).toBe('../a/run');
    expect(byPath.get('empty')?.data.length).toBe(0);
    for (const entry of entries) {
      expect(entry.dosDate).toBe(0x21);
      expect(entry.dosTime).toBe(0);
    }
  });

  it('gives byte-identical archives for the same inputs in any order', async () => {
    const dir = tempDir();
    const big = join(dir, 'big.bin');
    writeFileSync(big, pseudoRandom(300_000, 7));
    const one = join(dir, 'one.zip');
    const two = join(dir, 'two.zip');
    await writeZip(one, [
      { path: 'x', data: 'x' },
      { path: 'big', file: big },
    ]);
    await writeZip(
      two,
      [
        { path: 'big', file: big },
        { path: 'x', data: 'x' },
      ],
      { concurrency: 1 },
    );
    expect(readFileSync(one).equals(readFileSync(two))).toBe(true);
  });

  it('streams a file in several deflated chunks that inflate to the original', async () => {
    const dir = tempDir();
    const src = join(dir, 'src.bin');
    const content = pseudoRandom(1_000_003, 3);
    writeFileSync(src, content);
    const zip = join(dir, 'chunked.zip');
    const [info] = await writeZip(zip, [{ path: 'src.bin', file: src }], {
      chunkSize: 64 * 1024,
      concurrency: 3,
    });
    expect(info?.size).toBe(content.length);
    expect(info?.compressedSize).toBeLessThan(content.length);
    const [entry] = readZip(zip);
    expect(entry?.data.equals(content)).toBe(true);
  });

  it.runIf(hasUnzip)('passes unzip -t and extracts modes and symlinks', async () => {
    const dir = tempDir();
    const src = join(dir, 'run');
    writeFileSync(src, pseudoRandom(200_000, 1));
    chmodSync(src, 0o755);
    const zip = join(dir, 'out.zip');
    await writeZip(
      zip,
      [
        { path: 'bin/run', file: src },
        { path: 'link', symlink: 'bin/run' },
        { path: 'note.txt', data: 'note\n' },
      ],
      { chunkSize: 32 * 1024 },
    );
    const test = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    const dest = join(dir, 'x');
    const extract = spawnSync('unzip', ['-q', zip, '-d', dest], { encoding: 'utf8' });
    expect(extract.status, extract.stderr).toBe(0);
    expect(statSync(join(dest, 'bin/run')).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(dest, 'bin/run')).equals(readFileSync(src))).toBe(true);
    expect(readlinkSync(join(dest, 'link'))).toBe('bin/run');
  });

  it.runIf(hasPython)('passes python3 -m zipfile -t', async () => {
    const dir = tempDir();
    const src = join(dir, 'data');
    writeFileSync(src, pseudoRandom(150_000, 9));
    const zip = join(dir, 'out.zip');
    await writeZip(zip, [{ path: 'data', file: src }], { chunkSize: 16 * 1024 });
    const result = spawnSync('python3', ['-m', 'zipfile', '-t', zip], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
  });

  it('rejects duplicate and escaping paths', async () => {
    const dir = tempDir();
    await expect(
      writeZip(join(dir, 'dup.zip'), [
        { path: 'a', data: '1' },
        { path: 'a', data: '2' },
      ]),
    ).rejects.toThrow('a: duplicate path in the archive');
    await expect(writeZip(join(dir, 'esc.zip'), [{ path: '../a', data: '1' }])).rejects.toThrow(
      ZipError,
    );
    await expect(writeZip(join(dir, 'abs.zip'), [{ path: '/a', data: '1' }])).rejects.toThrow(
      'invalid path in the archive',
    );
  });
});

describe('unpackCharm', () => {
  it('extracts files with modes and symlinks, streaming and checking each CRC', async () => {
    const dir = tempDir();
    const big = join(dir, 'big');
    const content = pseudoRandom(500_000, 5);
    writeFileSync(big, content);
    chmodSync(big, 0o755);
    const zip = join(dir, 'x.charm');
    await writeZip(
      zip,
      [
        { path: 'runtime/node', file: big },
        { path: 'hooks/install', symlink: '../dispatch' },
        { path: 'dispatch', mode: 0o755, data: '#!/bin/sh\n' },
        { path: 'empty.txt', data: '' },
      ],
      { chunkSize: 64 * 1024 },
    );
    const dest = join(dir, 'out');
    const entries = await unpackCharm(zip, dest);
    expect(entries.map((e) => [e.path, e.kind, e.mode])).toEqual([
      ['dispatch', 'file', 0o755],
      ['empty.txt', 'file', 0o644],
      ['hooks/install', 'symlink', 0o777],
      ['runtime/node', 'file', 0o755],
    ]);
    expect(readFileSync(join(dest, 'runtime/node')).equals(content)).toBe(true);
    expect(statSync(join(dest, 'runtime/node')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(dest, 'hooks/install'))).toBe('../dispatch');
    expect(readFileSync(join(dest, 'empty.txt'), 'utf8')).toBe('');
    expect((await listZip(zip)).map((e) => e.path)).toEqual(entries.map((e) => e.path));
  });

  it('rejects a corrupt entry and a file that is not a zip', async () => {
    const dir = tempDir();
    const zip = join(dir, 'x.zip');
    await writeZip(zip, [
      { path: 'a.txt', data: 'some text that deflates, some text that deflates' },
    ]);
    const bytes = readFileSync(zip);
    bytes[40] = (bytes[40] ?? 0) ^ 0xff; // inside a.txt's deflated data
    writeFileSync(zip, bytes);
    await expect(unpackCharm(zip, join(dir, 'out'))).rejects.toThrow();
    const notZip = join(dir, 'not.zip');
    writeFileSync(notZip, 'hello');
    await expect(listZip(notZip)).rejects.toThrow(`${notZip}: not a zip archive`);
  });
});
