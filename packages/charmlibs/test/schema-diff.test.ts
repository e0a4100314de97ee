import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { $ZodType } from 'zod/v4/core';
import { defineInterface } from '../src/interface-definition.js';
import { jsonField } from '../src/json-field.js';
import { checkSchemas, diffSchemas } from '../src/schema-diff.js';

const base = {
  type: 'object',
  properties: {
    a: { type: 'string' },
    b: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    c: { type: 'string', contentMediaType: 'application/json', contentSchema: { type: 'integer' } },
    d: { enum: ['x', 'y'] },
  },
  required: ['a'],
};

describe('diffSchemas', () => {
  it('finds no break in an identical schema or one with a new optional field', () => {
    expect(diffSchemas(base, base)).toEqual([]);
    const wider = { ...base, properties: { ...base.properties, e: { type: 'string' } } };
    expect(diffSchemas(base, wider)).toEqual([]);
  });

  it('finds a removed field, a newly required field and narrowed types', () => {
    const after = {
      type: 'object',
      properties: {
        a: { type: 'string', minLength: 3 },
        b: { type: 'string' },
        c: {
          type: 'string',
          contentMediaType: 'application/json',
          contentSchema: { type: 'integer', minimum: 0 },
        },
      },
      required: ['a', 'b'],
      additionalProperties: false,
    };
    expect(diffSchemas(base, after)).toEqual([
      { path: 'a', kind: 'narrowed', reason: 'minLength rose to 3' },
      { path: 'b', kind: 'narrowed', reason: 'no longer accepts null (now string)' },
      { path: 'c (JSON content)', kind: 'narrowed', reason: 'minimum rose to 0' },
      {
        path: 'd',
        kind: 'removed',
        reason: 'the field was removed; the other side may still read or write it',
      },
      {
        path: 'b',
        kind: 'required',
        reason: 'the field is newly required; data written by the released version lacks it',
      },
      { path: '(root)', kind: 'narrowed', reason: 'unknown fields are no longer allowed' },
    ]);
  });

  it('finds fewer enum values and a new format', () => {
    expect(diffSchemas({ enum: ['x', 'y'] }, { enum: ['x'] })).toEqual([
      { path: '(root)', kind: 'narrowed', reason: 'no longer accepts "y"' },
    ]);
    expect(diffSchemas({ type: 'string' }, { type: 'string', format: 'uri' })[0]?.reason).toBe(
      'format "uri" is new',
    );
  });
});

describe('checkSchemas', () => {
  const released = {
    package: '@x/i',
    version: '1.2.0',
    interfaces: { 'i@v0': { provider: base, requirer: { type: 'object' } } },
  };
  const broken = {
    'i@v0': { provider: { ...base, required: ['a', 'c'] }, requirer: { type: 'object' } },
  };

  it('fails a breaking change without a major bump, explaining the field', () => {
    const result = checkSchemas(released, broken, { packageName: '@x/i', packageVersion: '1.3.0' });
    expect(result.ok).toBe(false);
    expect(result.report).toEqual([
      '@x/i: 1 breaking schema change(s) since 1.2.0 without a major version bump (add a major changeset, or revert):',
      '  required i@v0 provider c: the field is newly required; data written by the released version lacks it',
    ]);
  });

  it('passes with a major bump or a pending major changeset', () => {
    expect(
      checkSchemas(released, broken, { packageName: '@x/i', packageVersion: '2.0.0' }).ok,
    ).toBe(true);
    expect(
      checkSchemas(released, broken, {
        packageName: '@x/i',
        packageVersion: '1.2.0',
        pendingMajor: true,
      }).ok,
    ).toBe(true);
  });

  it('fails when an interface version disappears, and passes with nothing released', () => {
    expect(
      checkSchemas(released, {}, { packageName: '@x/i', packageVersion: '1.2.0' }).breaks,
    ).toEqual([
      { path: 'i@v0', kind: 'removed', reason: 'the interface version is no longer provided' },
    ]);
    expect(checkSchemas(undefined, {}, { packageName: '@x/i', packageVersion: '0.0.0' }).ok).toBe(
      true,
    );
  });
});

describe('checkSchemas on zod-defined interfaces', () => {
  const define = (
    port: $ZodType<unknown, string>,
    extra: Record<string, $ZodType<unknown, string | undefined>>,
  ) =>
    defineInterface({
      name: 'web',
      version: 1,
      provider: { app: { url: z.string(), ...extra } },
      requirer: { app: { port } },
    });
  const snapshot = (d: ReturnType<typeof define>) => ({
    [`${d.name}@v${d.version}`]: d.jsonSchemas(),
  });
  const released = {
    package: '@x/web',
    version: '1.0.0',
    interfaces: snapshot(define(jsonField(z.number().int()), { note: z.string().optional() })),
  };

  it('accepts a new optional field', () => {
    const now = define(jsonField(z.number().int()), {
      note: z.string().optional(),
      more: z.string().optional(),
    });
    expect(
      checkSchemas(released, snapshot(now), { packageName: '@x/web', packageVersion: '1.1.0' })
        .breaks,
    ).toEqual([]);
  });

  it('catches a narrowed JSON field, a removed field and a newly required one', () => {
    const now = define(jsonField(z.number().int().min(1024)), { extra: z.string() });
    const result = checkSchemas(released, snapshot(now), {
      packageName: '@x/web',
      packageVersion: '1.1.0',
    });
    expect(result.ok).toBe(false);
    expect(result.breaks.map((b) => `${b.kind} ${b.path}`)).toEqual([
      'removed web@v1 provider app.note',
      'required web@v1 provider app.extra',
      'narrowed web@v1 requirer app.port (JSON content)',
    ]);
  });
});
