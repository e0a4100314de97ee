/**
 * What @opsjs/model costs a dispatch to load: a tiny machine charm (JujuContext, CharmMeta from
 * the charm directory, the hook-tool backend reading config and setting a status) bundled with
 * esbuild as `opsjs pack` bundles a charm, run with a warm NODE_COMPILE_CACHE through fake hook
 * tools, next to `node -e 0` and a shell script making the same tool calls, measured in the same
 * run:
 *
 *   overhead = dispatch − (node -e 0) − (hook-tool script)
 *
 * Two charm directories: with `.opsjs/metadata.json` (as packed, the steady state) and with the
 * YAML files only. Also printed: the bundle's size by package and each process's own CPU time.
 * Run with `pnpm bench` (after `pnpm build`); `OPSJS_BENCH_RUNS` (default 25).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { writeCharmMetaCache } from '../dist/index.js';

const RUNS = Number(process.env.OPSJS_BENCH_RUNS ?? 25);
const pkgDir = path.join(import.meta.dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-model-load-'));

const METADATA = `name: bench
summary: A machine charm for the load benchmark.
requires:
  db: { interface: postgresql_client, limit: 1 }
  logging: { interface: loki_push_api, optional: true }
provides:
  metrics: { interface: prometheus_scrape }
peers:
  cluster: { interface: bench_peers }
storage:
  data: { type: filesystem, location: /srv/data, multiple: { range: 1-3 } }
extra-bindings:
  public: null
assumes:
  - juju >= 3.4
  - any-of: [k8s-api, juju >= 3.6]
`;
const CONFIG = `options:
  port: { type: int, default: 8080, description: The port. }
  mode: { type: string, default: normal }
  debug: { type: boolean, default: false }
  ratio: { type: float, default: 0.5 }
`;
const ACTIONS = `backup:
  description: Back up the data.
  params:
    target: { type: string }
  required: [target]
restart: {}
`;

const ENTRY = `
import { ActiveStatus, CharmMeta, HookToolBackend, JujuContext, Model } from './dist/index.js';
const context = JujuContext.fromEnv();
const model = new Model({
  meta: CharmMeta.fromCharmDir(context.charmDir),
  backend: new HookToolBackend({ context }),
  context,
});
model.unit.status = new ActiveStatus('port ' + String(model.config.get('port')));
`;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

try {
  const bundle = path.join(work, 'charm.mjs');
  // The esbuild options of `opsjs pack` for a machine charm (packages/cli/src/bundle.ts).
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: pkgDir, loader: 'ts' },
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    treeShaking: true,
    keepNames: true,
    external: ['@opsjs/pebble'],
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    banner: {
      js: "import { createRequire as __opsjsCreateRequire } from 'node:module';\nconst require = __opsjsCreateRequire(import.meta.url);",
    },
    logLevel: 'error',
  });

  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  const tool = (name: string, out: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf '%s\\n' '${out}'\n`, {
      mode: 0o755,
    });
  tool('config-get', '{"port": 9000, "mode": "normal", "debug": false, "ratio": 0.5}');
  tool('status-set', '');
  const script = path.join(work, 'same-calls.sh');
  fs.writeFileSync(
    script,
    '#!/bin/sh\nconfig-get --format=json\nstatus-set --application=False active -- x\n',
    { mode: 0o755 },
  );

  const charmDirs = { cached: path.join(work, 'cached'), yaml: path.join(work, 'yaml') };
  for (const dir of Object.values(charmDirs)) {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'metadata.yaml'), METADATA);
    fs.writeFileSync(path.join(dir, 'config.yaml'), CONFIG);
    fs.writeFileSync(path.join(dir, 'actions.yaml'), ACTIONS);
  }
  writeCharmMetaCache(charmDirs.cached, {
    metadata: parseYaml(METADATA),
    config: parseYaml(CONFIG),
    actions: parseYaml(ACTIONS),
  });

  const probeOut = path.join(work, 'probe');
  const probe = path.join(work, 'probe.cjs');
  fs.writeFileSync(
    probe,
    `process.on('exit', () => { const u = process.cpuUsage(); require('node:fs').writeFileSync(${JSON.stringify(probeOut)}, String((u.user + u.system) / 1000)); });\n`,
  );
  const env = (dir: string): NodeJS.ProcessEnv => ({
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    JUJU_DISPATCH_PATH: 'hooks/config-changed',
    JUJU_HOOK_NAME: 'config-changed',
    JUJU_UNIT_NAME: 'bench/0',
    JUJU_MODEL_NAME: 'bench',
    JUJU_MODEL_UUID: 'cdac5656-2423-4388-8f30-41854b4cca7d',
    JUJU_VERSION: '3.6.4',
    JUJU_CHARM_DIR: dir,
    NODE_COMPILE_CACHE: path.join(work, `compile-cache-${path.basename(dir)}`),
  });
  const cases: Record<string, { argv: string[]; env: NodeJS.ProcessEnv; cmd?: string }> = {
    'node -e 0 (floor)': { argv: ['--require', probe, '-e', '0'], env: env(charmDirs.cached) },
    'hook-tool script (2 calls)': { cmd: script, argv: [], env: env(charmDirs.cached) },
    'dispatch: .opsjs/metadata.json': {
      argv: ['--require', probe, bundle],
      env: env(charmDirs.cached),
    },
    'dispatch: YAML metadata': { argv: ['--require', probe, bundle], env: env(charmDirs.yaml) },
  };
  const wall = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const run = (name: string, record: boolean) => {
    const c = cases[name];
    if (c === undefined) return;
    fs.rmSync(probeOut, { force: true });
    const start = process.hrtime.bigint();
    const r = spawnSync(c.cmd ?? process.execPath, c.argv, { env: c.env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    if (!record) return;
    wall.set(name, [...(wall.get(name) ?? []), ms]);
    if (fs.existsSync(probeOut)) {
      cpu.set(name, [...(cpu.get(name) ?? []), Number(fs.readFileSync(probeOut, 'utf8'))]);
    }
  };
  for (const name of Object.keys(cases)) run(name, false); // fills the compile caches
  for (let i = 0; i < RUNS; i++) for (const name of Object.keys(cases)) run(name, true);

  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const by = (re: RegExp) =>
    Object.entries(inputs)
      .filter(([f]) => re.test(f))
      .reduce((n, [, i]) => n + i.bytesInOutput, 0);
  console.log(`@opsjs/model load benchmark: median of ${RUNS} runs, Node ${process.version}`);
  console.log(
    `bundle ${kib(fs.statSync(bundle).size)}: zod ${kib(by(/[\\/]zod[\\/]/))} (classic ${kib(
      by(/[\\/]zod[\\/]v4[\\/]classic[\\/]/),
    )}), yaml ${kib(by(/[\\/]yaml[\\/]/))}, @opsjs/model ${kib(by(/^dist[\\/]/))}`,
  );
  const floor = median(wall.get('node -e 0 (floor)') ?? []);
  const tools = median(wall.get('hook-tool script (2 calls)') ?? []);
  for (const name of Object.keys(cases)) {
    const t = median(wall.get(name) ?? []);
    const c = cpu.get(name);
    const extra = name.startsWith('dispatch')
      ? `overhead ${(t - floor - tools).toFixed(1)} ms (${(((t - floor - tools) / floor) * 100).toFixed(0)}% of node -e 0)`
      : '';
    const own = c === undefined ? '' : `${median(c).toFixed(1)} ms CPU`;
    console.log(`${name.padEnd(34)} ${`${t.toFixed(1)} ms`.padEnd(10)} ${extra.padEnd(40)} ${own}`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
