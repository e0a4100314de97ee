import { NotLeaderError } from '@opsjs/charmlibs';
import { type Relation, type Secret, SecretNotFoundError } from '@opsjs/core';
import { postgresqlClientV0, type SecretGroup, secretGroupOf } from './schema.js';

/** One application asking for a database. */
export interface DatabaseRequest {
  /** The relation it asks on. */
  readonly relation: Relation;
  /** The remote application's name. */
  readonly app: string;
  /** The database name (or a prefix ending in `*`). */
  readonly database: string;
  /** The fields to send through Juju secrets. */
  readonly requestedSecrets: readonly string[];
  /** Extra roles for the user, if asked. */
  readonly extraUserRoles: string | undefined;
}

/** What {@link PostgresqlProvider.publish} sends. Field names are those of the bag. */
export interface DatabaseInfo {
  /** The database created (or the prefix requested). */
  readonly database: string;
  /** The primary's `host:port` list. */
  readonly endpoints: string;
  /** The relation user's name. */
  readonly username: string;
  /** The relation user's password. */
  readonly password: string;
  /** Connection URIs (libpq format). */
  readonly uris?: string;
  /** Read-only `host:port` list. */
  readonly 'read-only-endpoints'?: string;
  /** Read-only connection URIs. */
  readonly 'read-only-uris'?: string;
  /** The database engine version. */
  readonly version?: string;
  /** `true` when TLS is enabled. */
  readonly tls?: string;
  /** The TLS CA chain. */
  readonly 'tls-ca'?: string;
}

/**
 * The provider side of `postgresql_client` v0 (a database charm): read requests, publish
 * endpoints and credentials. Fields the requirer listed in `requested-secrets` are sent in
 * application-owned Juju secrets granted to the relation (`secret-user`, `secret-tls`,
 * `secret-extra`), never in the databag; the rest go in the databag.
 */
export class PostgresqlProvider extends postgresqlClientV0.Provider {
  /** The valid requests, one per relation whose requirer has asked. */
  requests(): DatabaseRequest[] {
    return this.readyRelations().map(({ relation, data }) => ({
      relation,
      app: relation.app?.name ?? '',
      database: data.app.database,
      requestedSecrets: data.app['requested-secrets'],
      extraUserRoles: data.app['extra-user-roles'],
    }));
  }

  /**
   * Publish the database details for a requirer (leader only). Secret fields go into one
   * Juju secret per group, labelled `postgresql_client.<relation id>.<group>`, created or
   * updated, and granted to the relation.
   *
   * @param requestedSecrets - the requirer's `requested-secrets` (from {@link requests})
   * @throws {NotLeaderError} when this unit is not the leader
   */
  publish(relation: Relation, info: DatabaseInfo, requestedSecrets: readonly string[]): void {
    if (!this.model.unit.isLeader()) {
      throw new NotLeaderError(this.endpoint, relation.id, this.model.unit.name);
    }
    const bag: Record<string, string> = {};
    const groups = new Map<SecretGroup, Record<string, string>>();
    for (const [field, value] of Object.entries(info)) {
      if (value === undefined) continue;
      if (requestedSecrets.includes(field)) {
        const group = secretGroupOf(field);
        groups.set(group, { ...groups.get(group), [field]: value });
      } else {
        bag[field] = value;
      }
    }
    for (const [group, content] of groups) {
      const label = `postgresql_client.${relation.id}.${group}`;
      let secret: Secret;
      try {
        secret = this.model.getSecret({ label });
        secret.setContent(content);
      } catch (err) {
        if (!(err instanceof SecretNotFoundError)) throw err;
        secret = this.model.app.addSecret(content, { label });
      }
      secret.grant(relation);
      const id = secret.id;
      if (id !== undefined) bag[`secret-${group}`] = id;
    }
    this.writeApp(relation, {
      database: info.database,
      endpoints: info.endpoints,
      ...bag,
    });
  }
}
