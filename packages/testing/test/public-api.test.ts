import { FakePebbleServer as PebbleFake } from '@opsjs/pebble/fake';
import { Context, FakePebbleServer, State, TestingError } from '@opsjs/testing';
import { describe, expect, it } from 'vitest';
import { TestingError as SourceCopy } from '../src/errors.js';

describe('@opsjs/testing public entry point', () => {
  it('resolves through exports to the built package', async () => {
    const resolved = import.meta.resolve('@opsjs/testing');
    expect(resolved).toMatch(/\/dist\/index\.js$/);
    const mod = await import('@opsjs/testing');
    for (const name of [
      'TestingError',
      'Context',
      'State',
      'Relation',
      'Container',
      'FakePebbleServer',
    ]) {
      expect(mod).toHaveProperty(name);
    }
    expect(new State().leader).toBe(false);
    expect(typeof Context).toBe('function');
  });

  it('re-exports the fake Pebble server of @opsjs/pebble', () => {
    expect(FakePebbleServer).toBe(PebbleFake);
  });

  it('shares error identity with another copy of the package', () => {
    // The built entry point and the source module are two distinct copies of the class,
    // as two installed versions of the package would be.
    expect(SourceCopy).not.toBe(TestingError);
    expect(new SourceCopy('from the source copy') instanceof TestingError).toBe(true);
    expect(new TestingError('from the built copy') instanceof SourceCopy).toBe(true);
  });
});
