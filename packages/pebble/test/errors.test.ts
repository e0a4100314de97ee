import { describe, expect, it } from 'vitest';
import { PebbleError } from '../src/errors.js';

class SubError extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_SUB';
  override readonly name = 'SubError';
  override readonly code = 'OPSJS_PEBBLE_SUB';
}

describe('PebbleError', () => {
  it('carries name, code, message and cause', () => {
    const cause = new Error('underlying');
    const err = new PebbleError('something failed', { cause });
    expect(err.name).toBe('PebbleError');
    expect(err.code).toBe('OPSJS_PEBBLE');
    expect(err.message).toBe('something failed');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });

  it('recognises subclasses and their ancestors with instanceof', () => {
    const err = new SubError('sub');
    expect(err instanceof SubError).toBe(true);
    expect(err instanceof PebbleError).toBe(true);
    expect(new PebbleError('base') instanceof SubError).toBe(false);
    expect(new Error('plain') instanceof PebbleError).toBe(false);
    const nothing: unknown = null;
    expect(nothing instanceof PebbleError).toBe(false);
  });
});
