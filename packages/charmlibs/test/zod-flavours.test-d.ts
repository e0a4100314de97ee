import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { optional, string } from 'zod/mini';
import { type BagValue, defineInterface, jsonField, type RemoteDataOf } from '../src/index.js';
import type { greetingV0 } from './fixtures/greeting.js';
import type { greetingClassicV0 } from './fixtures/greeting-classic.js';

describe('field schemas from zod classic and zod/mini', () => {
  it('infer the same data types', () => {
    expectTypeOf<RemoteDataOf<typeof greetingClassicV0, 'requirer'>>().toEqualTypeOf<
      RemoteDataOf<typeof greetingV0, 'requirer'>
    >();
    expectTypeOf<RemoteDataOf<typeof greetingClassicV0, 'provider'>>().toEqualTypeOf<
      RemoteDataOf<typeof greetingV0, 'provider'>
    >();
    type Classic = RemoteDataOf<typeof greetingClassicV0, 'requirer'>['app'];
    expectTypeOf<Classic['details']>().toEqualTypeOf<{ lang: string; words: number } | undefined>();
  });

  it('infer types when mixed in one bag', () => {
    const mixed = defineInterface({
      name: 'mixed',
      version: 1,
      provider: {
        app: { a: z.string(), b: optional(jsonField(z.number())), c: jsonField(string()) },
      },
      requirer: {},
    });
    type Seen = RemoteDataOf<typeof mixed, 'requirer'>['app'];
    expectTypeOf<Seen['a']>().toEqualTypeOf<string>();
    expectTypeOf<Seen['b']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Seen['c']>().toEqualTypeOf<string>();
    expectTypeOf<BagValue<typeof mixed.provider.app.shape>>().toEqualTypeOf<{
      a: string;
      b?: number | undefined;
      c: string;
    }>();
  });

  it('reject a field whose wire input is not a string', () => {
    defineInterface({
      name: 'bad',
      version: 1,
      // @ts-expect-error: databag values are strings; a number schema cannot read one
      provider: { app: { n: z.number() } },
      requirer: {},
    });
  });
});

describe('field schemas built on first use (schemas)', () => {
  it('infer the same types as provider and requirer given directly', () => {
    const lazy = defineInterface({
      name: 'greeting',
      version: 0,
      schemas: () => ({
        provider: {
          app: {
            message: string(),
            details: optional(jsonField(z.object({ lang: z.string(), words: z.number() }))),
          },
        },
        requirer: { app: { name: jsonField(string()) }, unit: { host: jsonField(string()) } },
      }),
    });
    expectTypeOf<RemoteDataOf<typeof lazy, 'requirer'>>().toEqualTypeOf<
      RemoteDataOf<typeof greetingV0, 'requirer'>
    >();
    expectTypeOf<RemoteDataOf<typeof lazy, 'provider'>>().toEqualTypeOf<
      RemoteDataOf<typeof greetingV0, 'provider'>
    >();
  });
});
