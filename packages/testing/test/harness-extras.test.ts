import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RelationDataAccessError } from '@opsjs/model';
import { afterEach, describe, expect, it } from 'vitest';
import { StateValidationError } from '../src/errors.js';
import { Harness } from '../src/harness.js';
import { layerFromRockcraft } from '../src/rockcraft.js';
import { Container } from '../src/state/container.js';
import { SampleCharm } from './fixtures/sample-charm.js';
import { SAMPLE_META } from './fixtures/sample-meta.js';

let harness: Harness<typeof SampleCharm>;
afterEach(() => harness.cleanup());

describe('Harness extras', () => {
  it('provides OCI image resources', async () => {
    harness = new Harness(SampleCharm, { meta: SAMPLE_META });
    harness.populateOciResources();
    const text = readFileSync(harness.model.resources.fetch('workload-image'), 'utf8');
    expect(text).toContain('registrypath: registrypath');
    harness.addOciResource('workload-image', { registrypath: 'r.example/img' });
    expect(readFileSync(harness.model.resources.fetch('workload-image'), 'utf8')).toContain(
      'registrypath: r.example/img',
    );
    expect(() => harness.addOciResource('config-file')).toThrow(
      "resource 'config-file' is not an OCI image",
    );
  });

  it('applies relation-data access rules inside an event context only', async () => {
    harness = new Harness(SampleCharm, { meta: SAMPLE_META });
    await harness.begin();
    const id = await harness.addRelation('db', 'pg');
    const relation = harness.model.getRelation('db', id);
    relation?.data.get(harness.model.app)?.get('x');
    await expect(
      harness.eventContext('db_relation_changed', () =>
        relation?.data.get(harness.model.app)?.get('x'),
      ),
    ).rejects.toThrow(RelationDataAccessError);
  });
});

describe('layerFromRockcraft', () => {
  it('builds a layer from a rockcraft.yaml', () => {
    const path = fileURLToPath(new URL('./fixtures/rockcraft.yaml', import.meta.url));
    const layer = layerFromRockcraft(path);
    expect(layer.summary).toBe('Sample rock');
    expect(layer.description).toBe(
      `A rock for the tests. (built from the rockcraft.yaml at ${path})`,
    );
    expect(layer.services?.web?.command).toBe('/bin/web --port 8080');
    const container = new Container({ name: 'workload', layers: { rock: layer } });
    expect(container.plan.checks?.up?.level).toBe('alive');
    expect(() => layerFromRockcraft('/nonexistent/rockcraft.yaml')).toThrow(StateValidationError);
  });
});
