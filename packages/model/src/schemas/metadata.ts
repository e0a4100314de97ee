import type { z } from 'zod';
import {
  array as zArray,
  boolean as zBoolean,
  enum as zEnum,
  lazy as zLazy,
  number as zNumber,
  object as zObject,
  record as zRecord,
  strictObject as zStrictObject,
  string as zString,
  union as zUnion,
  unknown as zUnknown,
} from 'zod';

/** @internal A relation endpoint in `requires`/`provides`/`peers`. */
export const RelationEndpointSchema = zObject({
  interface: zString(),
  limit: zNumber().int().nonnegative().optional(),
  optional: zBoolean().optional(),
  scope: zEnum(['global', 'container']).optional(),
  description: zString().optional(),
});

const MultipleSchema = zObject({
  range: zUnion([zString(), zNumber().int().nonnegative()]),
});

/** @internal A storage entry. */
export const StorageSchema = zObject({
  type: zEnum(['filesystem', 'block']),
  description: zString().optional(),
  location: zString().optional(),
  shared: zBoolean().optional(),
  'read-only': zBoolean().optional(),
  'minimum-size': zUnion([zString(), zNumber()]).optional(),
  multiple: MultipleSchema.optional(),
  properties: zArray(zString()).optional(),
});

/** @internal A resource entry. */
export const ResourceSchema = zObject({
  type: zEnum(['file', 'oci-image']),
  filename: zString().optional(),
  description: zString().optional(),
});

/** @internal A container entry. */
export const ContainerSchema = zObject({
  resource: zString().optional(),
  bases: zArray(
    zObject({
      name: zString(),
      channel: zString(),
      architectures: zArray(zString()).optional(),
    }),
  ).optional(),
  mounts: zArray(zObject({ storage: zString(), location: zString().optional() })).optional(),
}).refine((c) => !(c.resource !== undefined && c.bases !== undefined), {
  message: '"resource" and "bases" are mutually exclusive',
});

/** @internal An `assumes` entry (recursive). */
export type AssumesEntry = string | { 'any-of': AssumesEntry[] } | { 'all-of': AssumesEntry[] };

/** @internal */
export const AssumesEntrySchema: z.ZodType<AssumesEntry> = zLazy(() =>
  zUnion([
    zString(),
    zStrictObject({ 'any-of': zArray(AssumesEntrySchema) }),
    zStrictObject({ 'all-of': zArray(AssumesEntrySchema) }),
  ]),
);

const StringOrList = zUnion([zString(), zArray(zString())]);

/** @internal metadata.yaml (and the metadata keys of charmcraft.yaml). */
export const MetadataSchema = zObject({
  name: zString().min(1),
  summary: zString().optional(),
  description: zString().optional(),
  'display-name': zString().optional(),
  title: zString().optional(),
  subordinate: zBoolean().optional(),
  requires: zRecord(zString(), RelationEndpointSchema).nullish(),
  provides: zRecord(zString(), RelationEndpointSchema).nullish(),
  peers: zRecord(zString(), RelationEndpointSchema).nullish(),
  storage: zRecord(zString(), StorageSchema).nullish(),
  containers: zRecord(zString(), ContainerSchema).nullish(),
  resources: zRecord(zString(), ResourceSchema).nullish(),
  'extra-bindings': zRecord(zString(), zUnknown()).nullish(),
  assumes: zArray(AssumesEntrySchema).nullish(),
  'charm-user': zEnum(['root', 'sudoer', 'non-root']).optional(),
  series: zArray(zString()).optional(),
  'min-juju-version': zString().optional(),
  maintainers: zArray(zString()).optional(),
  maintainer: zString().optional(),
  terms: zArray(zString()).optional(),
  tags: zArray(zString()).optional(),
  website: StringOrList.optional(),
  source: StringOrList.optional(),
  issues: StringOrList.optional(),
  docs: zString().optional(),
  links: zObject({
    contact: StringOrList.optional(),
    documentation: zString().optional(),
    issues: StringOrList.optional(),
    source: StringOrList.optional(),
    website: StringOrList.optional(),
  }).optional(),
});

/** @internal One config option. */
export const ConfigOptionSchema = zObject({
  type: zEnum(['string', 'int', 'float', 'boolean', 'secret']),
  default: zUnion([zString(), zNumber(), zBoolean()]).nullish(),
  description: zString().optional(),
}).superRefine((o, ctx) => {
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
});

/** @internal config.yaml (and charmcraft.yaml `config`). */
export const ConfigFileSchema = zObject({
  options: zRecord(zString(), ConfigOptionSchema).nullish(),
}).nullish();

/** @internal One action. */
export const ActionSchema = zObject({
  title: zString().optional(),
  description: zString().optional(),
  params: zRecord(zString(), zRecord(zString(), zUnknown())).nullish(),
  required: zArray(zString()).optional(),
  additionalProperties: zBoolean().optional(),
  parallel: zBoolean().optional(),
  'execution-group': zString().optional(),
}).nullish();

/** @internal actions.yaml (and charmcraft.yaml `actions`). */
export const ActionsFileSchema = zRecord(zString(), ActionSchema).nullish();
