import {
  NEVER,
  array as zArray,
  boolean as zBoolean,
  enum as zEnum,
  literal as zLiteral,
  number as zNumber,
  object as zObject,
  record as zRecord,
  string as zString,
  union as zUnion,
} from 'zod';

/** Build a schema on first use: most dispatches never call the tools these parse. */
function memo<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/** @internal `config-get --format=json`: option name → value. */
export const ConfigSchema = zRecord(zString(), zUnion([zBoolean(), zNumber(), zString()]));

/** @internal A JSON list of strings (`relation-ids`, `relation-list`, `storage-list`...). */
export const StringListSchema = zArray(zString());

/** @internal A relation databag: string → string. */
export const DatabagSchema = zRecord(zString(), zString());

/** Names of every workload status Juju knows. */
export const StatusNameSchema = zEnum([
  'active',
  'blocked',
  'maintenance',
  'waiting',
  'error',
  'unknown',
]);

/** @internal One status as `status-get` prints it. */
export const StatusEntrySchema = zObject({
  status: StatusNameSchema,
  message: zString().default(''),
});

/** @internal `status-get --application=true` output. */
export const AppStatusSchema = zObject({ 'application-status': StatusEntrySchema });

/** @internal `network-get --format=json` output. */
export const networkSchema = memo(() =>
  zObject({
    'bind-addresses': zArray(
      zObject({
        'mac-address': zString().default(''),
        'interface-name': zString().default(''),
        addresses: zArray(
          zObject({
            hostname: zString().default(''),
            value: zString().optional(),
            address: zString().optional(),
            cidr: zString().default(''),
          }),
        ).nullish(),
      }),
    ).nullish(),
    'ingress-addresses': zArray(zString()).nullish(),
    'egress-subnets': zArray(zString()).nullish(),
  }).transform((raw) => ({
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
  })),
);

/** @internal `storage-get --format=json -s <id>` output. */
export const StorageDetailsSchema = zObject({
  kind: zString(),
  location: zString(),
});

/** Rotation policies of a secret. */
export const SecretRotateSchema = zEnum([
  'never',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'yearly',
]);

const rfc3339 = memo(() =>
  zString().transform((s, ctx) => {
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: `expected an RFC 3339 time, got "${s}"` });
      return NEVER;
    }
    return d;
  }),
);

/** An optional time where `''` also means unset (ops treats empty as absent). */
const optionalRfc3339 = memo(() =>
  zUnion([zLiteral(''), rfc3339()])
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
);

/** @internal `secret-info-get --format=json` output: one entry keyed by the bare id. */
export const secretInfoOutputSchema = memo(() =>
  zRecord(
    zString(),
    zObject({
      revision: zNumber().int(),
      label: zString().default(''),
      owner: zString().optional(),
      description: zString().optional(),
      // An unknown policy is dropped rather than failing the call (forward compatibility).
      rotation: SecretRotateSchema.optional().catch(undefined),
      expiry: optionalRfc3339(),
      rotates: optionalRfc3339(),
    }),
  ).refine((r) => Object.keys(r).length === 1, { message: 'expected exactly one secret' }),
);

/** @internal `goal-state --format=json` output. */
export const goalStateSchema = memo(() =>
  zObject({
    units: zRecord(zString(), zObject({ status: zString(), since: rfc3339() }))
      .nullish()
      .transform((u) => u ?? {}),
    relations: zRecord(
      zString(),
      zRecord(zString(), zObject({ status: zString(), since: rfc3339() })),
    )
      .nullish()
      .transform((r) => r ?? {}),
  }),
);

/** @internal `credential-get --format=json` output. */
export const cloudSpecSchema = memo(() =>
  zObject({
    type: zString(),
    name: zString(),
    region: zString().nullish(),
    endpoint: zString().nullish(),
    'identity-endpoint': zString().nullish(),
    'storage-endpoint': zString().nullish(),
    credential: zObject({
      'auth-type': zString(),
      attrs: zRecord(zString(), zString()).nullish(),
      redacted: zArray(zString()).nullish(),
    }).nullish(),
    cacertificates: zArray(zString()).nullish(),
    'skip-tls-verify': zBoolean().nullish(),
    'is-controller-cloud': zBoolean().nullish(),
  }).transform((raw) => ({
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
  })),
);

/** @internal `relation-model-get --format=json` output. */
export const RelationModelSchema = zObject({ uuid: zString() });
