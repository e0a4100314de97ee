import * as fs from 'node:fs';
import * as path from 'node:path';
import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import {
  nullableDatabagSchema,
  nullableStringListSchema,
  secretInfoOutputSchema,
} from '../schemas.js';
import type {
  SecretAddArgs,
  SecretGetArgs,
  SecretInfoData,
  SecretMetadataArgs,
  SecretSetArgs,
} from '../types.js';

/** @internal RFC 3339 as ops writes a UTC datetime: `Z`, microseconds only when non-zero. */
export function formatExpiry(date: Date): string {
  const iso = date.toISOString(); // 2026-12-09T16:17:00.123Z
  const ms = date.getUTCMilliseconds();
  const base = iso.slice(0, 19);
  return ms === 0 ? `${base}Z` : `${base}.${String(ms).padStart(3, '0')}000Z`;
}

function metadataArgs(args: SecretMetadataArgs): string[] {
  const out: string[] = [];
  if (args.label !== undefined) out.push('--label', args.label);
  if (args.description !== undefined) out.push('--description', args.description);
  if (args.expire !== undefined) out.push('--expire', formatExpiry(args.expire));
  if (args.rotate !== undefined) out.push('--rotate', args.rotate);
  return out;
}

/** Write content to a fresh temp dir, one file per key; call `fn` with the argv items. */
function withContentFiles<T>(
  content: Readonly<Record<string, string>> | undefined,
  fn: (items: string[]) => T,
): T {
  const entries = Object.entries(content ?? {});
  if (entries.length === 0) return fn([]);
  // node:os is loaded here, where a secret's content goes through files, not in every hook.
  const tmp = process.getBuiltinModule('node:os').tmpdir();
  const dir = fs.mkdtempSync(path.join(tmp, 'opsjs-secret-'));
  try {
    const items: string[] = [];
    for (const [k, v] of entries) {
      const file = path.join(dir, k);
      fs.writeFileSync(file, v, { encoding: 'utf8', mode: 0o600 });
      items.push(`${k}#file=${file}`);
    }
    return fn(items);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** @internal `secret-add ... --owner <owner> k#file=...` → the new URI. */
export function secretAdd(
  run: HookToolRunner,
  content: Readonly<Record<string, string>>,
  args: SecretAddArgs,
): string {
  const argv = [...metadataArgs(args), '--owner', args.owner];
  return withContentFiles(content, (items) => run('secret-add', [...argv, ...items])).trim();
}

/** @internal `secret-set ... --owner application <id> [k#file=...]`. */
export function secretSet(run: HookToolRunner, id: string, args: SecretSetArgs): void {
  const argv = [...metadataArgs(args), '--owner', 'application', id];
  withContentFiles(args.content, (items) => run('secret-set', [...argv, ...items]));
}

/** @internal `secret-get --format=json [<id>] [--label L] [--refresh|--peek]`. */
export function secretGet(run: HookToolRunner, args: SecretGetArgs): Record<string, string> {
  const argv = ['--format=json'];
  if (args.id !== undefined) argv.push(args.id);
  if (args.label !== undefined) argv.push('--label', args.label);
  if (args.refresh) argv.push('--refresh');
  if (args.peek) argv.push('--peek');
  const out = parseToolJson('secret-get', argv, run('secret-get', argv), nullableDatabagSchema());
  return out ?? {};
}

/** @internal `secret-info-get --format=json <id>` or `--label L`. */
export function secretInfoGet(
  run: HookToolRunner,
  query: { readonly id: string } | { readonly label: string },
): SecretInfoData {
  const argv = ['--format=json'];
  if ('id' in query) argv.push(query.id);
  else argv.push('--label', query.label);
  const out = parseToolJson(
    'secret-info-get',
    argv,
    run('secret-info-get', argv),
    secretInfoOutputSchema(),
  );
  const [id, info] = Object.entries(out)[0] ?? ['', undefined];
  if (info === undefined) return { id, label: '', revision: 0 };
  return { id, ...info };
}

/** @internal `secret-grant --relation <id> [--unit <unit>] <secret>`. */
export function secretGrant(run: HookToolRunner, id: string, relationId: number, unit?: string) {
  const argv = ['--relation', String(relationId)];
  if (unit !== undefined) argv.push('--unit', unit);
  argv.push(id);
  run('secret-grant', argv);
}

/** @internal `secret-revoke --relation <id> [--unit <unit>] <secret>`. */
export function secretRevoke(run: HookToolRunner, id: string, relationId: number, unit?: string) {
  const argv = ['--relation', String(relationId)];
  if (unit !== undefined) argv.push('--unit', unit);
  argv.push(id);
  run('secret-revoke', argv);
}

/** @internal `secret-remove <id> [--revision <n>]`. */
export function secretRemove(run: HookToolRunner, id: string, revision?: number): void {
  const argv = [id];
  if (revision !== undefined) argv.push('--revision', String(revision));
  run('secret-remove', argv);
}

/** @internal `secret-ids --format=json`. */
export function secretIds(run: HookToolRunner): string[] {
  const argv = ['--format=json'];
  const out = parseToolJson(
    'secret-ids',
    argv,
    run('secret-ids', argv),
    nullableStringListSchema(),
  );
  return out ?? [];
}
