// Throughput of push, pull and exec stdout through the fake Pebble server, next to a raw
// unix-socket copy of the same number of bytes (the floor), with the client process's peak
// RSS. The fake server runs in a child process, so the RSS is the client's alone.
// Run: `pnpm bench` (after `pnpm build`). PEBBLE_BENCH_MIB sets the size (default 256),
// PEBBLE_BENCH_ROUNDS the number of interleaved rounds (default 3; the best of each is kept,
// which damps the noise of a shared machine).
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PebbleClient } from '@opsjs/pebble';

const mib = Number(process.env.PEBBLE_BENCH_MIB ?? '256');
const rounds = Number(process.env.PEBBLE_BENCH_ROUNDS ?? '3');
const size = mib * 1024 * 1024;
const child = fork(fileURLToPath(new URL('./bench-server.ts', import.meta.url)));
const addresses = await new Promise<{ pebble: string; raw: string }>((resolve) => {
  child.once('message', (m) => resolve(m as { pebble: string; raw: string }));
});

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

const client = new PebbleClient({ socketPath: addresses.pebble, timeoutMs: 60_000 });
const chunk = Buffer.alloc(1024 * 1024, 0x62);
async function* source(bytes: number): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < bytes; sent += chunk.length) yield chunk;
}

const steps: Record<string, (bytes: number) => Promise<number>> = {
  raw: async (bytes) => {
    const socket = connect(addresses.raw);
    socket.write(`${bytes}\n`);
    return drain(socket);
  },
  push: async (bytes) => {
    await client.push(`/bench-${bytes}.bin`, source(bytes));
    return bytes;
  },
  pull: async (bytes) => drain(await client.pull(`/bench-${bytes}.bin`, { encoding: null })),
  exec: async (bytes) => {
    const proc = await client.exec(['produce', String(bytes)]);
    const stdout = proc.stdout;
    if (stdout === undefined) throw new Error('no stdout');
    const [n] = await Promise.all([drain(stdout), proc.wait()]);
    return n;
  },
};

async function measure(name: string, bytes: number): Promise<number> {
  const step = steps[name];
  if (step === undefined) throw new Error(name);
  const start = process.hrtime.bigint();
  const got = await step(bytes);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (got !== bytes) throw new Error(`${name}: expected ${bytes} bytes, got ${got}`);
  return bytes / 1e6 / seconds;
}

const rssStart = process.memoryUsage().rss;
const warm = Math.min(size, 16 * 1024 * 1024);
for (const name of Object.keys(steps)) await measure(name, warm);
const best: Record<string, number> = {};
for (let round = 0; round < rounds; round++) {
  for (const name of Object.keys(steps)) {
    best[name] = Math.max(best[name] ?? 0, await measure(name, size));
  }
}
await client.close();
const peak = process.resourceUsage().maxRSS * 1024;
child.send('stop');

const raw = best.raw ?? 1;
const row = (label: string, name: string): string => {
  const v = best[name] ?? 0;
  return `| ${label.padEnd(30)} | ${v.toFixed(0).padStart(6)} MB/s | ${((v / raw) * 100).toFixed(0).padStart(5)}% |`;
};
console.log(`@opsjs/pebble throughput: ${mib} MiB per step, best of ${rounds} interleaved rounds`);
console.log('| step                           |  throughput | vs raw |');
console.log('|--------------------------------|-------------|--------|');
console.log(row('raw unix-socket copy (floor)', 'raw'));
console.log(row('push (multipart, streamed)', 'push'));
console.log(row('pull (multipart, streamed)', 'pull'));
console.log(row('exec stdout (websocket)', 'exec'));
console.log(
  `client peak RSS: ${(peak / 2 ** 20).toFixed(0)} MiB (${(rssStart / 2 ** 20).toFixed(0)} MiB at start; ${mib} MiB moved per step)`,
);
