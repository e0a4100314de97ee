import { type Relation, SecretNotFoundError } from '@opsjs/core';
import { record, safeParse, string, type ZodMiniRecord, type ZodMiniString } from 'zod/mini';
import { DEFAULT_REQUESTED_SECRETS, postgresqlClientV0, SECRET_GROUPS } from './schema.js';

/** What {@link PostgresqlRequirer.request} asks for. */
export interface DatabaseRequestOptions {
  /** The database name (or a prefix ending in `*` with at least three more characters). */
  readonly database: string;
  /** Extra roles for the user (e.g. `CREATEDB`). */
  readonly extraUserRoles?: string;
  /** Fields to receive through Juju secrets (default: credentials, TLS CA and URIs). */
  readonly requestedSecrets?: readonly string[];
}

/** Connection details, with secret fields resolved. */
export interface DatabaseConnection {
  /** The database name the provider created. */
  readonly database: string;
  /** The primary's `host:port` list. */
  readonly endpoints: string;
  /** The user name. */
  readonly username: string;
  /** The password. */
  readonly password: string;
  /** Read-only `host:port` list, if any. */
  readonly readOnlyEndpoints: string | undefined;
  /** Connection URIs, if sent. */
  readonly uris: string | undefined;
  /** The database engine version, if sent. */
  readonly version: string | undefined;
  /** Whether the provider has TLS enabled. */
  readonly tls: boolean;
  /** The TLS CA chain, if sent. */
  readonly tlsCa: string | undefined;
}

// Built on first use: only a dispatch that reads the provider's secrets needs it.
let secretContentSchema: ZodMiniRecord<ZodMiniString<string>, ZodMiniString<string>> | undefined;

/**
 * The requirer side of `postgresql_client` v0 (an application that needs a database): ask
 * for a database and read the connection details, fetching the fields the provider sent
 * through Juju secrets. Observe `on.ready` / `on.changed` to (re)configure the workload.
 */
export class PostgresqlRequirer extends postgresqlClientV0.Requirer {
  /**
   * Ask for a database on every relation of the endpoint (or `relation`); leader only.
   *
   * @throws {NotLeaderError} when this unit is not the leader
   */
  request(options: DatabaseRequestOptions, relation?: Relation): void {
    for (const rel of relation === undefined ? this.relations : [relation]) {
      this.writeApp(rel, {
        database: options.database,
        'requested-secrets': [...(options.requestedSecrets ?? DEFAULT_REQUESTED_SECRETS)],
        ...(options.extraUserRoles === undefined
          ? {}
          : { 'extra-user-roles': options.extraUserRoles }),
      });
    }
  }

  /**
   * The connection details of `relation` (default: the only one), with `secret-user` and
   * `secret-tls` resolved, or null while the provider has not sent usable credentials
   * (remote data pending or invalid, a secret not granted yet or missing fields).
   *
   * @throws {ModelError} when reading a secret fails for another reason than its absence
   */
  connection(relation?: Relation): DatabaseConnection | null {
    const rel = relation ?? this.relation();
    if (rel === null) return null;
    const state = this.remote(rel);
    if (state.status !== 'ready') return null;
    const app = state.data.app;
    const fields: Record<string, string | undefined> = {
      username: app.username,
      password: app.password,
      uris: app.uris,
      tls: app.tls,
      'tls-ca': app['tls-ca'],
    };
    for (const group of ['user', 'tls'] as const) {
      const id = app[`secret-${group}`];
      if (id === undefined) continue;
      const content = this.#secretContent(id);
      if (content === null) return null;
      for (const field of SECRET_GROUPS[group]) {
        if (content[field] !== undefined) fields[field] = content[field];
      }
    }
    const { username, password } = fields;
    if (username === undefined || password === undefined) return null;
    return {
      database: app.database,
      endpoints: app.endpoints,
      username,
      password,
      readOnlyEndpoints: app['read-only-endpoints'],
      uris: fields.uris,
      version: app.version,
      tls: fields.tls === 'true' || fields['tls-ca'] !== undefined,
      tlsCa: fields['tls-ca'],
    };
  }

  #secretContent(id: string): Record<string, string> | null {
    try {
      secretContentSchema ??= record(string(), string());
      const parsed = safeParse(secretContentSchema, this.model.getSecret({ id }).getContent());
      return parsed.success ? parsed.data : null;
    } catch (err) {
      if (err instanceof SecretNotFoundError) return null;
      throw err;
    }
  }
}
