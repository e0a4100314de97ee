import { describe, expectTypeOf, it } from 'vitest';
import type { HookToolBackend } from '../src/backend/hook-tool-backend.js';
import type { ModelBackend } from '../src/backend/model-backend.js';
import type { ConfigValue, SettableStatusName, StatusName } from '../src/backend/types.js';
import type { Container } from '../src/container.js';
import type { Model } from '../src/model.js';
import type { RelationDataContent } from '../src/relation.js';
import { ActiveStatus, ErrorStatus, type StatusBase } from '../src/status.js';

describe('public types', () => {
  it('status names are literal types', () => {
    expectTypeOf(new ActiveStatus().name).toEqualTypeOf<'active'>();
    expectTypeOf(new ErrorStatus().name).toEqualTypeOf<'error'>();
    expectTypeOf<StatusBase['name']>().toEqualTypeOf<StatusName>();
    expectTypeOf<'error'>().not.toMatchTypeOf<SettableStatusName>();
  });

  it('the hook-tool backend implements ModelBackend, synchronously', () => {
    expectTypeOf<HookToolBackend>().toMatchTypeOf<ModelBackend>();
    expectTypeOf<ModelBackend['relationIds']>().returns.toEqualTypeOf<number[]>();
    expectTypeOf<ModelBackend['configGet']>().returns.toEqualTypeOf<Record<string, ConfigValue>>();
  });

  it('databags hold strings; containers are async', () => {
    expectTypeOf<RelationDataContent['get']>().returns.toEqualTypeOf<string | undefined>();
    expectTypeOf<RelationDataContent['set']>().parameter(1).toEqualTypeOf<string>();
    expectTypeOf<Container['canConnect']>().returns.toEqualTypeOf<Promise<boolean>>();
    expectTypeOf<Model['getRelation']>().parameter(1).toEqualTypeOf<number | undefined>();
  });
});
