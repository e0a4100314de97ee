// The server side of the throughput benchmark, in its own process so that the client's peak
// RSS is measured alone: a fake Pebble server and a raw unix-socket sender of the same bytes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { FakePebbleServer } from '@opsjs/pebble/fake';

const chunk = Buffer.alloc(1024 * 1024, 0x61);

async function writeBytes(out: Writable, total: number): Promise<void> {
  for (let sent = 0; sent < total; sent += chunk.length) {
    const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
}

// The fake's files live in memory when the machine has a tmpfs, so that push and pull measure
// the client and the protocol rather than the disk (PEBBLE_BENCH_ROOT overrides it).
const base = process.env.PEBBLE_BENCH_ROOT ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const root = mkdtempSync(join(base, 'bench-pebble-root-'));
const server = await FakePebbleServer.start({ root });
server.handleExec('produce', async ({ command, stdout }) => {
  await writeBytes(stdout, Number(command[1]));
  return 0;
});
const rawDir = mkdtempSync(join(tmpdir(), 'bench-raw-'));
const rawPath = join(rawDir, 'raw.socket');
// The floor: send the number of bytes the client asks for on its first line.
const raw = createServer((socket) => {
  socket.on('error', () => undefined);
  socket.once('data', (line) => {
    writeBytes(socket, Number.parseInt(String(line), 10)).then(
      () => socket.end(),
      () => socket.destroy(),
    );
  });
});
raw.listen(rawPath, () => process.send?.({ pebble: server.socketPath, raw: rawPath }));
process.on('message', (message) => {
  if (message === 'cpu') {
    const usage = process.cpuUsage();
    process.send?.({ cpu: usage.user + usage.system, user: usage.user, system: usage.system });
    return;
  }
  raw.close();
  server.close().then(
    () => {
      rmSync(root, { recursive: true, force: true });
      rmSync(rawDir, { recursive: true, force: true });
      process.exit(0);
    },
    () => process.exit(1),
  );
});
