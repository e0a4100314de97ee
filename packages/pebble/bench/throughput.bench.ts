// Throughput of push, pull and exec stdout through the fake Pebble server, next to a raw
// unix-socket copy of the same bytes (the floor), with the client process's peak RSS.
// Run: `pnpm bench` (after `pnpm build`); PEBBLE_BENCH_MIB sets the size (default 256).
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PebbleClient } from '@opsjs/pebble';

const mib = Number(process.env.PEBBLE_BENCH_MIB ?? '256');
const size = mib * 1024 * 1024;
const child = fork(fileURLToPath(new URL('./bench-server.ts', import.meta.url)), [String(size)]);
const addresses = await new Promise<{ pebble: string; raw: string }>((resolve) => {
  child.once('message', (m) => resolve(m as { pebble: string; raw: string }));
});

async function timed(run: () => Promise<number>): Promise<number> {
  const start = process.hrtime.bigint();
  const bytes = await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (bytes !== size) throw new Error(`expected ${size} bytes, got ${bytes}`);
  return size / 1e6 / seconds;
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

const rssStart = process.memoryUsage().rss;
const raw = await timed(() => drain(connect(addresses.raw)));
const client = new PebbleClient({ socketPath: addresses.pebble, timeoutMs: 60_000 });
const chunk = Buffer.alloc(1024 * 1024, 0x62);
async function* source(): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
}
const push = await timed(async () => {
  await client.push('/bench.bin', source());
  return size;
});
const pull = await timed(async () => drain(await client.pull('/bench.bin', { encoding: null })));
const exec = await timed(async () => {
  const proc = await client.exec(['produce']);
  const stdout = proc.stdout;
  if (stdout === undefined) throw new Error('no stdout');
  const [n] = await Promise.all([drain(stdout), proc.wait()]);
  return n;
});
await client.close();
const peak = process.resourceUsage().maxRSS * 1024;
child.send('stop');

const mb = (n: number): string => `${n.toFixed(0).padStart(6)} MB/s`;
const ratio = (n: number): string => `${((n / raw) * 100).toFixed(0).padStart(4)}%`;
console.log(`@opsjs/pebble throughput, ${mib} MiB each, fake Pebble server in a child process`);
console.log('| what                        | throughput  | vs raw |');
console.log('|-----------------------------|-------------|--------|');
console.log(`| raw unix-socket copy (floor)| ${mb(raw)} |   100% |`);
console.log(`| push (multipart, streamed)  | ${mb(push)} |  ${ratio(push)} |`);
console.log(`| pull (multipart, streamed)  | ${mb(pull)} |  ${ratio(pull)} |`);
console.log(`| exec stdout (websocket)     | ${mb(exec)} |  ${ratio(exec)} |`);
console.log(
  `client peak RSS: ${(peak / 2 ** 20).toFixed(0)} MiB (at start ${(rssStart / 2 ** 20).toFixed(0)} MiB; the data was ${mib} MiB per step)`,
);
