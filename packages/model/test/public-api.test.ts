import * as model from '@opsjs/model';
import { ModelError } from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import { ModelError as SourceCopy } from '../src/errors.js';

describe('@opsjs/model public entry point', () => {
  it('resolves through exports to the built package', async () => {
    const resolved = import.meta.resolve('@opsjs/model');
    expect(resolved).toMatch(/\/dist\/index\.js$/);
    expect(await import('@opsjs/model')).toHaveProperty('ModelError');
  });

  it('exports the classes other packages build on', () => {
    for (const name of [
      'Model',
      'HookToolBackend',
      'createHookToolRunner',
      'mapHookToolError',
      'modelErrorFromFailure',
      'JujuContext',
      'JujuVersion',
      'CharmMeta',
      'charmMetaCacheText',
      'writeCharmMetaCache',
      'Container',
      'Relation',
      'RelationDataContent',
      'Secret',
      'SecretInfo',
      'ActiveStatus',
      'BlockedStatus',
      'MaintenanceStatus',
      'WaitingStatus',
      'ErrorStatus',
      'UnknownStatus',
      'StatusBase',
      'Port',
      'RelationNotFoundError',
      'SecretNotFoundError',
      'RelationDataAccessError',
      'InvalidStatusError',
      'TooManyRelatedAppsError',
      'defaultContainerSocketPath',
    ]) {
      expect(model, name).toHaveProperty(name);
    }
  });

  it('shares error identity with another copy of the package', () => {
    // The built entry point and the source module are two distinct copies of the class,
    // as two installed versions of the package would be.
    expect(SourceCopy).not.toBe(ModelError);
    expect(new SourceCopy('from the source copy') instanceof ModelError).toBe(true);
    expect(new ModelError('from the built copy') instanceof SourceCopy).toBe(true);
    expect(new model.RelationNotFoundError('x') instanceof SourceCopy).toBe(true);
  });
});
