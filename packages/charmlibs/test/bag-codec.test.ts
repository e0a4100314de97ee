import { describe, expect, it } from 'vitest';
import { array, int, optional, string } from 'zod/mini';
import { BagCodec } from '../src/bag-codec.js';
import { BagEncodeError, InterfaceDefinitionError } from '../src/errors.js';
import { defineInterface } from '../src/interface-definition.js';
import { jsonField, jsonFieldSchema } from '../src/json-field.js';
import { greetingV0 } from './fixtures/greeting.js';

const codec = new BagCodec('test app', {
  port: jsonField(int()),
  name: string(),
  tags: optional(jsonField(array(string()))),
});

describe('BagCodec.parse', () => {
  it('decodes JSON fields and keeps unknown fields', () => {
    expect(codec.parse({ port: '8080', name: 'n', other: 'x' })).toEqual({
      ok: true,
      data: { port: 8080, name: 'n', other: 'x' },
    });
  });

  it('reports invalid JSON, missing fields and wrong types without the values', () => {
    const result = codec.parse({ port: '{"secret-ish', tags: '[1]' }, { owner: 'app db' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.bag, i.path, i.code])).toEqual([
      ['app db', 'port', 'custom'],
      ['app db', 'name', 'invalid_type'],
      ['app db', 'tags.0', 'invalid_type'],
    ]);
    expect(JSON.stringify(result.issues)).not.toContain('secret-ish');
  });

  it('rejects a huge value before parsing it', () => {
    const result = codec.parse({ port: '1', name: 'x'.repeat(100) }, { maxValueBytes: 64 });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          bag: 'bag',
          path: 'name',
          code: 'too_big_value',
          message: 'value is 100 bytes, over the limit of 64',
        },
      ],
    });
  });
});

describe('BagCodec.encode', () => {
  it('encodes as Python json.dumps and clears absent declared fields', () => {
    expect(codec.encode({ port: 1, name: 'n', tags: ['a', 'b'] })).toEqual({
      port: '1',
      name: 'n',
      tags: '["a", "b"]',
    });
    expect(codec.encode({ port: 1, name: 'n' })).toEqual({ port: '1', name: 'n', tags: '' });
  });

  it('throws BagEncodeError naming the field', () => {
    const bad = { port: 1.5, name: 'n' };
    expect(() => codec.encode(bad)).toThrow(BagEncodeError);
    expect(() => codec.encode(bad)).toThrow(/invalid data for the test app databag: port: /);
  });
});

describe('JSON Schema export', () => {
  it('describes JSON fields as strings with content schemas', () => {
    const schema = codec.jsonSchema();
    expect(schema).toMatchObject({
      title: 'test app',
      type: 'object',
      required: ['port', 'name'],
      properties: {
        port: {
          type: 'string',
          contentMediaType: 'application/json',
          contentSchema: { type: 'integer' },
        },
        name: { type: 'string' },
        tags: { type: 'string', contentSchema: { type: 'array', items: { type: 'string' } } },
      },
    });
    expect(schema.$schema).toBeUndefined();
    expect(jsonFieldSchema(string())).toBeUndefined();
  });

  it('exports each side as charm-relation-interfaces shapes it (app and unit)', () => {
    const { provider, requirer } = greetingV0.jsonSchemas();
    expect(provider).toMatchObject({ title: 'greeting v0 provider', required: ['app'] });
    expect(requirer).toMatchObject({ required: ['app', 'unit'] });
    expect(Object.keys(requirer.properties as object)).toEqual(['app', 'unit']);
  });
});

describe('defineInterface', () => {
  it('validates the name and version', () => {
    expect(() =>
      defineInterface({ name: 'Bad Name', version: 0, provider: {}, requirer: {} }),
    ).toThrow(InterfaceDefinitionError);
    expect(() => defineInterface({ name: 'ok', version: -1, provider: {}, requirer: {} })).toThrow(
      /version must be a non-negative integer/,
    );
  });

  it('gives typed codecs for both sides', () => {
    expect(greetingV0.name).toBe('greeting');
    expect(greetingV0.summary).toBe('A greeting for each requirer.');
    expect(greetingV0.requirer.unit.parse({ host: '"h"' })).toEqual({
      ok: true,
      data: { host: 'h' },
    });
    expect(greetingV0.provider.unit.allOptional).toBe(true);
  });
});
