import { PebbleError } from '@opsjs/pebble';
import { describe, expect, it } from 'vitest';
import { PebbleError as SourceCopy } from '../src/errors.js';

describe('@opsjs/pebble public entry point', () => {
  it('resolves through exports to the built package', async () => {
    const resolved = import.meta.resolve('@opsjs/pebble');
    expect(resolved).toMatch(/\/dist\/index\.js$/);
    expect(await import('@opsjs/pebble')).toHaveProperty('PebbleError');
  });

  it('shares error identity with another copy of the package', () => {
    // The built entry point and the source module are two distinct copies of the class,
    // as two installed versions of the package would be.
    expect(SourceCopy).not.toBe(PebbleError);
    expect(new SourceCopy('from the source copy') instanceof PebbleError).toBe(true);
    expect(new PebbleError('from the built copy') instanceof SourceCopy).toBe(true);
  });
});
