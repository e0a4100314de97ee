// The metadata types `opsjs typegen` writes make misspelt names fail to compile.
import type { ActionEvent } from '@opsjs/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { CharmActionParams, CharmConfig } from '../src/charm-metadata.js';
import type { ExampleCharm } from '../src/example-charm.js';

describe('ExampleCharm metadata types', () => {
  it('types config values, and rejects unknown options', () => {
    const charm = {} as ExampleCharm;
    expectTypeOf(charm.config.get('port')).toEqualTypeOf<number | undefined>();
    expectTypeOf(charm.config.get('rate-limit')).toEqualTypeOf<number | undefined>();
    expectTypeOf(charm.config.get('debug')).toEqualTypeOf<boolean | undefined>();
    expectTypeOf(charm.config.get('api-token')).toEqualTypeOf<string | undefined>();
    // @ts-expect-error: no option 'prot'
    charm.config.get('prot');
    expectTypeOf<CharmConfig['greeting']>().toEqualTypeOf<string>();
  });

  it('has an event per container, relation and action, and no misspelt ones', () => {
    const charm = {} as ExampleCharm;
    expectTypeOf(charm.on).toHaveProperty('webPebbleReady');
    expectTypeOf(charm.on).toHaveProperty('webPebbleCheckFailed');
    expectTypeOf(charm.on).toHaveProperty('websiteRelationJoined');
    expectTypeOf(charm.on).toHaveProperty('replicasRelationChanged');
    expectTypeOf(charm.on).toHaveProperty('getStatsAction');
    // @ts-expect-error: the container is `web`
    charm.on.webbPebbleReady;
    // @ts-expect-error: no `db` relation
    charm.on.dbRelationJoined;
  });

  it('types action params', () => {
    expectTypeOf<
      ActionEvent<CharmActionParams['restart']>['params']['reason']
    >().toEqualTypeOf<string>();
    expectTypeOf<CharmActionParams['restart']>().not.toHaveProperty('force');
  });
});
