import { describe, expect, it } from 'vitest';
import { ModelError } from '../src/errors.js';

class SubError extends ModelError {
  static override readonly code: string = 'OPSJS_MODEL_SUB';
  override readonly name = 'SubError';
  override readonly code = 'OPSJS_MODEL_SUB';
}

describe('ModelError', () => {
  it('carries name, code, message and cause', () => {
    const cause = new Error('underlying');
    const err = new ModelError('something failed', { cause });
    expect(err.name).toBe('ModelError');
    expect(err.code).toBe('OPSJS_MODEL');
    expect(err.message).toBe('something failed');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });

  it('recognises subclasses and their ancestors with instanceof', () => {
    const err = new SubError('sub');
    expect(err instanceof SubError).toBe(true);
    expect(err instanceof ModelError).toBe(true);
    expect(new ModelError('base') instanceof SubError).toBe(false);
    expect(new Error('plain') instanceof ModelError).toBe(false);
    const nothing: unknown = null;
    expect(nothing instanceof ModelError).toBe(false);
  });
});
