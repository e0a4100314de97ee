// Throughput of push, pull and exec stdout through the fake Pebble server, next to a raw
// unix-socket copy of the same number of bytes (the floor), with the client process's peak
// RSS. The fake server runs in a child process, so the RSS is the client's alone.
// Run: `pnpm bench` (after `pnpm build`). PEBBLE_BENCH_MIB sets the size (default 256),
// PEBBLE_BENCH_ROUNDS the number of interleaved rounds (default 3; the best of each is kept,
// which damps the noise of a shared machine). PEBBLE_BENCH_STEPS=raw,pull runs only those steps
// (for profiling one path with `node --cpu-prof`).
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PebbleClient } from '@opsjs/pebble';

const mib = Number(process.env.PEBBLE_BENCH_MIB ?? '256');
const rounds = Number(process.env.PEBBLE_BENCH_ROUNDS ?? '3');
const size = mib * 1024 * 1024;
const child = fork(fileURLToPath(new URL('./bench-server.ts', import.meta.url)));
// Never leave the server behind, even when a step fails.
process.on('exit', () => child.kill());
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

/** The server process's CPU time (user + system), in microseconds. */
async function serverCpu(): Promise<number> {
  const reply = new Promise<number>((resolve) => {
    child.once('message', (m) => resolve(Number((m as { cpu: number }).cpu)));
  });
  child.send('cpu');
  return reply;
}

function clientCpu(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** Throughput in MB/s, and CPU seconds per GiB moved in the client and the server. */
async function measure(
  name: string,
  bytes: number,
): Promise<{ mbps: number; client: number; server: number }> {
  const step = steps[name];
  if (step === undefined) throw new Error(name);
  const server0 = await serverCpu();
  const client0 = clientCpu();
  const start = process.hrtime.bigint();
  const got = await step(bytes);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const client1 = clientCpu();
  const server1 = await serverCpu();
  if (got !== bytes) throw new Error(`${name}: expected ${bytes} bytes, got ${got}`);
  const perGiB = 2 ** 30 / bytes / 1e6;
  return {
    mbps: bytes / 1e6 / seconds,
    client: (client1 - client0) * perGiB,
    server: (server1 - server0) * perGiB,
  };
}

const selected = (process.env.PEBBLE_BENCH_STEPS ?? Object.keys(steps).join(','))
  .split(',')
  .filter((name) => name in steps);
// pull reads what push wrote.
if (selected.includes('pull') && !selected.includes('push')) {
  for (const bytes of new Set([size, Math.min(size, 16 * 1024 * 1024)])) await steps.push?.(bytes);
}
const rssStart = process.memoryUsage().rss;
const warm = Math.min(size, 16 * 1024 * 1024);
for (const name of selected) await measure(name, warm);
const best: Record<string, number> = {};
const cpu: Record<string, { client: number; server: number }> = {};
for (let round = 0; round < rounds; round++) {
  for (const name of selected) {
    const m = await measure(name, size);
    best[name] = Math.max(best[name] ?? 0, m.mbps);
    const seen = cpu[name];
    cpu[name] = {
      client: Math.min(seen?.client ?? Number.POSITIVE_INFINITY, m.client),
      server: Math.min(seen?.server ?? Number.POSITIVE_INFINITY, m.server),
    };
  }
}
await client.close();
const peak = process.resourceUsage().maxRSS * 1024;
child.send('stop');

const raw = best.raw ?? 1;
const row = (label: string, name: string): string => {
  const v = best[name] ?? 0;
  const c = cpu[name];
  const secs = (n: number | undefined): string =>
    (n === undefined ? '-' : n.toFixed(2)).padStart(10);
  return `| ${label.padEnd(30)} | ${v.toFixed(0).padStart(6)} MB/s | ${((v / raw) * 100).toFixed(0).padStart(5)}% | ${secs(c?.client)} | ${secs(c?.server)} |`;
};
console.log(`@opsjs/pebble throughput: ${mib} MiB per step, best of ${rounds} interleaved rounds`);
console.log(
  'CPU: seconds of CPU time per GiB moved (lowest of the rounds), client and server process',
);
console.log('| step                           |  throughput | vs raw | client CPU | server CPU |');
console.log('|--------------------------------|-------------|--------|------------|------------|');
console.log(row('raw unix-socket copy (floor)', 'raw'));
console.log(row('push (multipart, streamed)', 'push'));
console.log(row('pull (multipart, streamed)', 'pull'));
console.log(row('exec stdout (websocket)', 'exec'));
console.log(
  `client peak RSS: ${(peak / 2 ** 20).toFixed(0)} MiB (${(rssStart / 2 ** 20).toFixed(0)} MiB at start; ${mib} MiB moved per step)`,
);
