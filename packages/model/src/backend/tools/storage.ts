import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import { nullableStringListSchema, storageDetailsSchema } from '../schemas.js';
import type { StorageDetails } from '../types.js';

/** @internal `storage-list --format=json <name>` → indices. */
export function storageList(run: HookToolRunner, name: string): number[] {
  const args = ['--format=json', name];
  const out = parseToolJson(
    'storage-list',
    args,
    run('storage-list', args),
    nullableStringListSchema(),
  );
  return (out ?? []).map((s) => Number(s.split('/').at(-1)));
}

/** @internal `storage-get --format=json -s <name>/<index>`. */
export function storageGet(run: HookToolRunner, storageId: string): StorageDetails {
  const args = ['--format=json', '-s', storageId];
  return parseToolJson('storage-get', args, run('storage-get', args), storageDetailsSchema());
}

/** @internal `storage-add <name>=<count>`. */
export function storageAdd(run: HookToolRunner, name: string, count: number): void {
  run('storage-add', [`${name}=${count}`]);
}
