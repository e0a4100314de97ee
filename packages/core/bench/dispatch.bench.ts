/**
 * One `config-changed` dispatch of the demo charm (bundled to one file with esbuild) through
 * fake hook tools, next to two floors measured in the same run: `node -e 0` on the same Node,
 * and a shell script making the same hook-tool calls back to back.
 *
 *   framework overhead = dispatch − (node -e 0) − (hook-tool script)
 *
 * Budget: overhead ≤ 50% of `node -e 0`, peak RSS < 60 MB. Run with `pnpm bench`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FakeHookTools } from '../test/helpers/hook-tools.ts';

const RUNS = Number(process.env.OPSJS_BENCH_RUNS ?? 25);
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, '..', 'test', 'fixtures', 'demo-charm');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-bench-'));

try {
  const bundle = path.join(work, 'charm.mjs');
  await build({
    entryPoints: [path.join(fixture, 'main.ts')],
    bundle: true,
    minify: true,
    keepNames: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile: bundle,
    alias: { '@opsjs/core': path.join(here, '..', 'dist', 'index.js') },
    // A machine charm: Pebble (and undici) is only loaded when a container is touched.
    external: ['@opsjs/pebble'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  const tools = new FakeHookTools(path.join(work, 'tools'));
  tools.output('config-get', '{"port": 9000, "mode": "normal"}');
  const charmDir = path.join(work, 'charm');
  fs.mkdirSync(charmDir);
  for (const f of ['metadata.yaml', 'config.yaml', 'actions.yaml']) {
    fs.copyFileSync(path.join(fixture, f), path.join(charmDir, f));
  }
  const rssFile = path.join(work, 'rss');
  const probe = path.join(here, 'rss-probe.cjs');
  const env = (hook: string): NodeJS.ProcessEnv => ({
    PATH: `${tools.binDir}:${process.env.PATH ?? ''}`,
    JUJU_DISPATCH_PATH: `hooks/${hook}`,
    JUJU_HOOK_NAME: hook,
    JUJU_UNIT_NAME: 'demo/0',
    JUJU_MODEL_NAME: 'bench',
    JUJU_MODEL_UUID: 'cdac5656-2423-4388-8f30-41854b4cca7d',
    JUJU_VERSION: '3.6.4',
    JUJU_CHARM_DIR: charmDir,
    OPSJS_BENCH_RSS: rssFile,
  });
  const cacheDir = path.join(work, 'compile-cache');
  const dispatch = (hook: string, compileCache = false) => {
    const r = spawnSync(process.execPath, ['--require', probe, bundle], {
      cwd: charmDir,
      env: compileCache ? { ...env(hook), NODE_COMPILE_CACHE: cacheDir } : env(hook),
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`dispatch ${hook} failed: ${r.stderr}`);
  };
  dispatch('install');
  tools.takeCalls();
  dispatch('config-changed');
  const calls = tools.takeCalls();
  const script = path.join(work, 'same-calls.sh');
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  fs.writeFileSync(script, `#!/bin/sh\n${calls.map((c) => c.map(quote).join(' ')).join('\n')}\n`, {
    mode: 0o755,
  });

  const time = (fn: () => void): number => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  };
  const takeRss = (): number[] => {
    const text = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8') : '';
    fs.rmSync(rssFile, { force: true });
    return text
      .split('\n')
      .filter(Boolean)
      .map((kb) => Number(kb) / 1024);
  };

  const nodeTimes: number[] = [];
  const scriptTimes: number[] = [];
  const dispatchTimes: number[] = [];
  const cachedTimes: number[] = [];
  dispatch('config-changed', true); // fills the compile cache
  takeRss();
  for (let i = 0; i < RUNS; i++) {
    nodeTimes.push(
      time(() => spawnSync(process.execPath, ['--require', probe, '-e', '0'], { env: env('x') })),
    );
    scriptTimes.push(time(() => spawnSync(script, [], { env: env('x') })));
    tools.takeCalls();
    dispatchTimes.push(time(() => dispatch('config-changed')));
    cachedTimes.push(time(() => dispatch('config-changed', true)));
  }
  const rss = takeRss();
  const nodeRss = rss.filter((_, i) => i % 3 === 0);
  const dispatchRss = rss.filter((_, i) => i % 3 === 1);
  const cachedRss = rss.filter((_, i) => i % 3 === 2);
  const node = median(nodeTimes);
  const sh = median(scriptTimes);
  const disp = median(dispatchTimes);
  const overhead = disp - node - sh;
  const peak = Math.max(...dispatchRss);
  const cached = median(cachedTimes);
  const cachedOverhead = cached - node - sh;
  const cachedPeak = Math.max(...cachedRss);
  const rows: Array<[string, string, string]> = [
    ['node -e 0 (floor)', `${node.toFixed(1)} ms`, `${median(nodeRss).toFixed(1)} MB`],
    [`hook-tool script (${calls.length} calls)`, `${sh.toFixed(1)} ms`, '-'],
    ['config-changed dispatch', `${disp.toFixed(1)} ms`, `${median(dispatchRss).toFixed(1)} MB`],
    [
      'framework overhead',
      `${overhead.toFixed(1)} ms (${((overhead / node) * 100).toFixed(0)}% of node -e 0)`,
      `peak ${peak.toFixed(1)} MB`,
    ],
    [
      'dispatch, NODE_COMPILE_CACHE warm',
      `${cached.toFixed(1)} ms`,
      `${median(cachedRss).toFixed(1)} MB`,
    ],
    [
      'framework overhead, compile cache',
      `${cachedOverhead.toFixed(1)} ms (${((cachedOverhead / node) * 100).toFixed(0)}% of node -e 0)`,
      `peak ${cachedPeak.toFixed(1)} MB`,
    ],
  ];
  console.log(`opsjs dispatch benchmark: median of ${RUNS} runs, Node ${process.version}`);
  console.log(`bundle: ${(fs.statSync(bundle).size / 1024).toFixed(0)} KiB`);
  for (const [name, t, m] of rows) console.log(`${name.padEnd(34)} ${t.padEnd(36)} ${m}`);
  const ok = overhead <= node * 0.5 && peak < 60;
  console.log(`budget (overhead <= 50% of node -e 0, peak RSS < 60 MB): ${ok ? 'met' : 'NOT met'}`);
} finally {
  if (process.env.OPSJS_BENCH_KEEP) console.log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
