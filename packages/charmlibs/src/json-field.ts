import { codec, NEVER, string, type ZodMiniCodec, type ZodMiniString } from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { pythonJsonDumps } from './python-json.js';

const jsonFieldInner = new WeakMap<$ZodType, $ZodType>();

/**
 * A databag field that holds JSON text on the wire and a typed value in the charm: a
 * `zod/mini` codec. Wrap it with `optional(...)` (from `zod/mini`, or `z.optional` from zod
 * classic) for an optional field.
 */
export type JsonField<T extends $ZodType> = ZodMiniCodec<ZodMiniString<string>, T>;

/**
 * A databag field whose string value is JSON text (Juju bags hold only strings; interfaces
 * such as `ingress` JSON-encode every field). Parsing a bag decodes the text and validates
 * it with `inner`; text that is not JSON becomes a validation issue, not an exception.
 * Writing a bag encodes the value as Python's `json.dumps` does, so the bytes match what a
 * Python charm writes. The JSON Schema export describes the field as a string with
 * `contentMediaType: application/json` and `contentSchema`, as pydantic's `Json[...]` does.
 *
 * @param inner - the schema of the decoded value: any zod v4 schema, from `zod/mini` or zod
 *   classic
 * @example
 * ```ts
 * import { int, optional } from 'zod/mini';
 * const port = jsonField(int()); // bag value '8080' ⇄ 8080
 * const weight = optional(jsonField(int())); // the field may be absent
 * ```
 */
export function jsonField<T extends $ZodType>(inner: T): JsonField<T> {
  const field = codec(string(), inner, {
    decode: (text, ctx) => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.issues.push({
          code: 'custom',
          message: 'not valid JSON text',
          input: undefined,
        });
        return NEVER;
      }
    },
    encode: (value) => pythonJsonDumps(value),
  });
  jsonFieldInner.set(field, inner);
  return field;
}

/** The decoded-value schema of a {@link jsonField}, or `undefined` for other schemas. */
export function jsonFieldSchema(schema: $ZodType): $ZodType | undefined {
  return jsonFieldInner.get(schema);
}
