import * as api from '@opsjs/charmlibs';
import { CharmLibError } from '@opsjs/charmlibs';
import { describe, expect, it } from 'vitest';
import { CharmLibError as SourceCopy } from '../src/errors.js';

describe('@opsjs/charmlibs public entry point', () => {
  it('resolves through exports to the built package', async () => {
    const resolved = import.meta.resolve('@opsjs/charmlibs');
    expect(resolved).toMatch(/\/dist\/index\.js$/);
    expect(await import('@opsjs/charmlibs')).toHaveProperty('CharmLibError');
  });

  it('exports the runtime and the tooling', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BagCodec',
      'BagEncodeError',
      'CharmLibError',
      'DEFAULT_MAX_VALUE_BYTES',
      'EndpointError',
      'InterfaceDefinitionError',
      'InterfaceEndpoint',
      'InterfaceProvider',
      'InterfaceRelationEvent',
      'InterfaceRequirer',
      'JUJU_UNIT_BAG_KEYS',
      'NotLeaderError',
      'RemoteDataEvent',
      'RemoteGoneEvent',
      'RemoteInvalidEvent',
      'ToolError',
      'checkPackage',
      'checkSchemas',
      'currentSchemas',
      'defineInterface',
      'diffSchemas',
      'hasPendingMajor',
      'jsonField',
      'jsonFieldSchema',
      'listInterfaces',
      'publish',
      'pythonJsonDumps',
      'readPackageJson',
      'readReleased',
      'runTool',
      'scaffoldInterface',
      'snapshotReleased',
    ]);
  });

  it('shares error identity with another copy of the package', () => {
    // The built entry point and the source module are two distinct copies of the class,
    // as two installed versions of the package would be.
    expect(SourceCopy).not.toBe(CharmLibError);
    expect(new SourceCopy('from the source copy') instanceof CharmLibError).toBe(true);
    expect(new CharmLibError('from the built copy') instanceof SourceCopy).toBe(true);
  });
});
