import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import { booleanSchema, cloudSpecSchema, goalStateSchema } from '../schemas.js';
import type { CloudSpecData, GoalState } from '../types.js';

/** @internal `is-leader --format=json`. */
export function isLeader(run: HookToolRunner): boolean {
  const args = ['--format=json'];
  return parseToolJson('is-leader', args, run('is-leader', args), booleanSchema());
}

/** @internal `resource-get <name>` → trimmed path. */
export function resourceGet(run: HookToolRunner, name: string): string {
  return run('resource-get', [name]).trim();
}

/** @internal `application-version-set -- <version>`. */
export function applicationVersionSet(run: HookToolRunner, version: string): void {
  run('application-version-set', ['--', version]);
}

/** The longest message ops passes to one `juju-log` call. */
export const MAX_LOG_LINE_LEN = 131071;

/** @internal Split a long log message as ops does. */
export function logSplit(message: string, maxLen = MAX_LOG_LINE_LEN): string[] {
  const out: string[] = [];
  if (message.length > maxLen) {
    out.push(`Log string greater than ${maxLen}. Splitting into multiple chunks: `);
  }
  for (let rest = message; rest.length > 0; rest = rest.slice(maxLen)) {
    out.push(rest.slice(0, maxLen));
  }
  return out;
}

/** @internal `juju-log --log-level <level> -- <message>` per chunk. */
export function jujuLog(run: HookToolRunner, level: string, message: string): void {
  for (const line of logSplit(message)) run('juju-log', ['--log-level', level, '--', line]);
}

/** @internal `goal-state --format=json`. */
export function goalState(run: HookToolRunner): GoalState {
  const args = ['--format=json'];
  return parseToolJson('goal-state', args, run('goal-state', args), goalStateSchema());
}

/** @internal `credential-get --format=json`. */
export function credentialGet(run: HookToolRunner): CloudSpecData {
  const args = ['--format=json'];
  return parseToolJson('credential-get', args, run('credential-get', args), cloudSpecSchema());
}

/** @internal `juju-reboot [--now]`. */
export function jujuReboot(run: HookToolRunner, now: boolean): void {
  run('juju-reboot', now ? ['--now'] : []);
}
