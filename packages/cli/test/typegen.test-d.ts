import { describe, expectTypeOf, it } from 'vitest';
import type {
  CharmActionName,
  CharmActionParams,
  CharmConfig,
  CharmConfigOptionName,
  CharmContainerName,
  CharmRelationName,
  CharmStorageName,
  Metadata,
} from './fixtures/hook-charm/src/charm-metadata.js';
import { charmMetadata } from './fixtures/hook-charm/src/charm-metadata.js';

// The fixture's charm-metadata.ts is `opsjs typegen` output, kept fresh by typegen.test.ts.
describe('generated metadata types', () => {
  it('types config options, with unset-able options optional', () => {
    expectTypeOf<CharmConfig>().toEqualTypeOf<{
      readonly port: number;
      readonly greeting?: string;
    }>();
    expectTypeOf<CharmConfigOptionName>().toEqualTypeOf<'port' | 'greeting'>();
    // @ts-expect-error a misspelt option name does not compile
    const misspelt: CharmConfigOptionName = 'prot';
    void misspelt;
  });

  it('types actions and their params', () => {
    expectTypeOf<CharmActionName>().toEqualTypeOf<'say'>();
    expectTypeOf<CharmActionParams['say']>().toEqualTypeOf<{
      readonly text: string;
      readonly times: number;
    }>();
    // @ts-expect-error a misspelt param does not compile
    const params: CharmActionParams['say'] = { txet: 'x', times: 1 };
    void params;
  });

  it('types relation, container and storage names', () => {
    expectTypeOf<CharmRelationName>().toEqualTypeOf<'db' | 'cluster'>();
    expectTypeOf<CharmContainerName>().toEqualTypeOf<never>();
    expectTypeOf<CharmStorageName>().toEqualTypeOf<'data'>();
    // @ts-expect-error a misspelt endpoint does not compile
    const endpoint: CharmRelationName = 'dv';
    void endpoint;
  });

  it('keeps the metadata object as literal types', () => {
    expectTypeOf<Metadata>().toEqualTypeOf<typeof charmMetadata>();
    expectTypeOf(charmMetadata.config.options.port.type).toEqualTypeOf<'int'>();
    expectTypeOf(charmMetadata.requires.db.interface).toEqualTypeOf<'postgresql_client'>();
    expectTypeOf<keyof typeof charmMetadata.peers>().toEqualTypeOf<'cluster'>();
  });
});
