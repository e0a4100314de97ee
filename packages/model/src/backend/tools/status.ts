import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import { AppStatusSchema, StatusEntrySchema } from '../schemas.js';
import type { SettableStatusName, StatusValue } from '../types.js';

/** @internal `status-get --include-data --format=json --application=<bool>`. */
export function statusGet(run: HookToolRunner, isApp: boolean): StatusValue {
  const args = ['--include-data', '--format=json', `--application=${isApp}`];
  const stdout = run('status-get', args);
  // In a restricted context (collect-metrics) Juju prints just "unknown".
  if (stdout.trim() === '"unknown"') return { status: 'unknown', message: '' };
  if (isApp) {
    return parseToolJson('status-get', args, stdout, AppStatusSchema)['application-status'];
  }
  return parseToolJson('status-get', args, stdout, StatusEntrySchema);
}

/** @internal `status-set --application=<True|False> <status> -- <message>`. */
export function statusSet(
  run: HookToolRunner,
  status: SettableStatusName,
  message: string,
  isApp: boolean,
): void {
  run('status-set', [`--application=${isApp ? 'True' : 'False'}`, status, '--', message]);
}
