import { z } from 'zod';

/** @internal A relation endpoint in `requires`/`provides`/`peers`. */
export const RelationEndpointSchema = z.object({
  interface: z.string(),
  limit: z.number().int().nonnegative().optional(),
  optional: z.boolean().optional(),
  scope: z.enum(['global', 'container']).optional(),
  description: z.string().optional(),
});

const MultipleSchema = z.object({
  range: z.union([z.string(), z.number().int().nonnegative()]),
});

/** @internal A storage entry. */
export const StorageSchema = z.object({
  type: z.enum(['filesystem', 'block']),
  description: z.string().optional(),
  location: z.string().optional(),
  shared: z.boolean().optional(),
  'read-only': z.boolean().optional(),
  'minimum-size': z.union([z.string(), z.number()]).optional(),
  multiple: MultipleSchema.optional(),
  properties: z.array(z.string()).optional(),
});

/** @internal A resource entry. */
export const ResourceSchema = z.object({
  type: z.enum(['file', 'oci-image']),
  filename: z.string().optional(),
  description: z.string().optional(),
});

/** @internal A container entry. */
export const ContainerSchema = z
  .object({
    resource: z.string().optional(),
    bases: z
      .array(
        z.object({
          name: z.string(),
          channel: z.string(),
          architectures: z.array(z.string()).optional(),
        }),
      )
      .optional(),
    mounts: z.array(z.object({ storage: z.string(), location: z.string().optional() })).optional(),
  })
  .refine((c) => !(c.resource !== undefined && c.bases !== undefined), {
    message: '"resource" and "bases" are mutually exclusive',
  });

/** @internal An `assumes` entry (recursive). */
export type AssumesEntry = string | { 'any-of': AssumesEntry[] } | { 'all-of': AssumesEntry[] };

/** @internal */
export const AssumesEntrySchema: z.ZodType<AssumesEntry> = z.lazy(() =>
  z.union([
    z.string(),
    z.strictObject({ 'any-of': z.array(AssumesEntrySchema) }),
    z.strictObject({ 'all-of': z.array(AssumesEntrySchema) }),
  ]),
);

const StringOrList = z.union([z.string(), z.array(z.string())]);

/** @internal metadata.yaml (and the metadata keys of charmcraft.yaml). */
export const MetadataSchema = z.object({
  name: z.string().min(1),
  summary: z.string().optional(),
  description: z.string().optional(),
  'display-name': z.string().optional(),
  title: z.string().optional(),
  subordinate: z.boolean().optional(),
  requires: z.record(z.string(), RelationEndpointSchema).nullish(),
  provides: z.record(z.string(), RelationEndpointSchema).nullish(),
  peers: z.record(z.string(), RelationEndpointSchema).nullish(),
  storage: z.record(z.string(), StorageSchema).nullish(),
  containers: z.record(z.string(), ContainerSchema).nullish(),
  resources: z.record(z.string(), ResourceSchema).nullish(),
  'extra-bindings': z.record(z.string(), z.unknown()).nullish(),
  assumes: z.array(AssumesEntrySchema).nullish(),
  'charm-user': z.enum(['root', 'sudoer', 'non-root']).optional(),
  series: z.array(z.string()).optional(),
  'min-juju-version': z.string().optional(),
  maintainers: z.array(z.string()).optional(),
  maintainer: z.string().optional(),
  terms: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  website: StringOrList.optional(),
  source: StringOrList.optional(),
  issues: StringOrList.optional(),
  docs: z.string().optional(),
  links: z
    .object({
      contact: StringOrList.optional(),
      documentation: z.string().optional(),
      issues: StringOrList.optional(),
      source: StringOrList.optional(),
      website: StringOrList.optional(),
    })
    .optional(),
});

/** @internal One config option. */
export const ConfigOptionSchema = z
  .object({
    type: z.enum(['string', 'int', 'float', 'boolean', 'secret']),
    default: z.union([z.string(), z.number(), z.boolean()]).nullish(),
    description: z.string().optional(),
  })
  .superRefine((o, ctx) => {
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
export const ConfigFileSchema = z
  .object({ options: z.record(z.string(), ConfigOptionSchema).nullish() })
  .nullish();

/** @internal One action. */
export const ActionSchema = z
  .object({
    title: z.string().optional(),
    description: z.string().optional(),
    params: z.record(z.string(), z.record(z.string(), z.unknown())).nullish(),
    required: z.array(z.string()).optional(),
    additionalProperties: z.boolean().optional(),
    parallel: z.boolean().optional(),
    'execution-group': z.string().optional(),
  })
  .nullish();

/** @internal actions.yaml (and charmcraft.yaml `actions`). */
export const ActionsFileSchema = z.record(z.string(), ActionSchema).nullish();
