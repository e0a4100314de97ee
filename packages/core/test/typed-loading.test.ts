import { Model } from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LoadError } from '../src/errors.js';
import { loadRelationData, saveRelationData } from '../src/typed-loading.js';
import { context, meta } from './helpers/dispatch.js';
import { FakeBackend } from './helpers/fake-backend.js';

function setup() {
  const backend = new FakeBackend();
  backend.relations = [
    {
      endpoint: 'db',
      id: 7,
      remoteApp: 'pg',
      units: ['pg/0'],
      data: { pg: { host: '"10.0.0.1"', port: '5432', 'secret-id': '"secret:abc"' }, 'pg/0': {} },
    },
  ];
  const model = new Model({ meta: meta(), backend, context: context('hooks/update-status') });
  const relation = model.getRelation('db');
  if (relation === null) throw new Error('no relation');
  return { backend, model, relation };
}

describe('loadRelationData', () => {
  it('decodes each value as JSON and validates with the schema', () => {
    const { model, relation } = setup();
    const Db = z.object({ host: z.string(), port: z.number(), 'secret-id': z.string() });
    expect(loadRelationData(relation, Db, model.getApp('pg'))).toEqual({
      host: '10.0.0.1',
      port: 5432,
      'secret-id': 'secret:abc',
    });
  });

  it('lists schema issues by field, never the values', () => {
    const { model, relation } = setup();
    const Db = z.object({ host: z.string(), port: z.string() });
    let err: unknown;
    try {
      loadRelationData(relation, Db, model.getApp('pg'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoadError);
    expect(err).toHaveProperty('message', 'port: Invalid input: expected string, received number');
    expect(String(err)).not.toContain('5432');
  });

  it('reports values that cannot be decoded', () => {
    const b = new FakeBackend();
    b.relations = [
      { endpoint: 'db', id: 1, remoteApp: 'pg', units: [], data: { pg: { host: 'plain text' } } },
    ];
    const model = new Model({ meta: meta(), backend: b, context: context('hooks/install') });
    const relation = model.getRelation('db');
    if (relation === null) throw new Error('no relation');
    expect(() => loadRelationData(relation, z.object({}), model.getApp('pg'))).toThrow(
      'host: cannot be decoded',
    );
    expect(
      loadRelationData(relation, z.object({ host: z.string() }), model.getApp('pg'), {
        decoder: (v) => v,
      }),
    ).toEqual({ host: 'plain text' });
  });
});

describe('saveRelationData', () => {
  it('encodes each field as Python json.dumps in one relation-set, sorted as ops; undefined erases', () => {
    const { backend, model, relation } = setup();
    saveRelationData(
      relation,
      {
        url: 'http://x',
        replicas: 3,
        hosts: ['a', 'b'],
        name: 'café',
        none: null,
        gone: undefined,
      },
      model.unit,
    );
    expect(backend.calls.filter((c) => c.startsWith('relation-set'))).toEqual([
      'relation-set 7 {"hosts":"[\\"a\\", \\"b\\"]","name":"\\"caf\\\\u00e9\\"","none":"null","replicas":"3","url":"\\"http://x\\""}',
    ]);
  });

  it('validates first and writes nothing when the schema fails', () => {
    const { backend, model, relation } = setup();
    const Out = z.object({ url: z.url() });
    expect(() =>
      saveRelationData(relation, { url: 'not a url' }, model.unit, { schema: Out }),
    ).toThrow(LoadError);
    expect(backend.calls.filter((c) => c.startsWith('relation-set'))).toEqual([]);
  });
});
