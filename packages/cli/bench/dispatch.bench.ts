// Dispatch benchmark: one steady-state `config-changed` of a packed `@opsjs/core` charm (the
// test fixture `core-charm`), run as the packed `dispatch` runs it, through the loader
// `dist/dispatch.cjs` with its V8 code cache, next to the same bundle run as an ES module with
// Node's compile cache (how `dispatch` ran it before the loader, and still does under
// JUJU_DEBUG without source maps), and the floor measured in the same run: `node -e 0`.
// The first hook (no cache yet) is shown too. Runs alternate between the variants, so the
// machine's load disturbs them alike. Run with `node bench/dispatch.bench.ts` after a build;
// `BENCH_RUNS` (default 30).

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { charmLayout, compileCacheDir, dispatchV8Flags, pack, unpackCharm } from '@opsjs/cli';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const work = mkdtempSync(join(tmpdir(), 'opsjs-cli-dispatch-bench-'));

try {
  const project = join(work, 'project');
  cpSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'core-charm'), project, {
    recursive: true,
  });
  mkdirSync(join(project, 'node_modules', '@opsjs'), { recursive: true });
  symlinkSync(
    join(import.meta.dirname, '..', 'node_modules', '@opsjs', 'core'),
    join(project, 'node_modules', '@opsjs', 'core'),
  );
  const packed = await pack({ dir: project, out: work, noRuntime: true });
  if (!packed.loader) throw new Error('the fixture charm was packed without the loader');
  const charmDir = join(work, 'charm');
  await unpackCharm(packed.charmPath, charmDir);

  // Fake hook tools: each prints its canned output, if any.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  const outputs: Record<string, string> = {
    'juju-log': '',
    'status-set': '',
    'config-get': '{"port": 8080}',
    'is-leader': 'false',
    'application-version-set': '',
  };
  for (const [tool, output] of Object.entries(outputs)) {
    writeFileSync(join(bin, tool), `#!/bin/sh\nprintf '%s' '${output}'\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const env = (hook: string): NodeJS.ProcessEnv => ({
    PATH: `${bin}:/usr/bin:/bin`,
    JUJU_DISPATCH_PATH: `hooks/${hook}`,
    JUJU_CHARM_DIR: charmDir,
    JUJU_UNIT_NAME: 'core-charm/0',
    JUJU_MODEL_NAME: 'bench',
    JUJU_MODEL_UUID: '00000000-0000-4000-8000-000000000000',
    JUJU_VERSION: '3.6.14',
    NODE_COMPILE_CACHE: join(charmDir, compileCacheDir),
  });
  const flags = dispatchV8Flags.split(' ');
  const node = (args: readonly string[], hook: string) => (): void => {
    const run = spawnSync(process.execPath, [...flags, ...args], {
      cwd: charmDir,
      env: env(hook),
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  };
  const variants = {
    'node -e 0': () => {
      spawnSync(process.execPath, ['-e', '0']);
    },
    'ES module + compile cache': node([charmLayout.bundle], 'config-changed'),
    'loader + V8 code cache': node([charmLayout.loader], 'config-changed'),
  } satisfies Record<string, () => void>;
  const time = (fn: () => void): number => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const median = (xs: readonly number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

  // The first hook: no compile cache, no code cache (three times each, from scratch).
  const firsts = { module: [] as number[], loader: [] as number[] };
  for (let i = 0; i < 3; i++) {
    for (const [name, args] of [
      ['module', [charmLayout.bundle]],
      ['loader', [charmLayout.loader]],
    ] as const) {
      rmSync(join(charmDir, compileCacheDir), { recursive: true, force: true });
      rmSync(join(charmDir, '.unit-state.opsjs'), { force: true });
      firsts[name].push(time(node(args, 'install')));
    }
  }
  for (const fn of Object.values(variants)) for (let i = 0; i < 3; i++) fn();

  const times: Record<string, number[]> = Object.fromEntries(
    Object.keys(variants).map((name) => [name, []]),
  );
  for (let i = 0; i < RUNS; i++) {
    for (const [name, fn] of Object.entries(variants)) times[name]?.push(time(fn));
  }
  const floor = median(times['node -e 0'] ?? []);
  const esm = median(times['ES module + compile cache'] ?? []);
  console.log(`steady-state config-changed, median of ${RUNS} (Node ${process.version}):`);
  for (const [name, xs] of Object.entries(times)) {
    const ms = median(xs);
    const over = name === 'node -e 0' ? '' : `  (${(ms - floor).toFixed(1)} ms over node -e 0)`;
    console.log(`  ${name.padEnd(28)} ${ms.toFixed(1).padStart(6)} ms${over}`);
  }
  const loader = median(times['loader + V8 code cache'] ?? []);
  console.log(
    `  loader vs ES module: ${(loader - esm).toFixed(1)} ms per hook (${((loader / esm - 1) * 100).toFixed(0)}%)`,
  );
  console.log(
    `first hook (install, no caches), median of 3: ES module ${median(firsts.module).toFixed(1)} ms, loader ${median(firsts.loader).toFixed(1)} ms (writes its cache at exit)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
