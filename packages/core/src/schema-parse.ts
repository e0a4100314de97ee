import { config, safeParse } from 'zod/mini';
import type { $ZodError, $ZodErrorMap, $ZodType } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

/** @internal The result of {@link parseSchema}. */
export type SchemaParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: $ZodError };

let english: $ZodErrorMap | undefined;

/**
 * Messages in English when the process has no zod locale or custom error map of its own.
 * `zod/mini` loads no locale (classic `zod` loads English on import); a charm that configured
 * one keeps it, since returning nothing here defers to `config()`'s maps.
 */
const englishUnlessConfigured: $ZodErrorMap = (issue) => {
  const settings = config();
  if (settings.customError !== undefined || settings.localeError !== undefined) return undefined;
  english ??= en().localeError;
  return english(issue);
};

/**
 * @internal Parse `data` with any zod v4 schema, classic (`zod`) or mini (`zod/mini`), with
 * English issue messages unless the charm configured zod's messages itself.
 */
export function parseSchema<T>(schema: $ZodType<T>, data: unknown): SchemaParseResult<T> {
  return safeParse(schema, data, { error: englishUnlessConfigured });
}

/** @internal The issues of a zod error as `field: message` lines (values are never included). */
export function describeZodIssues(error: $ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    return `${where}: ${issue.message}`;
  });
}
