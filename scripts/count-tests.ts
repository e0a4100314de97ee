// Sums the vitest JSON results of every package and prints `tests: N passed, M failed`.
// Exits non-zero when a package that has a test script left no results, or a test failed.
import { globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
let passed = 0;
let failed = 0;
const missing: string[] = [];
for (const manifest of globSync(
  ['packages/*/package.json', 'packages/interfaces/*/package.json', 'apps/*/package.json'],
  { cwd: root },
)) {
  const pkg: unknown = JSON.parse(readFileSync(join(root, manifest), 'utf8'));
  const scripts = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'scripts') : undefined;
  if (typeof scripts !== 'object' || scripts === null || !('test' in scripts)) continue;
  const results = join(root, dirname(manifest), '.vitest', 'results.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(results, 'utf8'));
  } catch {
    missing.push(dirname(manifest));
    continue;
  }
  const p = typeof data === 'object' && data !== null ? Reflect.get(data, 'numPassedTests') : 0;
  const f = typeof data === 'object' && data !== null ? Reflect.get(data, 'numFailedTests') : 0;
  passed += typeof p === 'number' ? p : 0;
  failed += typeof f === 'number' ? f : 0;
}
if (missing.length > 0) console.error(`no test results from: ${missing.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || missing.length > 0 ? 1 : 0;
