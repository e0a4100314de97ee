export {
  type DatabaseInfo,
  type DatabaseRequest,
  PostgresqlProvider,
} from './postgresql-provider.js';
export {
  type DatabaseConnection,
  type DatabaseRequestOptions,
  PostgresqlRequirer,
} from './postgresql-requirer.js';
export {
  DEFAULT_REQUESTED_SECRETS,
  type PostgresqlProviderData,
  type PostgresqlRequirerData,
  postgresqlClientV0,
  SECRET_GROUPS,
  type SecretGroup,
  secretGroupOf,
} from './schema.js';
