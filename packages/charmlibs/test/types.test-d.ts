import type { Relation } from '@opsjs/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { BagData, BagValue, RemoteDataEvent, RemoteDataOf } from '../src/index.js';
import type { greetingV0 } from './fixtures/greeting.js';

type AskerSees = RemoteDataOf<typeof greetingV0, 'requirer'>;
type GreeterSees = RemoteDataOf<typeof greetingV0, 'provider'>;

describe('typed interface data', () => {
  it('types the remote data each side sees, decoded', () => {
    expectTypeOf<AskerSees['app']['message']>().toEqualTypeOf<string>();
    expectTypeOf<AskerSees['app']['details']>().toEqualTypeOf<
      { lang: string; words: number } | undefined
    >();
    expectTypeOf<GreeterSees['app']['name']>().toEqualTypeOf<string>();
    type Unit = NonNullable<ReturnType<GreeterSees['units']['get']>>;
    expectTypeOf<Unit['host']>().toEqualTypeOf<string>();
    expectTypeOf<Unit>().toEqualTypeOf<BagData<typeof greetingV0.requirer.unit.shape>>();
    expectTypeOf<RemoteDataEvent<AskerSees>['data']>().toEqualTypeOf<AskerSees>();
  });

  it('types what each side writes', () => {
    type RequirerApp = BagValue<typeof greetingV0.requirer.app.shape>;
    expectTypeOf<RequirerApp>().toEqualTypeOf<{ name: string }>();
    const requirer = {} as InstanceType<typeof greetingV0.Requirer>;
    const relation = {} as Relation;
    expectTypeOf(requirer.writeApp).parameter(1).toEqualTypeOf<{ name: string }>();
    // @ts-expect-error: a requirer writes its own bag, not the provider's fields
    requirer.writeApp(relation, { message: 'hi' });
    // @ts-expect-error: JSON fields take the decoded type
    requirer.writeUnit(relation, { host: 42 });
  });
});
