import { z } from 'zod';
import { pythonJsonDumps } from './python-json.js';

const jsonFieldInner = new WeakMap<z.core.$ZodType, z.ZodType>();

/** A databag field that holds JSON text on the wire and a typed value in the charm. */
export type JsonField<T extends z.ZodType> = z.ZodCodec<z.ZodString, T>;

/**
 * A databag field whose string value is JSON text (Juju bags hold only strings; interfaces
 * such as `ingress` JSON-encode every field). Parsing a bag decodes the text and validates
 * it with `inner`; text that is not JSON becomes a validation issue, not an exception.
 * Writing a bag encodes the value as Python's `json.dumps` does, so the bytes match what a
 * Python charm writes. The JSON Schema export describes the field as a string with
 * `contentMediaType: application/json` and `contentSchema`, as pydantic's `Json[...]` does.
 *
 * @param inner - the schema of the decoded value
 * @example
 * ```ts
 * const port = jsonField(z.number().int()); // bag value '8080' ⇄ 8080
 * ```
 */
export function jsonField<T extends z.ZodType>(inner: T): JsonField<T> {
  const codec = z.codec(z.string(), inner, {
    decode: (text, ctx) => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.issues.push({
          code: 'custom',
          message: 'not valid JSON text',
          input: undefined,
        });
        return z.NEVER;
      }
    },
    encode: (value) => pythonJsonDumps(value),
  });
  jsonFieldInner.set(codec, inner);
  return codec;
}

/** The decoded-value schema of a {@link jsonField}, or `undefined` for other schemas. */
export function jsonFieldSchema(schema: z.core.$ZodType): z.ZodType | undefined {
  return jsonFieldInner.get(schema);
}
