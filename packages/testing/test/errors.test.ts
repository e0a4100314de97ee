import { describe, expect, it } from 'vitest';
import { TestingError } from '../src/errors.js';

class SubError extends TestingError {
  static override readonly code: string = 'OPSJS_TESTING_SUB';
  override readonly name = 'SubError';
  override readonly code = 'OPSJS_TESTING_SUB';
}

describe('TestingError', () => {
  it('carries name, code, message and cause', () => {
    const cause = new Error('underlying');
    const err = new TestingError('something failed', { cause });
    expect(err.name).toBe('TestingError');
    expect(err.code).toBe('OPSJS_TESTING');
    expect(err.message).toBe('something failed');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });

  it('recognises subclasses and their ancestors with instanceof', () => {
    const err = new SubError('sub');
    expect(err instanceof SubError).toBe(true);
    expect(err instanceof TestingError).toBe(true);
    expect(new TestingError('base') instanceof SubError).toBe(false);
    expect(new Error('plain') instanceof TestingError).toBe(false);
    const nothing: unknown = null;
    expect(nothing instanceof TestingError).toBe(false);
  });
});
