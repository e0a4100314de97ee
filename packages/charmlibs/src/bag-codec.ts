import { encode, looseObject, object, safeParse, toJSONSchema, type ZodMiniObject } from 'zod/mini';
import { type $loose, type $strip, $ZodError, type $ZodType, type output } from 'zod/v4/core';
import { parseContext } from './error-map.js';
import { BagEncodeError } from './errors.js';
import { jsonFieldSchema } from './json-field.js';

/**
 * The fields of one databag: field name (as on the wire) → zod schema whose input is the
 * bag's string value (`string()`, `enum([...])`, {@link jsonField}, `optional(...)`...).
 * Any zod v4 schema fits, from `zod/mini` or zod classic (`zod`); prefer `zod/mini` in code a
 * charm bundles, as one classic import loads the whole classic API at every dispatch.
 */
export type BagShape = Readonly<Record<string, $ZodType<unknown, string | undefined>>>;

/** An empty {@link BagShape}: a bag with no declared fields. */
export type EmptyShape = Record<never, never>;

/** The zod schema of a databag: an object that keeps unknown fields. */
export type BagSchema<S extends BagShape> = ZodMiniObject<S, $loose>;

/** A databag as the charm sees it after parsing: declared fields typed, unknown ones kept. */
export type BagData<S extends BagShape> = output<BagSchema<S>>;

/** What a charm writes to a databag: the declared fields, typed. */
export type BagValue<S extends BagShape> = output<ZodMiniObject<S, $strip>>;

/** One reason a databag was rejected. It never contains a databag value. */
export interface BagIssue {
  /** Whose bag: `app` (with the application name) or `unit` (with the unit name). */
  readonly bag: string;
  /** The dotted path of the field inside the bag (`''` for the bag itself). */
  readonly path: string;
  /** A stable code: zod's issue code, `too_big_value` or `too_many_relations`. */
  readonly code: string;
  /** What is wrong. */
  readonly message: string;
}

/** The result of parsing a databag. */
export type BagParseResult<T> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly issues: readonly BagIssue[] };

/** Options of {@link BagCodec.parse}. */
export interface BagParseOptions {
  /** The bag's owner for issue messages, e.g. `app ingress-requirer` (default `bag`). */
  readonly owner?: string;
  /** Values longer than this many UTF-8 bytes are rejected unparsed (default 1 MiB). */
  readonly maxValueBytes?: number;
}

/** The default limit on one databag value's size when parsing a remote bag: 1 MiB. */
export const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;

/** A JSON Schema document, as produced by {@link BagCodec.jsonSchema}. */
export type JsonSchema = { [key: string]: unknown };

/**
 * Parses, encodes and describes one databag of an interface (e.g. the requirer's app bag).
 * Create through `defineInterface()`.
 */
export class BagCodec<S extends BagShape> {
  /** A label for messages, e.g. `ingress v2 requirer app`. */
  readonly label: string;
  #shapeSource: S | (() => S);
  #shape: S | undefined;
  #schema: BagSchema<S> | undefined;
  #strict: ZodMiniObject<S, $strip> | undefined;
  #allOptional: boolean | undefined;

  /**
   * @internal use `defineInterface()`
   * @param shape - the fields, or a function that builds them on first use
   */
  constructor(label: string, shape: S | (() => S)) {
    this.label = label;
    this.#shapeSource = shape;
  }

  /** The declared fields (built on first use when the interface declares them lazily). */
  get shape(): S {
    if (this.#shape === undefined) {
      const source = this.#shapeSource;
      this.#shape = isBuilder(source) ? source() : source;
    }
    return this.#shape;
  }

  /** The zod (`zod/mini`) schema of the bag; unknown fields are kept. Built on first use. */
  get schema(): BagSchema<S> {
    this.#schema ??= looseObject(this.shape);
    return this.#schema;
  }

  /** Whether the bag declares no required field. */
  get allOptional(): boolean {
    this.#allOptional ??= Object.values(this.shape).every(
      (field) => safeParse(field, undefined).success,
    );
    return this.#allOptional;
  }

  /**
   * Validate a raw databag (string → string) and decode its fields. Never throws for bad
   * data: JSON that does not parse, missing required fields, wrong types and oversized values
   * become issues. Unknown fields are kept as they are.
   */
  parse(
    raw: Readonly<Record<string, string>>,
    options: BagParseOptions = {},
  ): BagParseResult<BagData<S>> {
    const owner = options.owner ?? 'bag';
    const max = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    const issues: BagIssue[] = [];
    for (const [key, value] of Object.entries(raw)) {
      const size = Buffer.byteLength(value, 'utf8');
      if (size > max) {
        issues.push({
          bag: owner,
          path: key,
          code: 'too_big_value',
          message: `value is ${size} bytes, over the limit of ${max}`,
        });
      }
    }
    if (issues.length > 0) return { ok: false, issues };
    const result = safeParse(this.schema, raw, parseContext);
    if (result.success) return { ok: true, data: result.data };
    return {
      ok: false,
      issues: result.error.issues.map((issue) => ({
        bag: owner,
        path: issue.path.map(String).join('.'),
        code: issue.code,
        message: issue.message,
      })),
    };
  }

  /**
   * Validate a typed value and encode it as databag strings (JSON fields as Python writes
   * them). Declared fields absent from `value` map to `''` (Juju deletes the key).
   *
   * @throws {BagEncodeError} when `value` does not satisfy the schema
   */
  encode(value: BagValue<S>): Record<string, string> {
    let encoded: unknown;
    try {
      this.#strict ??= object(this.shape);
      encoded = encode(this.#strict, value, parseContext);
    } catch (err) {
      if (err instanceof $ZodError) {
        throw new BagEncodeError(
          this.label,
          err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
        );
      }
      throw err;
    }
    const out: Record<string, string> = {};
    for (const key of Object.keys(this.shape)) out[key] = '';
    if (typeof encoded === 'object' && encoded !== null) {
      for (const [key, v] of Object.entries(encoded)) {
        if (v === undefined) continue;
        if (typeof v !== 'string') {
          throw new BagEncodeError(this.label, [
            { path: key, message: `encodes to a ${typeof v}, not a string` },
          ]);
        }
        out[key] = v;
      }
    }
    return out;
  }

  /**
   * The JSON Schema (draft 2020-12) of the bag as it is on the wire: every field a string,
   * JSON fields with `contentMediaType: application/json` and the decoded value's schema as
   * `contentSchema`; unknown fields allowed.
   */
  jsonSchema(): JsonSchema {
    const schema = toJSONSchema(this.schema, {
      io: 'input',
      unrepresentable: 'any',
      override: (ctx) => {
        const inner = jsonFieldSchema(ctx.zodSchema);
        if (inner === undefined) return;
        const content: JsonSchema = toJSONSchema(inner, { io: 'output', unrepresentable: 'any' });
        delete content.$schema;
        ctx.jsonSchema.type = 'string';
        ctx.jsonSchema.contentMediaType = 'application/json';
        ctx.jsonSchema.contentSchema = content;
      },
    });
    const out: JsonSchema = { ...schema };
    delete out.$schema;
    out.title = this.label;
    return out;
  }
}

function isBuilder<S extends BagShape>(source: S | (() => S)): source is () => S {
  return typeof source === 'function';
}
