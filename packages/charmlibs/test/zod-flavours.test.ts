import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { int, optional, string } from 'zod/mini';
import { BagEncodeError } from '../src/errors.js';
import { defineInterface } from '../src/interface-definition.js';
import { jsonField } from '../src/json-field.js';
import { greetingV0 } from './fixtures/greeting.js';
import { greetingClassicV0 } from './fixtures/greeting-classic.js';

const BAGS: Record<string, string>[] = [
  { message: 'hi', details: '{"lang": "fr", "words": 2}', extra: 'kept' },
  { message: 'hi' },
  {},
  { message: '7', details: '{"lang": 1, "words": 1.5}' },
  { details: 'not json' },
];

function encodeError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof BagEncodeError) return err.message;
    throw err;
  }
  throw new Error('no BagEncodeError');
}

describe('an interface written with zod classic or zod/mini', () => {
  it('parses every bag to the same data or the same issues', () => {
    for (const bag of BAGS) {
      const mini = greetingV0.provider.app.parse(bag, { owner: 'app greeter' });
      expect(greetingClassicV0.provider.app.parse(bag, { owner: 'app greeter' })).toEqual(mini);
    }
    expect(greetingV0.provider.app.parse(BAGS[3] ?? {})).toEqual({
      ok: false,
      issues: [
        {
          bag: 'bag',
          path: 'details.lang',
          code: 'invalid_type',
          message: 'Invalid input: expected string, received number',
        },
        {
          bag: 'bag',
          path: 'details.words',
          code: 'invalid_type',
          message: 'Invalid input: expected int, received number',
        },
      ],
    });
  });

  it('encodes the same bytes and rejects the same values with the same message', () => {
    const value = { message: 'hi', details: { lang: 'fr', words: 2 } };
    expect(greetingClassicV0.provider.app.encode(value)).toEqual(
      greetingV0.provider.app.encode(value),
    );
    const bad = { message: 'hi', details: { lang: 'fr', words: 0.5 } };
    const message = encodeError(() => greetingV0.provider.app.encode(bad));
    expect(message).toBe(
      'invalid data for the greeting v0 provider app databag: ' +
        'details.words: Invalid input: expected int, received number',
    );
    expect(encodeError(() => greetingClassicV0.provider.app.encode(bad))).toBe(message);
  });

  it('exports the same JSON Schemas', () => {
    expect(greetingClassicV0.jsonSchemas()).toEqual(greetingV0.jsonSchemas());
  });

  it('mixes both kinds of schema in one interface', () => {
    const mixed = defineInterface({
      name: 'mixed',
      version: 1,
      provider: { app: { a: z.string(), b: optional(jsonField(z.number().int())) } },
      requirer: { unit: { c: z.optional(jsonField(int())), d: string() } },
    });
    expect(mixed.provider.app.parse({ a: 'x', b: '3' })).toEqual({
      ok: true,
      data: { a: 'x', b: 3 },
    });
    expect(mixed.requirer.unit.encode({ c: 4, d: 'y' })).toEqual({ c: '4', d: 'y' });
    expect(mixed.jsonSchema('requirer')).toMatchObject({
      properties: {
        unit: {
          properties: { c: { type: 'string', contentSchema: { type: 'integer' } } },
          required: ['d'],
        },
      },
    });
  });
});
