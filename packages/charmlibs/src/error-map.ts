import { config } from 'zod/mini';
import type { $ZodErrorMap, $ZodIssue, ParseContext } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

let english: $ZodErrorMap | undefined;

/**
 * The error map of every parse in this package. zod/mini loads no locale, and setting one
 * globally would override a charm's own choice, so each parse passes this map instead: the
 * charm's global zod error map or locale when one is configured (`config(...)`), zod's
 * English messages otherwise — the same texts as zod classic, which loads English.
 *
 * @internal
 */
export const errorMap: $ZodErrorMap = (issue) => {
  const global = config();
  const configured = global.customError?.(issue) ?? global.localeError?.(issue);
  if (configured !== undefined && configured !== null) return configured;
  english ??= en().localeError;
  return english(issue);
};

/** The parse context that applies {@link errorMap}. @internal */
export const parseContext: ParseContext<$ZodIssue> = { error: errorMap };
