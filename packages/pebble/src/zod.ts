/**
 * The zod this package uses: `zod/mini`'s functional builders, imported by name so bundlers
 * keep only these, plus English error messages per parse and lazy schema construction.
 *
 * zod classic carries every method on every schema class (about 200 KiB that a dispatch
 * process loads even when tree-shaken); `zod/mini` builds the same schemas, parses the same
 * way and reports the same issues for a fraction of the load time. Call sites keep the
 * `z.<builder>(...)` form.
 * @internal
 */

import {
  array,
  boolean,
  catchall,
  int,
  nullable,
  nullish,
  number,
  object,
  optional,
  partial,
  pipe,
  record,
  regex,
  string,
  transform,
  unknown,
  enum as zodEnum,
  safeParse as zodSafeParse,
} from 'zod/mini';
import type { $ZodError, $ZodType, input, output, util } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

export type { $ZodError as ZodError, $ZodType as ZodType, input as ZodInput, output as ZodOutput };

/** The `zod/mini` builders this package uses, under their zod names. @internal */
export const z = {
  array,
  boolean,
  catchall,
  enum: zodEnum,
  int,
  nullable,
  nullish,
  number,
  object,
  optional,
  partial,
  pipe,
  record,
  regex,
  string,
  transform,
  unknown,
} as const;

/**
 * Wraps a builder so it runs on first call and its result is reused after: a module then
 * builds no schema at load time, and each endpoint builds only the schemas it parses with.
 * @internal
 */
export function memo<T>(build: () => T): () => T {
  let cell: { value: T } | undefined;
  return () => {
    cell ??= { value: build() };
    return cell.value;
  };
}

/** zod's English error map, built on the first parse. */
const englishErrors = memo(() => en().localeError);

/**
 * Parses `value` with `schema`, reporting issues in English whatever locale the process's
 * global zod configuration sets (`zod/mini` loads none, and a charm may pick its own).
 * @internal
 */
export function safeParse<S extends $ZodType>(
  schema: S,
  value: unknown,
): util.SafeParseResult<output<S>> {
  return zodSafeParse(schema, value, { error: englishErrors() });
}
