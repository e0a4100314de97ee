/**
 * `pnpm bench` for the example charms: per-hook wall time and peak RSS of the packed example
 * charm's `dispatch` (median of OPSJS_BENCH_RUNS runs, default 20) next to `node -e 0` on the
 * same Node runtime, and the `.charm` sizes of both example charms (without and with the
 * runtime). Hook tools are shell scripts with canned answers (about a millisecond each), so
 * the figures are the charm's own; the sidecar charm's `web` container is a fake Pebble server
 * on a unix socket in this process.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, unpackCharm } from '@opsjs/cli';
import { FakePebbleServer } from '@opsjs/testing';

const RUNS = Number(process.env.OPSJS_BENCH_RUNS ?? 20);
const apps = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'example-charm-bench-'));
const timeBin = '/usr/bin/time';

/** Shell-script hook tools answering from `answers` (tool name → stdout). */
function hookTools(dir: string, answers: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  const tools = [
    'juju-log',
    'status-set',
    'status-get',
    'config-get',
    'is-leader',
    'relation-ids',
    'relation-list',
    'relation-get',
    'relation-set',
    'open-port',
    'close-port',
    'opened-ports',
    'storage-list',
    'storage-get',
    'application-version-set',
    'state-get',
    'state-set',
    'goal-state',
  ];
  for (const tool of tools) {
    const answer = (answers[tool] ?? '').replaceAll("'", `'\\''`);
    // juju-log records go to a file, so that a failing dispatch says why.
    const body =
      tool === 'juju-log' ? `echo "$*" >> '${dir}/juju-log.txt'` : `printf '%s' '${answer}'`;
    writeFileSync(join(dir, tool), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  return dir;
}

/** Runs `file` once; wall milliseconds and peak RSS (MiB, via /usr/bin/time when present). */
function runOnce(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ ms: number; rssMiB: number | undefined }> {
  const timed = existsSync(timeBin);
  const command = timed ? timeBin : file;
  const argv = timed ? ['-f', '%M', file, ...args] : [...args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) {
        const log = join(String(env.PATH).split(':')[0] ?? '', 'juju-log.txt');
        const records = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20) : [];
        reject(new Error(`${file} exited ${code}: ${stderr.trim()}\n${records.join('\n')}`));
        return;
      }
      const kib = Number(stderr.trim().split('\n').at(-1));
      resolve({ ms, rssMiB: timed && Number.isFinite(kib) ? kib / 1024 : undefined });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function measure(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ ms: number; rssMiB: number | undefined }> {
  await runOnce(file, args, env, cwd); // warm the page cache and the compile cache
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const run = await runOnce(file, args, env, cwd);
    times.push(run.ms);
    if (run.rssMiB !== undefined) rss.push(run.rssMiB);
  }
  return { ms: median(times), rssMiB: rss.length === 0 ? undefined : Math.max(...rss) };
}

const fmtMs = (ms: number): string => `${ms.toFixed(1)} ms`;
const fmtRss = (mib: number | undefined): string =>
  mib === undefined ? 'n/a' : `${mib.toFixed(1)} MiB`;
const fmtSize = (bytes: number): string =>
  bytes > 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MiB`
    : `${(bytes / 1024).toFixed(0)} KiB`;

try {
  const env = (charmDir: string, unit: string, hook: string, tools: string): NodeJS.ProcessEnv => ({
    PATH: `${tools}:${process.env.PATH ?? ''}`,
    JUJU_DISPATCH_PATH: `hooks/${hook}`,
    JUJU_HOOK_NAME: hook,
    JUJU_UNIT_NAME: unit,
    JUJU_MODEL_NAME: 'bench',
    JUJU_MODEL_UUID: 'cdac5656-2423-4388-8f30-41854b4cca7d',
    JUJU_VERSION: '3.6.14',
    JUJU_CHARM_DIR: charmDir,
    OPSJS_PEBBLE_SOCKET_DIR: join(work, 'sockets'),
    ...(hook === 'web-pebble-ready' ? { JUJU_WORKLOAD_NAME: 'web' } : {}),
  });

  console.log(`Packed example charms (${RUNS} runs per hook, Node ${process.version})\n`);
  const sizes: string[][] = [];
  const charms: Record<string, string> = {};
  for (const name of ['example-charm', 'example-machine-charm']) {
    const bare = await pack({
      dir: join(apps, name),
      out: join(work, name, 'bare'),
      noRuntime: true,
    });
    const full = await pack({
      dir: join(apps, name),
      out: join(work, name, 'full'),
      runtimePath: process.execPath,
    });
    sizes.push([name, fmtSize(bare.size), fmtSize(full.size)]);
    const charmDir = join(work, name, 'charm');
    await unpackCharm(bare.charmPath, charmDir);
    charms[name] = charmDir;
    rmSync(full.charmPath);
  }
  console.log('.charm size          --no-runtime   with the Node runtime');
  for (const [name, bare, full] of sizes) {
    console.log(
      `${(name ?? '').padEnd(22)}${(bare ?? '').padStart(12)}   ${(full ?? '').padStart(12)}`,
    );
  }
  console.log('');

  const floor = await measure(
    process.execPath,
    ['-e', '0'],
    { PATH: process.env.PATH ?? '' },
    work,
  );
  console.log(
    `floor: node -e 0         ${fmtMs(floor.ms).padStart(10)}  ${fmtRss(floor.rssMiB).padStart(10)}`,
  );

  // The sidecar charm, with Pebble in `web` answering.
  mkdirSync(join(work, 'sockets', 'web'), { recursive: true });
  mkdirSync(join(work, 'web-root'), { recursive: true });
  const pebble = await FakePebbleServer.start({
    socketPath: join(work, 'sockets', 'web', 'pebble.socket'),
    root: join(work, 'web-root'),
  });
  const sidecarTools = hookTools(join(work, 'tools-sidecar'), {
    'config-get': '{"port": 8080, "greeting": "hi", "rate-limit": 10.0, "debug": false}',
    'is-leader': 'false',
    'relation-ids': '[]',
    'opened-ports': '[]',
    'status-get': '{"status": "maintenance", "message": ""}',
    'goal-state': '{"units": {}, "relations": {}}',
  });
  const configPath = join(work, 'machine', 'app.conf');
  const machineTools = hookTools(join(work, 'tools-machine'), {
    'config-get': JSON.stringify({ 'config-path': configPath, port: 9100, message: 'hi' }),
    'is-leader': 'false',
    'opened-ports': '[]',
    'storage-list': '[]',
    'status-get': '{"status": "maintenance", "message": ""}',
  });
  const rows: [string, string, string][] = [
    ['example-charm', 'install', sidecarTools],
    ['example-charm', 'config-changed', sidecarTools],
    ['example-charm', 'start', sidecarTools],
    ['example-charm', 'web-pebble-ready', sidecarTools],
    ['example-charm', 'update-status', sidecarTools],
    ['example-machine-charm', 'install', machineTools],
    ['example-machine-charm', 'config-changed', machineTools],
    ['example-machine-charm', 'update-status', machineTools],
  ];
  console.log(
    `${'charm'.padEnd(22)}${'hook'.padEnd(18)}${'median'.padStart(10)}  ${'peak RSS'.padStart(10)}  vs node -e 0`,
  );
  for (const [name, hook, tools] of rows) {
    const charmDir = charms[name] ?? '';
    const result = await measure(
      join(charmDir, 'dispatch'),
      [],
      env(charmDir, `${name}/0`, hook, tools),
      charmDir,
    );
    console.log(
      `${name.padEnd(22)}${hook.padEnd(18)}${fmtMs(result.ms).padStart(10)}  ${fmtRss(result.rssMiB).padStart(10)}  ×${(result.ms / floor.ms).toFixed(2)}`,
    );
  }
  await pebble.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
