import {
  array,
  boolean,
  int,
  lazy,
  minLength,
  nonnegative,
  nullish,
  number,
  object,
  optional,
  record,
  refine,
  strictObject,
  string,
  superRefine,
  union,
  unknown,
  enum as zEnum,
} from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { memo } from './parse.js';

// Built on first use: a packed charm reads `.opsjs/metadata.json` (src/charm-meta.ts), which
// needs none of these.

/** @internal A relation endpoint in `requires`/`provides`/`peers`. */
export const relationEndpointSchema = memo(() =>
  object({
    interface: string(),
    limit: optional(int().check(nonnegative())),
    optional: optional(boolean()),
    scope: optional(zEnum(['global', 'container'])),
    description: optional(string()),
  }),
);

/** @internal A storage entry. */
export const storageSchema = memo(() =>
  object({
    type: zEnum(['filesystem', 'block']),
    description: optional(string()),
    location: optional(string()),
    shared: optional(boolean()),
    'read-only': optional(boolean()),
    'minimum-size': optional(union([string(), number()])),
    multiple: optional(object({ range: union([string(), int().check(nonnegative())]) })),
    properties: optional(array(string())),
  }),
);

/** @internal A resource entry. */
export const resourceSchema = memo(() =>
  object({
    type: zEnum(['file', 'oci-image']),
    filename: optional(string()),
    description: optional(string()),
  }),
);

/** @internal A container entry. */
export const containerSchema = memo(() =>
  object({
    resource: optional(string()),
    bases: optional(
      array(
        object({
          name: string(),
          channel: string(),
          architectures: optional(array(string())),
        }),
      ),
    ),
    mounts: optional(array(object({ storage: string(), location: optional(string()) }))),
  }).check(
    refine((c) => !(c.resource !== undefined && c.bases !== undefined), {
      message: '"resource" and "bases" are mutually exclusive',
    }),
  ),
);

/** @internal An `assumes` entry (recursive). */
export type AssumesEntry = string | { 'any-of': AssumesEntry[] } | { 'all-of': AssumesEntry[] };

/** @internal */
export const assumesEntrySchema: () => $ZodType<AssumesEntry> = memo(() =>
  lazy(() =>
    union([
      string(),
      strictObject({ 'any-of': array(assumesEntrySchema()) }),
      strictObject({ 'all-of': array(assumesEntrySchema()) }),
    ]),
  ),
);

/** @internal A list of `assumes` entries. */
export const assumesSchema = memo(() => array(assumesEntrySchema()));

/** @internal metadata.yaml (and the metadata keys of charmcraft.yaml). */
export const metadataSchema = memo(() => {
  const stringOrList = union([string(), array(string())]);
  const endpoints = nullish(record(string(), relationEndpointSchema()));
  return object({
    name: string().check(minLength(1)),
    summary: optional(string()),
    description: optional(string()),
    'display-name': optional(string()),
    title: optional(string()),
    subordinate: optional(boolean()),
    requires: endpoints,
    provides: endpoints,
    peers: endpoints,
    storage: nullish(record(string(), storageSchema())),
    containers: nullish(record(string(), containerSchema())),
    resources: nullish(record(string(), resourceSchema())),
    'extra-bindings': nullish(record(string(), unknown())),
    assumes: nullish(assumesSchema()),
    'charm-user': optional(zEnum(['root', 'sudoer', 'non-root'])),
    series: optional(array(string())),
    'min-juju-version': optional(string()),
    maintainers: optional(array(string())),
    maintainer: optional(string()),
    terms: optional(array(string())),
    tags: optional(array(string())),
    website: optional(stringOrList),
    source: optional(stringOrList),
    issues: optional(stringOrList),
    docs: optional(string()),
    links: optional(
      object({
        contact: optional(stringOrList),
        documentation: optional(string()),
        issues: optional(stringOrList),
        source: optional(stringOrList),
        website: optional(stringOrList),
      }),
    ),
  });
});

/** @internal One config option. */
export const configOptionSchema = memo(() =>
  object({
    type: zEnum(['string', 'int', 'float', 'boolean', 'secret']),
    default: nullish(union([string(), number(), boolean()])),
    description: optional(string()),
  }).check(
    superRefine((o, ctx) => {
      if (o.default === undefined || o.default === null) return;
      const d = o.default;
      const ok =
        o.type === 'int'
          ? typeof d === 'number' && Number.isInteger(d)
          : o.type === 'float'
            ? typeof d === 'number'
            : o.type === 'boolean'
              ? typeof d === 'boolean'
              : typeof d === 'string';
      if (!ok) {
        ctx.addIssue({
          code: 'custom',
          path: ['default'],
          message: `expected a ${o.type} default, got ${JSON.stringify(d)}`,
        });
      }
    }),
  ),
);

/** @internal config.yaml (and charmcraft.yaml `config`). */
export const configFileSchema = memo(() =>
  nullish(object({ options: nullish(record(string(), configOptionSchema())) })),
);

/** @internal One action. */
export const actionSchema = memo(() =>
  nullish(
    object({
      title: optional(string()),
      description: optional(string()),
      params: nullish(record(string(), record(string(), unknown()))),
      required: optional(array(string())),
      additionalProperties: optional(boolean()),
      parallel: optional(boolean()),
      'execution-group': optional(string()),
    }),
  ),
);

/** @internal actions.yaml (and charmcraft.yaml `actions`). */
export const actionsFileSchema = memo(() => nullish(record(string(), actionSchema())));
