import type { $ZodErrorMap, $ZodType, output, util } from 'zod/v4/core';
import { safeParse } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

let english: $ZodErrorMap | undefined;

/** zod's English error map, built the first time an issue needs a message (most parses succeed). */
const englishError: $ZodErrorMap = (issue) => {
  english ??= en().localeError;
  return english(issue);
};

/**
 * @internal Build a schema on first use, so that loading the package builds none: most
 * dispatches never call the hook tools (or read the files) most schemas parse.
 */
export function memo<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/**
 * @internal `safeParse` with zod's English messages, whatever locale or error map the process
 * configured globally (zod/mini loads no locale, and a charm's own `config()` must not change
 * the texts of our errors). Accepts any zod 4 schema, classic or mini.
 */
export function safeParseEnglish<S extends $ZodType>(
  schema: S,
  value: unknown,
): util.SafeParseResult<output<S>> {
  return safeParse(schema, value, { error: englishError });
}
