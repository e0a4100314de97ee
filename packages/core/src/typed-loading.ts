import type { Application, Relation, Unit } from '@opsjs/model';
import type { $ZodType } from 'zod/v4/core';
import { DispatchAbort, LoadError } from './errors.js';
import { toCamelCase } from './framework.js';
import { pyJsonDumps } from './py-repr.js';
import { describeZodIssues, parseSchema } from './schema-parse.js';

/** How typed loading reacts to invalid data. */
export interface LoadOptions<M extends string> {
  /**
   * `raise` (default) throws {@link LoadError}; `blocked` (config) sets the unit to
   * `BlockedStatus('Invalid config: …')` and `fail` (action parameters) fails the action, and
   * both then end the dispatch with exit code 0 without committing (as ops does).
   */
  readonly errors?: M;
}

/** @internal `{'server-port': 1}` → `{serverPort: 1}` */
export function camelCaseKeys(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) out[toCamelCase(key)] = value;
  return out;
}

/**
 * @internal Parse `raw` with `schema`; on failure throw {@link LoadError}, or (for any other
 * `errors` mode) call `onFail` with the message and end the dispatch with exit code 0.
 */
export function loadWithSchema<T>(
  schema: $ZodType<T>,
  raw: Readonly<Record<string, unknown>>,
  source: string,
  options: LoadOptions<string>,
  onFail: (message: string) => void,
  convertKeys = true,
): T {
  const parsed = parseSchema(schema, convertKeys ? camelCaseKeys(raw) : raw);
  if (parsed.success) return parsed.data;
  const issues = describeZodIssues(parsed.error);
  const error = new LoadError(source, issues, { cause: parsed.error });
  if ((options.errors ?? 'raise') === 'raise') throw error;
  onFail(error.message);
  throw new DispatchAbort(0, `invalid ${source}`, { cause: error });
}

/** Options of {@link loadRelationData}. */
export interface LoadRelationOptions extends LoadOptions<'raise'> {
  /** Decodes each databag value (default `JSON.parse`, as ops' `json.loads`). */
  readonly decoder?: (value: string) => unknown;
}

/**
 * Read the databag of `entity` in `relation` into a value checked by a zod schema, classic
 * `zod` or `zod/mini` (ops `Relation.load`). Each value is decoded with `decoder` (JSON by default); keys are kept as
 * they are in the databag.
 *
 * @example
 * ```ts
 * const Db = z.object({ host: z.string(), port: z.number() });
 * const db = loadRelationData(event.relation, Db, event.app);
 * ```
 * @throws {LoadError} when a value cannot be decoded or the data does not match the schema
 * @throws {RelationDataAccessError} when this unit may not read that databag
 */
export function loadRelationData<T>(
  relation: Relation,
  schema: $ZodType<T>,
  entity: Unit | Application,
  options: LoadRelationOptions = {},
): T {
  const decoder = options.decoder ?? JSON.parse;
  const raw: Record<string, unknown> = {};
  const bad: string[] = [];
  for (const [key, value] of [...relation.data.get(entity).entries()].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    try {
      raw[key] = decoder(value);
    } catch {
      bad.push(`${key}: cannot be decoded`);
    }
  }
  const source = `relation data of ${entity.name} in ${relation}`;
  if (bad.length > 0) throw new LoadError(source, bad);
  return loadWithSchema(schema, raw, source, options, () => {}, false);
}

/** Options of {@link saveRelationData}. */
export interface SaveRelationOptions<T> {
  /** Validates `value` first (classic `zod` or `zod/mini`); nothing is written when it fails. */
  readonly schema?: $ZodType<T>;
  /** Encodes each value (default {@link pyJsonDumps}: Python `json.dumps` output, as ops). */
  readonly encoder?: (value: unknown) => string;
}

/**
 * Write the fields of `value` to the databag of `entity` in `relation` (ops `Relation.save`):
 * fields in sorted order, each encoded as Python's `json.dumps` would (`null` included), written
 * in one `relation-set`; `undefined` fields erase the key.
 *
 * @example
 * ```ts
 * saveRelationData(relation, { host: '10.0.0.1', port: 5432 }, this.app);
 * ```
 * @throws {LoadError} when `schema` rejects `value` (nothing is written)
 * @throws {RelationDataAccessError} when this unit may not write that databag
 */
export function saveRelationData<T extends object>(
  relation: Relation,
  value: T,
  entity: Unit | Application,
  options: SaveRelationOptions<T> = {},
): void {
  let data: object = value;
  if (options.schema !== undefined) {
    data = loadWithSchema(
      options.schema,
      Object.fromEntries(Object.entries(value)),
      `relation data for ${entity.name} in ${relation}`,
      {},
      () => {},
      false,
    );
  }
  const encoder = options.encoder ?? pyJsonDumps;
  const encoded: Record<string, string> = {};
  // ops writes the fields sorted by name, and encodes a present None as `null`.
  for (const [key, field] of Object.entries(data).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    encoded[key] = field === undefined ? '' : encoder(field);
  }
  relation.data.get(entity).update(encoded);
}
