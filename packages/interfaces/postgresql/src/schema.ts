import { defineInterface, jsonField, type RemoteDataOf } from '@opsjs/charmlibs';
import { array, optional, string } from 'zod/mini';

/**
 * The `postgresql_client` interface, v0 (the `database` interface of the data-platform
 * charms), as catalogued in canonical/charm-relation-interfaces
 * (`interfaces/postgresql_client/v0`). Only application bags are used.
 *
 * Differences from the published JSON Schema, each needed to talk to the real charms:
 * `username` and `password` are optional, because a provider that supports Juju secrets
 * sends them in the secret named by `secret-user` instead (as the interface's README and
 * example bag show); the `secret-user`, `secret-tls`, `secret-extra` and `secret-entity`
 * fields of the README are declared. Everything else matches field for field.
 */
export const postgresqlClientV0 = defineInterface({
  name: 'postgresql_client',
  version: 0,
  summary: 'Ask a PostgreSQL charm for a database and credentials.',
  // Built on first use: a dispatch that touches no database data builds no schema.
  schemas: () => {
    const optionalString = optional(string());
    return {
      provider: {
        app: {
          database: string(),
          username: optionalString,
          password: optionalString,
          endpoints: string(),
          uris: optionalString,
          'read-only-endpoints': optionalString,
          'read-only-uris': optionalString,
          version: optionalString,
          subordinated: optionalString,
          state: optionalString,
          tls: optionalString,
          'tls-ca': optionalString,
          'entity-name': optionalString,
          'entity-password': optionalString,
          'prefix-databases': optionalString,
          'secret-user': optionalString,
          'secret-tls': optionalString,
          'secret-extra': optionalString,
          'secret-entity': optionalString,
        },
      },
      requirer: {
        app: {
          database: string(),
          'requested-secrets': jsonField(array(string())),
          'external-node-connectivity': optionalString,
          'extra-user-roles': optionalString,
          'extra-group-roles': optionalString,
          'entity-type': optionalString,
          'entity-permissions': optionalString,
          'requested-entity-secret': optionalString,
        },
      },
    };
  },
});

/** What a requirer sees: the provider's application bag. */
export type PostgresqlProviderData = RemoteDataOf<typeof postgresqlClientV0, 'requirer'>;
/** What a provider sees: the requirer's application bag. */
export type PostgresqlRequirerData = RemoteDataOf<typeof postgresqlClientV0, 'provider'>;

/** The secret groups: which provider fields travel in which Juju secret. */
export const SECRET_GROUPS = {
  user: ['username', 'password', 'uris', 'read-only-uris'],
  tls: ['tls', 'tls-ca'],
  entity: ['entity-name', 'entity-password'],
} as const;

/** A secret group name, or `extra` for requested fields in no group. */
export type SecretGroup = keyof typeof SECRET_GROUPS | 'extra';

/** The fields a requirer asks to receive through secrets by default. */
export const DEFAULT_REQUESTED_SECRETS: readonly string[] = [
  'username',
  'password',
  'tls-ca',
  'uris',
  'read-only-uris',
];

/** The group a provider field's secret belongs to. */
export function secretGroupOf(field: string): SecretGroup {
  for (const [group, fields] of Object.entries(SECRET_GROUPS)) {
    if ((fields as readonly string[]).includes(field)) return group as SecretGroup;
  }
  return 'extra';
}
