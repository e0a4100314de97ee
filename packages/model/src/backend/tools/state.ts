import yaml from '../../yaml.cjs';
import type { HookToolRunner } from '../run-hook-tool.js';

/** @internal `state-get <key>` → raw stdout, or `null` when empty. */
export function stateGet(run: HookToolRunner, key: string): string | null {
  const out = run('state-get', [key]);
  return out.trim() === '' ? null : out;
}

/** @internal `state-set --file -` with a YAML map on stdin, in the bytes Python ops sends. */
export function stateSet(run: HookToolRunner, data: Readonly<Record<string, string>>): void {
  run('state-set', ['--file', '-'], { input: yaml.stringifyStateYaml(data) });
}

/** @internal `state-delete <key>`. */
export function stateDelete(run: HookToolRunner, key: string): void {
  run('state-delete', [key]);
}
