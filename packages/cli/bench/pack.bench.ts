// Packing benchmark: the cost of putting a ~120 MB Node runtime into a .charm, next to two
// floors measured in the same run (a raw file copy, and one single-threaded deflate stream).
// Run with `pnpm bench` (builds first through turbo) or `node bench/pack.bench.ts`.

import { createReadStream } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw } from 'node:zlib';
import { pack, writeZip } from '@opsjs/cli';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const runtime = process.execPath;
const work = await mkdtemp(join(tmpdir(), 'opsjs-cli-bench-'));

async function median(label: string, fn: () => Promise<number | undefined>): Promise<Row> {
  const times: number[] = [];
  let size: number | undefined;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    size = await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { label, ms: times[Math.floor(times.length / 2)] ?? 0, size };
}

interface Row {
  readonly label: string;
  readonly ms: number;
  readonly size: number | undefined;
}

async function deflateStream(level: number): Promise<number> {
  let out = 0;
  await pipeline(
    createReadStream(runtime, { highWaterMark: 1 << 20 }),
    createDeflateRaw({ level }),
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) out += chunk.length;
    },
  );
  return out;
}

async function zipRuntime(level: number, concurrency?: number): Promise<number> {
  const out = join(work, `runtime-${level}.zip`);
  await writeZip(out, [{ path: 'runtime/node', file: runtime }], {
    level,
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  return (await stat(out)).size;
}

// A tiny charm project whose runtime package links to this Node binary.
const project = join(work, 'project');
await cp(join(import.meta.dirname, '..', 'test', 'fixtures', 'hook-charm'), project, {
  recursive: true,
});
const platform = join(project, 'node_modules', `node-linux-${process.arch}`);
await mkdir(join(platform, 'bin'), { recursive: true });
await writeFile(
  join(platform, 'package.json'),
  JSON.stringify({
    name: `node-linux-${process.arch}`,
    version: process.version.slice(1),
    cpu: process.arch,
    bin: { node: 'bin/node' },
  }),
);
await symlink(runtime, join(platform, 'bin', 'node'));

const { size: runtimeSize } = await stat(runtime);
const rows: Row[] = [];
rows.push(
  await median('floor: copy the runtime file', async () => {
    await copyFile(runtime, join(work, 'copy'));
    return runtimeSize;
  }),
);
rows.push(await median('floor: one deflate stream, level 4', () => deflateStream(4)));
rows.push(await median('floor: one deflate stream, level 6', () => deflateStream(6)));
rows.push(await median('writeZip runtime, level 4, 1 chunk at a time', () => zipRuntime(4, 1)));
rows.push(await median('writeZip runtime, level 4 (default concurrency)', () => zipRuntime(4)));
rows.push(await median('writeZip runtime, level 6 (default concurrency)', () => zipRuntime(6)));
rows.push(
  await median('opsjs pack (bundle + metadata + runtime)', async () => {
    const result = await pack({
      dir: project,
      out: join(work, 'out'),
      arch: process.arch === 'arm64' ? 'arm64' : 'amd64',
    });
    return result.size;
  }),
);
rows.push(
  await median('opsjs pack --no-runtime', async () => {
    const result = await pack({
      dir: project,
      out: join(work, 'out-nr'),
      arch: process.arch === 'arm64' ? 'arm64' : 'amd64',
      noRuntime: true,
    });
    return result.size;
  }),
);
await rm(work, { recursive: true, force: true });

const floor = rows[0]?.ms ?? 1;
const mib = (n: number | undefined): string =>
  n === undefined ? '' : `${(n / 1048576).toFixed(1)} MiB`;
console.log(
  `Node runtime ${runtime}: ${mib(runtimeSize)}; median of ${RUNS} runs; ratio vs the copy floor`,
);
console.log(
  `| ${'what'.padEnd(48)} | ${'ms'.padStart(7)} | ${'x copy'.padStart(7)} | ${'output'.padStart(10)} |`,
);
console.log(`|${'-'.repeat(50)}|${'-'.repeat(9)}|${'-'.repeat(9)}|${'-'.repeat(12)}|`);
for (const row of rows) {
  console.log(
    `| ${row.label.padEnd(48)} | ${row.ms.toFixed(0).padStart(7)} | ${(row.ms / floor).toFixed(1).padStart(7)} | ${mib(row.size).padStart(10)} |`,
  );
}
