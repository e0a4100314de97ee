import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import { configSchema } from '../schemas.js';
import type { ConfigValue } from '../types.js';

/** @internal `config-get --format=json`. */
export function configGet(run: HookToolRunner): Record<string, ConfigValue> {
  const args = ['--format=json'];
  const out = parseToolJson('config-get', args, run('config-get', args), configSchema(), 'orNull');
  return out ?? {};
}
