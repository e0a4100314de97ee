import {
  _default,
  array,
  boolean,
  int,
  literal,
  nullable,
  nullish,
  number,
  object,
  optional,
  pipe,
  record,
  refine,
  string,
  transform,
  union,
  unknown,
  catch as zCatch,
  enum as zEnum,
} from 'zod/mini';
import { NEVER } from 'zod/v4/core';
import { memo } from '../schemas/parse.js';

/**
 * @internal `config-get --format=json`: option name → value. Juju prints `null` when there are
 * none, which `configGet` takes as `{}` before parsing (a `nullable` wrapper would be one more
 * zod type to set up in every hook that reads config).
 */
export const configSchema = memo(() => record(string(), union([boolean(), number(), string()])));

/** @internal A JSON list of strings (`relation-ids`, `relation-list`...). */
export const stringListSchema = memo(() => array(string()));

/** @internal A JSON list of strings or `null` (`storage-list`, `opened-ports`, `secret-ids`). */
export const nullableStringListSchema = memo(() => nullable(stringListSchema()));

/** @internal A relation databag or secret content (string → string), or `null`. */
export const nullableDatabagSchema = memo(() => nullable(record(string(), string())));

/** @internal `relation-list --app`: the remote application, or `null`. */
export const nullableStringSchema = memo(() => nullable(string()));

/** @internal `action-get --format=json`: the parameters, or `null`. */
export const actionParamsSchema = memo(() => nullable(record(string(), unknown())));

/** @internal `is-leader --format=json`. */
export const booleanSchema = memo(() => boolean());

/** Names of every workload status Juju knows. */
export const statusNameSchema = memo(() =>
  zEnum(['active', 'blocked', 'maintenance', 'waiting', 'error', 'unknown']),
);

/** @internal One status as `status-get` prints it. */
export const statusEntrySchema = memo(() =>
  object({
    status: statusNameSchema(),
    message: _default(string(), ''),
  }),
);

/** @internal `status-get --application=true` output. */
export const appStatusSchema = memo(() => object({ 'application-status': statusEntrySchema() }));

/** @internal `network-get --format=json` output. */
export const networkSchema = memo(() =>
  pipe(
    object({
      'bind-addresses': nullish(
        array(
          object({
            'mac-address': _default(string(), ''),
            'interface-name': _default(string(), ''),
            addresses: nullish(
              array(
                object({
                  hostname: _default(string(), ''),
                  value: optional(string()),
                  address: optional(string()),
                  cidr: _default(string(), ''),
                }),
              ),
            ),
          }),
        ),
      ),
      'ingress-addresses': nullish(array(string())),
      'egress-subnets': nullish(array(string())),
    }),
    transform((raw) => ({
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
  ),
);

/** @internal `storage-get --format=json -s <id>` output. */
export const storageDetailsSchema = memo(() =>
  object({
    kind: string(),
    location: string(),
  }),
);

/** Rotation policies of a secret. */
export const secretRotateSchema = memo(() =>
  zEnum(['never', 'hourly', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly']),
);

const rfc3339 = memo(() =>
  pipe(
    string(),
    transform((s: string, ctx) => {
      const d = new Date(s);
      if (Number.isNaN(d.getTime())) {
        ctx.issues.push({
          code: 'custom',
          message: `expected an RFC 3339 time, got "${s}"`,
          input: s,
        });
        return NEVER;
      }
      return d;
    }),
  ),
);

/** An optional time where `''` also means unset (ops treats empty as absent). */
const optionalRfc3339 = memo(() =>
  pipe(
    optional(union([literal(''), rfc3339()])),
    transform((v: '' | Date | undefined) => (v === '' ? undefined : v)),
  ),
);

/** @internal `secret-info-get --format=json` output: one entry keyed by the bare id. */
export const secretInfoOutputSchema = memo(() =>
  record(
    string(),
    object({
      revision: int(),
      label: _default(string(), ''),
      owner: optional(string()),
      description: optional(string()),
      // An unknown policy is dropped rather than failing the call (forward compatibility).
      rotation: zCatch(optional(secretRotateSchema()), undefined),
      expiry: optionalRfc3339(),
      rotates: optionalRfc3339(),
    }),
  ).check(refine((r) => Object.keys(r).length === 1, { message: 'expected exactly one secret' })),
);

/** @internal `goal-state --format=json` output. */
export const goalStateSchema = memo(() => {
  const entry = object({ status: string(), since: rfc3339() });
  return object({
    units: pipe(
      nullish(record(string(), entry)),
      transform((u) => u ?? {}),
    ),
    relations: pipe(
      nullish(record(string(), record(string(), entry))),
      transform((r) => r ?? {}),
    ),
  });
});

/** @internal `credential-get --format=json` output. */
export const cloudSpecSchema = memo(() =>
  pipe(
    object({
      type: string(),
      name: string(),
      region: nullish(string()),
      endpoint: nullish(string()),
      'identity-endpoint': nullish(string()),
      'storage-endpoint': nullish(string()),
      credential: nullish(
        object({
          'auth-type': string(),
          attrs: nullish(record(string(), string())),
          redacted: nullish(array(string())),
        }),
      ),
      cacertificates: nullish(array(string())),
      'skip-tls-verify': nullish(boolean()),
      'is-controller-cloud': nullish(boolean()),
    }),
    transform((raw) => ({
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
  ),
);

/** @internal `relation-model-get --format=json` output. */
export const relationModelSchema = memo(() => object({ uuid: string() }));
