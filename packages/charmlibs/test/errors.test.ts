import { describe, expect, it } from 'vitest';
import { CharmLibError } from '../src/errors.js';

class SubError extends CharmLibError {
  static override readonly code: string = 'OPSJS_CHARMLIB_SUB';
  override readonly name = 'SubError';
  override readonly code = 'OPSJS_CHARMLIB_SUB';
}

describe('CharmLibError', () => {
  it('carries name, code, message and cause', () => {
    const cause = new Error('underlying');
    const err = new CharmLibError('something failed', { cause });
    expect(err.name).toBe('CharmLibError');
    expect(err.code).toBe('OPSJS_CHARMLIB');
    expect(err.message).toBe('something failed');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });

  it('recognises subclasses and their ancestors with instanceof', () => {
    const err = new SubError('sub');
    expect(err instanceof SubError).toBe(true);
    expect(err instanceof CharmLibError).toBe(true);
    expect(new CharmLibError('base') instanceof SubError).toBe(false);
    expect(new Error('plain') instanceof CharmLibError).toBe(false);
    const nothing: unknown = null;
    expect(nothing instanceof CharmLibError).toBe(false);
  });
});
