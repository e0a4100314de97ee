// Type inference through every API that takes a schema, for classic `zod` and `zod/mini`.
import type { Relation, Unit } from '@opsjs/model';
import { describe, expectTypeOf, it } from 'vitest';
import * as classic from 'zod';
import * as mini from 'zod/mini';
import type { CharmBase } from '../src/charm.js';
import type { ActionEvent } from '../src/charm-events.js';
import type { FrameworkObject } from '../src/framework.js';
import { StoredState } from '../src/stored-state.js';
import { loadRelationData, saveRelationData } from '../src/typed-loading.js';

const schemas = {
  classic: classic.object({ port: classic.number(), name: classic.optional(classic.string()) }),
  mini: mini.object({ port: mini.number(), name: mini.optional(mini.string()) }),
};
type Expected = { port: number; name?: string | undefined };

declare const charm: CharmBase;
declare const action: ActionEvent;
declare const relation: Relation;
declare const unit: Unit;
declare const owner: FrameworkObject;

describe.each(['classic', 'mini'] as const)('%s schemas', (flavour) => {
  const schema = schemas[flavour];

  it('infer the loaded type', () => {
    expectTypeOf(charm.loadConfig(schema)).toEqualTypeOf<Expected>();
    expectTypeOf(action.loadParams(schema)).toEqualTypeOf<Expected>();
    expectTypeOf(loadRelationData(relation, schema, unit)).toEqualTypeOf<Expected>();
  });

  it('check saved and stored values', () => {
    saveRelationData(relation, { port: 1 }, unit, { schema });
    // @ts-expect-error -- port must be a number
    saveRelationData(relation, { port: '1' }, unit, { schema });
    const state = new StoredState(owner, 'state', { port: 0 }, { schema });
    expectTypeOf(state.data.port).toEqualTypeOf<number>();
  });
});
