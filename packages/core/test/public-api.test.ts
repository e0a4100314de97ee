import { FrameworkError } from '@opsjs/core';
import { describe, expect, it } from 'vitest';
import { FrameworkError as SourceCopy } from '../src/errors.js';

describe('@opsjs/core public entry point', () => {
  it('resolves through exports to the built package', async () => {
    const resolved = import.meta.resolve('@opsjs/core');
    expect(resolved).toMatch(/\/dist\/index\.js$/);
    const api = await import('@opsjs/core');
    for (const name of [
      'FrameworkError',
      'CharmBase',
      'main',
      'runDispatch',
      'Framework',
      'StoredState',
      'LocalStateStore',
      'MemoryStateStore',
      // re-exported from @opsjs/model so a charm needs one import
      'ActiveStatus',
      'Relation',
      'Secret',
      'ModelError',
    ]) {
      expect(api).toHaveProperty(name);
    }
  });

  it('shares error identity with another copy of the package', () => {
    // The built entry point and the source module are two distinct copies of the class,
    // as two installed versions of the package would be.
    expect(SourceCopy).not.toBe(FrameworkError);
    expect(new SourceCopy('from the source copy') instanceof FrameworkError).toBe(true);
    expect(new FrameworkError('from the built copy') instanceof SourceCopy).toBe(true);
  });
});
