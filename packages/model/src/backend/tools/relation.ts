import { type HookToolRunner, parseToolJson, relationRef } from '../run-hook-tool.js';
import {
  nullableDatabagSchema,
  nullableStringSchema,
  relationModelSchema,
  stringListSchema,
} from '../schemas.js';

/** @internal `relation-ids <endpoint> --format=json` → integer ids. */
export function relationIds(run: HookToolRunner, endpoint: string): number[] {
  const args = [endpoint, '--format=json'];
  const out = parseToolJson('relation-ids', args, run('relation-ids', args), stringListSchema());
  return out.map((rid) => Number(rid.split(':').at(-1)));
}

/** @internal `relation-list --format=json -r <ref>`. */
export function relationList(run: HookToolRunner, id: number, endpoint?: string): string[] {
  const args = ['--format=json', '-r', relationRef(id, endpoint)];
  return parseToolJson('relation-list', args, run('relation-list', args), stringListSchema());
}

/** @internal `relation-list --format=json --app -r <ref>`. */
export function relationListApp(run: HookToolRunner, id: number, endpoint?: string): string | null {
  const args = ['--format=json', '--app', '-r', relationRef(id, endpoint)];
  return parseToolJson('relation-list', args, run('relation-list', args), nullableStringSchema());
}

/** @internal `relation-get --format=json -r <ref> [--app] - <member>`. */
export function relationGet(
  run: HookToolRunner,
  id: number,
  member: string,
  isApp: boolean,
  endpoint?: string,
): Record<string, string> {
  const args = ['--format=json', '-r', relationRef(id, endpoint)];
  if (isApp) args.push('--app');
  args.push('-', member);
  const out = parseToolJson(
    'relation-get',
    args,
    run('relation-get', args),
    nullableDatabagSchema(),
  );
  return out ?? {};
}

/** @internal `relation-set -r <ref> [--app] --file -` with JSON on stdin. */
export function relationSet(
  run: HookToolRunner,
  id: number,
  data: Readonly<Record<string, string>>,
  isApp: boolean,
  endpoint?: string,
): void {
  const args = ['-r', relationRef(id, endpoint)];
  if (isApp) args.push('--app');
  args.push('--file', '-');
  run('relation-set', args, { input: pythonJsonDumps(data) });
}

/** @internal `relation-model-get --format=json -r <ref>`. */
export function relationModelGet(
  run: HookToolRunner,
  id: number,
  endpoint?: string,
): { uuid: string } {
  const args = ['--format=json', '-r', relationRef(id, endpoint)];
  return parseToolJson(
    'relation-model-get',
    args,
    run('relation-model-get', args),
    relationModelSchema(),
  );
}

/**
 * @internal JSON text as Python's `json.dumps` writes a flat string map: `", "` and `": "`
 * separators, non-ASCII escaped as `\uXXXX`.
 */
export function pythonJsonDumps(data: Readonly<Record<string, string>>): string {
  const enc = (s: string): string =>
    JSON.stringify(s).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return `{${Object.entries(data)
    .map(([k, v]) => `${enc(k)}: ${enc(v)}`)
    .join(', ')}}`;
}
