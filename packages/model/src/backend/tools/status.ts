import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import { appStatusSchema, statusEntrySchema } from '../schemas.js';
import type { SettableStatusName, StatusValue } from '../types.js';

/** @internal `status-get --include-data --format=json --application=<bool>`. */
export function statusGet(run: HookToolRunner, isApp: boolean): StatusValue {
  const args = ['--include-data', '--format=json', `--application=${isApp}`];
  const stdout = run('status-get', args);
  // In a restricted context (collect-metrics) Juju prints just "unknown".
  if (stdout.trim() === '"unknown"') return { status: 'unknown', message: '' };
  if (isApp) {
    return parseToolJson('status-get', args, stdout, appStatusSchema())['application-status'];
  }
  return parseToolJson('status-get', args, stdout, statusEntrySchema());
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
