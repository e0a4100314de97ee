import type { JsonSchema } from './bag-codec.js';

/** One breaking difference between a released JSON Schema and the current one. */
export interface SchemaBreak {
  /** Where: e.g. `ingress@v2 provider app.ingress (JSON content).url`. */
  readonly path: string;
  /** `removed` field, newly `required` field, or `narrowed` type. */
  readonly kind: 'removed' | 'required' | 'narrowed';
  /** Why this breaks the other side. */
  readonly reason: string;
}

type Obj = { readonly [key: string]: unknown };

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The JSON types a schema accepts, or `undefined` when it does not restrict them. */
function typesOf(schema: Obj): Set<string> | undefined {
  const t = schema.type;
  if (typeof t === 'string') return new Set(t === 'number' ? ['number', 'integer'] : [t]);
  if (Array.isArray(t)) {
    const out = new Set(strings(t));
    if (out.has('number')) out.add('integer');
    return out;
  }
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : schema.oneOf;
  if (Array.isArray(alternatives)) {
    const out = new Set<string>();
    for (const alt of alternatives) {
      if (!isObj(alt)) return undefined;
      const inner = typesOf(alt);
      if (inner === undefined) return undefined;
      for (const x of inner) out.add(x);
    }
    return out;
  }
  return undefined;
}

/** The object branch of a schema (itself, or the object alternative of an `anyOf`). */
function objectBranch(schema: Obj): Obj | undefined {
  if (isObj(schema.properties)) return schema;
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : schema.oneOf;
  if (Array.isArray(alternatives)) {
    for (const alt of alternatives) if (isObj(alt) && isObj(alt.properties)) return alt;
  }
  return undefined;
}

const LOWER_BOUNDS = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties'];

/**
 * The breaking differences from `before` (released) to `after` (current): a field removed,
 * a field newly required, or a type narrowed (fewer JSON types, fewer enum values, a new
 * `const`, `format` or `pattern`, tighter bounds, unknown fields no longer allowed), at any
 * depth, including inside JSON-encoded fields (`contentSchema`) and array items. Additions
 * of optional fields and widenings are not breaking.
 */
export function diffSchemas(before: unknown, after: unknown, path = ''): SchemaBreak[] {
  const out: SchemaBreak[] = [];
  if (!isObj(before) || !isObj(after)) return out;
  const at = path === '' ? '(root)' : path;
  const oldTypes = typesOf(before);
  const newTypes = typesOf(after);
  if (newTypes !== undefined) {
    const lost =
      oldTypes === undefined ? ['any type'] : [...oldTypes].filter((t) => !newTypes.has(t));
    if (lost.length > 0) {
      out.push({
        path: at,
        kind: 'narrowed',
        reason: `no longer accepts ${lost.join(', ')} (now ${[...newTypes].join(' | ')})`,
      });
    }
  }
  if (Array.isArray(after.enum)) {
    const allowed = new Set(after.enum.map((v) => JSON.stringify(v)));
    const lost = Array.isArray(before.enum)
      ? before.enum.map((v) => JSON.stringify(v)).filter((v) => !allowed.has(v))
      : ['any value'];
    if (lost.length > 0) {
      out.push({ path: at, kind: 'narrowed', reason: `no longer accepts ${lost.join(', ')}` });
    }
  }
  for (const key of ['const', 'format', 'pattern'] as const) {
    if (after[key] !== undefined && JSON.stringify(after[key]) !== JSON.stringify(before[key])) {
      out.push({
        path: at,
        kind: 'narrowed',
        reason: `${key} ${JSON.stringify(after[key])} is new${before[key] === undefined ? '' : ` (was ${JSON.stringify(before[key])})`}`,
      });
    }
  }
  for (const key of LOWER_BOUNDS) {
    const a = after[key];
    const b = before[key];
    if (typeof a === 'number' && (typeof b !== 'number' || a > b)) {
      out.push({
        path: at,
        kind: 'narrowed',
        reason: `${key} rose to ${a}${typeof b === 'number' ? ` from ${b}` : ''}`,
      });
    }
  }
  for (const key of UPPER_BOUNDS) {
    const a = after[key];
    const b = before[key];
    if (typeof a === 'number' && (typeof b !== 'number' || a < b)) {
      out.push({
        path: at,
        kind: 'narrowed',
        reason: `${key} fell to ${a}${typeof b === 'number' ? ` from ${b}` : ''}`,
      });
    }
  }
  const oldObj = objectBranch(before);
  const newObj = objectBranch(after);
  if (oldObj !== undefined && newObj !== undefined) {
    const oldProps = isObj(oldObj.properties) ? oldObj.properties : {};
    const newProps = isObj(newObj.properties) ? newObj.properties : {};
    const prefix = path === '' ? '' : `${path}.`;
    for (const name of Object.keys(oldProps)) {
      if (!(name in newProps)) {
        out.push({
          path: `${prefix}${name}`,
          kind: 'removed',
          reason: 'the field was removed; the other side may still read or write it',
        });
      } else {
        out.push(...diffSchemas(oldProps[name], newProps[name], `${prefix}${name}`));
      }
    }
    const wasRequired = new Set(strings(oldObj.required));
    for (const name of strings(newObj.required)) {
      if (!wasRequired.has(name)) {
        out.push({
          path: `${prefix}${name}`,
          kind: 'required',
          reason: 'the field is newly required; data written by the released version lacks it',
        });
      }
    }
    if (newObj.additionalProperties === false && oldObj.additionalProperties !== false) {
      out.push({ path: at, kind: 'narrowed', reason: 'unknown fields are no longer allowed' });
    }
  }
  if (isObj(before.contentSchema) && isObj(after.contentSchema)) {
    out.push(...diffSchemas(before.contentSchema, after.contentSchema, `${path} (JSON content)`));
  } else if (isObj(after.contentSchema) && before.contentSchema === undefined) {
    out.push({ path: at, kind: 'narrowed', reason: 'the value must now be JSON text' });
  }
  if (isObj(before.items) && isObj(after.items)) {
    out.push(...diffSchemas(before.items, after.items, `${path}[]`));
  }
  return out;
}

/** The released JSON Schemas of an interface package (`schemas/released.json`). */
export interface ReleasedSchemas {
  /** The package name. */
  readonly package: string;
  /** The package version these schemas were released with. */
  readonly version: string;
  /** `<interface>@v<N>` → `{ provider, requirer }` JSON Schemas. */
  readonly interfaces: Readonly<
    Record<string, { readonly provider: JsonSchema; readonly requirer: JsonSchema }>
  >;
}

/** The result of {@link checkSchemas}. */
export interface SchemaCheckResult {
  /** Whether the check passes. */
  readonly ok: boolean;
  /** Every breaking difference found (also when a major bump allows them). */
  readonly breaks: readonly SchemaBreak[];
  /** Whether a major version bump allows the breaking changes. */
  readonly majorBump: boolean;
  /** Human-readable report lines. */
  readonly report: readonly string[];
}

/**
 * Compare an interface package's current JSON Schemas with its released snapshot. Breaking
 * changes fail the check unless the package's major version is above the released one or a
 * pending changeset bumps it `major`.
 */
export function checkSchemas(
  released: ReleasedSchemas | undefined,
  current: ReleasedSchemas['interfaces'],
  options: {
    readonly packageName: string;
    readonly packageVersion: string;
    readonly pendingMajor?: boolean;
  },
): SchemaCheckResult {
  if (released === undefined) {
    return {
      ok: true,
      breaks: [],
      majorBump: false,
      report: [
        `${options.packageName}: no released schemas yet (schemas/released.json); nothing to compare`,
      ],
    };
  }
  const breaks: SchemaBreak[] = [];
  for (const [key, sides] of Object.entries(released.interfaces)) {
    const now = current[key];
    if (now === undefined) {
      breaks.push({
        path: key,
        kind: 'removed',
        reason: 'the interface version is no longer provided',
      });
      continue;
    }
    for (const side of ['provider', 'requirer'] as const) {
      breaks.push(
        ...diffSchemas(sides[side], now[side], `${key} ${side}`).map((b) => ({
          ...b,
          path: b.path.replace(`${key} ${side}.`, `${key} ${side} `),
        })),
      );
    }
  }
  const major = (v: string): number => Number.parseInt(v.split('.')[0] ?? '0', 10);
  const majorBump =
    options.pendingMajor === true || major(options.packageVersion) > major(released.version);
  const report = breaks.map((b) => `  ${b.kind} ${b.path}: ${b.reason}`);
  if (breaks.length === 0) {
    report.unshift(`${options.packageName}: no breaking schema change since ${released.version}`);
  } else if (majorBump) {
    report.unshift(
      `${options.packageName}: ${breaks.length} breaking schema change(s) since ${released.version}, allowed by a major version bump:`,
    );
  } else {
    report.unshift(
      `${options.packageName}: ${breaks.length} breaking schema change(s) since ${released.version} without a major version bump (add a major changeset, or revert):`,
    );
  }
  return { ok: breaks.length === 0 || majorBump, breaks, majorBump, report };
}
