// Hook-tool benchmarks for @opsjs/model: run with `pnpm bench` (after `pnpm build`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ActiveStatus,
  CharmMeta,
  HookToolBackend,
  type HookToolRunner,
  JujuContext,
  JujuVersion,
  Model,
} from '../dist/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function time(fn: () => void): number {
  for (let i = 0; i < 10; i++) fn(); // warm up
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const context = new JujuContext({
  dispatchPath: 'hooks/config-changed',
  hookName: 'config-changed',
  modelName: 'bench',
  modelUuid: 'uuid',
  unitName: 'app/0',
  version: new JujuVersion('3.6.4'),
});

// 1. One hook-tool round trip (spawn + parse) next to spawning `true`.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-model-bench-'));
try {
  const config = JSON.stringify({ port: 8080, debug: false, name: 'x'.repeat(64) });
  fs.writeFileSync(path.join(dir, 'config-get'), `#!/bin/sh\nprintf '%s\\n' '${config}'\n`, {
    mode: 0o755,
  });
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
  const backend = new HookToolBackend({ context, env });
  const floor = time(() => {
    spawnSync('true', [], { env });
  });
  const script = time(() => {
    spawnSync('config-get', ['--format=json'], { env, encoding: 'utf8' });
  });
  const roundTrip = time(() => {
    backend.configGet();
  });
  console.log(`hook-tool round trip (median of ${RUNS})`);
  console.table([
    { case: 'spawn `true` (floor)', ms: floor.toFixed(3), ratio: '1.00' },
    { case: 'spawn fake config-get', ms: script.toFixed(3), ratio: (script / floor).toFixed(2) },
    {
      case: 'HookToolBackend.configGet()',
      ms: roundTrip.toFixed(3),
      ratio: (roundTrip / floor).toFixed(2),
    },
  ]);
  console.log(`parse + argv overhead over the bare spawn: ${(roundTrip - script).toFixed(3)} ms`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

// 2. Tool calls of a typical config-changed with two relations (in-process runner).
const calls: string[] = [];
const answers: Record<string, string> = {
  'config-get': '{"port":8080,"log-level":"info"}',
  'is-leader': 'true',
  'relation-ids': '["db:1"]',
  'relation-list': '["db/0","db/1"]',
  'relation-get': '{"host":"10.0.0.1","port":"5432"}',
};
const runner: HookToolRunner = (tool, args) => {
  calls.push([tool, ...args].join(' '));
  if (tool === 'relation-ids') return args[0] === 'db' ? '["db:1"]' : '["ingress:2"]';
  if (tool === 'relation-list')
    return args.at(-1)?.startsWith('db') ? '["db/0","db/1"]' : '["lb/0"]';
  return answers[tool] ?? '';
};
const meta = CharmMeta.fromYaml(
  'name: app\nrequires:\n  db: {interface: pg}\n  ingress: {interface: http}\n',
  { config: 'options:\n  port: {type: int}\n  log-level: {type: string}\n' },
);
const model = new Model({
  meta,
  backend: new HookToolBackend({ context, runner }),
  context,
  hookRunning: 'config-changed',
});
// A charm that reads config and every related bag twice, and publishes its own data.
for (let pass = 0; pass < 2; pass++) {
  const port = model.config.get('port');
  for (const endpoint of ['db', 'ingress']) {
    const rel = model.getRelation(endpoint);
    if (rel === null) continue;
    for (const unit of rel.units) rel.data.get(unit).get('host');
    if (rel.app !== null) rel.data.get(rel.app).get('host');
    rel.data.get(model.app).set('url', `http://app:${port}`);
    rel.data.get(model.unit).set('port', String(port));
  }
}
model.unit.status = new ActiveStatus();
console.log('\nconfig-changed with two relations, every bag read twice:');
console.log(`  ${calls.length} hook-tool calls (each bag fetched at most once)`);
const counts = new Map<string, number>();
for (const c of calls) {
  const tool = c.split(' ')[0] ?? '';
  counts.set(tool, (counts.get(tool) ?? 0) + 1);
}
console.table([...counts].map(([tool, n]) => ({ tool, calls: n })));
