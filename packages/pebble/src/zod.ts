/**
 * The zod builders this package uses, imported by name: bundlers then keep only these (and
 * what they need), whereas zod's `z` namespace object pulls in all of zod, every locale
 * included (about 450 KB minified against under 100 KB). Call sites keep the `z.string()` form.
 * @internal
 */
import { array, boolean, number, object, record, string, unknown, enum as zodEnum } from 'zod';

export type {
  input as ZodInput,
  output as ZodOutput,
  ZodError,
  ZodType,
} from 'zod';

/** @internal */
export const z = {
  array,
  boolean,
  enum: zodEnum,
  number,
  object,
  record,
  string,
  unknown,
} as const;
