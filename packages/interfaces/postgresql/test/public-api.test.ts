import * as api from '@opsjs/interface-postgresql';
import { describe, expect, it } from 'vitest';

describe('@opsjs/interface-postgresql public entry point', () => {
  it('resolves through exports to the built package', () => {
    expect(import.meta.resolve('@opsjs/interface-postgresql')).toMatch(/\/dist\/index\.js$/);
    expect(Object.keys(api).sort()).toEqual([
      'DEFAULT_REQUESTED_SECRETS',
      'PostgresqlProvider',
      'PostgresqlRequirer',
      'SECRET_GROUPS',
      'postgresqlClientV0',
      'secretGroupOf',
    ]);
    expect(api.postgresqlClientV0).toMatchObject({ name: 'postgresql_client', version: 0 });
  });
});
