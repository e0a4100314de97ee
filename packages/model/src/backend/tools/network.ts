import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import { networkSchema } from '../schemas.js';
import type { NetworkData } from '../types.js';

/** @internal `network-get --format=json [-r <id>] <binding>`. */
export function networkGet(run: HookToolRunner, binding: string, relationId?: number): NetworkData {
  const args = ['--format=json'];
  if (relationId !== undefined) args.push('-r', String(relationId));
  args.push(binding);
  return parseToolJson('network-get', args, run('network-get', args), networkSchema());
}
