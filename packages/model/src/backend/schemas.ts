import { z } from 'zod';

/** @internal `config-get --format=json`: option name → value. */
export const ConfigSchema = z.record(z.string(), z.union([z.boolean(), z.number(), z.string()]));

/** @internal A JSON list of strings (`relation-ids`, `relation-list`, `storage-list`...). */
export const StringListSchema = z.array(z.string());

/** @internal A relation databag: string → string. */
export const DatabagSchema = z.record(z.string(), z.string());

/** Names of every workload status Juju knows. */
export const StatusNameSchema = z.enum([
  'active',
  'blocked',
  'maintenance',
  'waiting',
  'error',
  'unknown',
]);

/** @internal One status as `status-get` prints it. */
export const StatusEntrySchema = z.object({
  status: StatusNameSchema,
  message: z.string().default(''),
});

/** @internal `status-get --application=true` output. */
export const AppStatusSchema = z.object({ 'application-status': StatusEntrySchema });

/** @internal `network-get --format=json` output. */
export const NetworkSchema = z
  .object({
    'bind-addresses': z
      .array(
        z.object({
          'mac-address': z.string().default(''),
          'interface-name': z.string().default(''),
          addresses: z
            .array(
              z.object({
                hostname: z.string().default(''),
                value: z.string().optional(),
                address: z.string().optional(),
                cidr: z.string().default(''),
              }),
            )
            .nullish(),
        }),
      )
      .nullish(),
    'ingress-addresses': z.array(z.string()).nullish(),
    'egress-subnets': z.array(z.string()).nullish(),
  })
  .transform((raw) => ({
    bindAddresses: (raw['bind-addresses'] ?? []).map((b) => ({
      macAddress: b['mac-address'],
      interfaceName: b['interface-name'],
      addresses: (b.addresses ?? []).map((a) => ({
        hostname: a.hostname,
        value: a.value ?? a.address ?? '',
        cidr: a.cidr,
      })),
    })),
    ingressAddresses: raw['ingress-addresses'] ?? [],
    egressSubnets: raw['egress-subnets'] ?? [],
  }));

/** @internal `storage-get --format=json -s <id>` output. */
export const StorageDetailsSchema = z.object({
  kind: z.string(),
  location: z.string(),
});

/** Rotation policies of a secret. */
export const SecretRotateSchema = z.enum([
  'never',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'yearly',
]);

const Rfc3339 = z.string().transform((s, ctx) => {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `expected an RFC 3339 time, got "${s}"` });
    return z.NEVER;
  }
  return d;
});

/** An optional time where `''` also means unset (ops treats empty as absent). */
const OptionalRfc3339 = z
  .union([z.literal(''), Rfc3339])
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** @internal `secret-info-get --format=json` output: one entry keyed by the bare id. */
export const SecretInfoOutputSchema = z
  .record(
    z.string(),
    z.object({
      revision: z.number().int(),
      label: z.string().default(''),
      owner: z.string().optional(),
      description: z.string().optional(),
      // An unknown policy is dropped rather than failing the call (forward compatibility).
      rotation: SecretRotateSchema.optional().catch(undefined),
      expiry: OptionalRfc3339,
      rotates: OptionalRfc3339,
    }),
  )
  .refine((r) => Object.keys(r).length === 1, { message: 'expected exactly one secret' });

/** @internal `goal-state --format=json` output. */
export const GoalStateSchema = z.object({
  units: z
    .record(z.string(), z.object({ status: z.string(), since: Rfc3339 }))
    .nullish()
    .transform((u) => u ?? {}),
  relations: z
    .record(z.string(), z.record(z.string(), z.object({ status: z.string(), since: Rfc3339 })))
    .nullish()
    .transform((r) => r ?? {}),
});

/** @internal `credential-get --format=json` output. */
export const CloudSpecSchema = z
  .object({
    type: z.string(),
    name: z.string(),
    region: z.string().nullish(),
    endpoint: z.string().nullish(),
    'identity-endpoint': z.string().nullish(),
    'storage-endpoint': z.string().nullish(),
    credential: z
      .object({
        'auth-type': z.string(),
        attrs: z.record(z.string(), z.string()).nullish(),
        redacted: z.array(z.string()).nullish(),
      })
      .nullish(),
    cacertificates: z.array(z.string()).nullish(),
    'skip-tls-verify': z.boolean().nullish(),
    'is-controller-cloud': z.boolean().nullish(),
  })
  .transform((raw) => ({
    type: raw.type,
    name: raw.name,
    region: raw.region ?? null,
    endpoint: raw.endpoint ?? null,
    identityEndpoint: raw['identity-endpoint'] ?? null,
    storageEndpoint: raw['storage-endpoint'] ?? null,
    credential:
      raw.credential == null
        ? null
        : {
            authType: raw.credential['auth-type'],
            attributes: raw.credential.attrs ?? {},
            redacted: raw.credential.redacted ?? [],
          },
    caCertificates: raw.cacertificates ?? [],
    skipTlsVerify: raw['skip-tls-verify'] ?? false,
    isControllerCloud: raw['is-controller-cloud'] ?? false,
  }));

/** @internal `relation-model-get --format=json` output. */
export const RelationModelSchema = z.object({ uuid: z.string() });
