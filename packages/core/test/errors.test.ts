import { describe, expect, it } from 'vitest';
import { FrameworkError } from '../src/errors.js';

class SubError extends FrameworkError {
  static override readonly code: string = 'OPSJS_FRAMEWORK_SUB';
  override readonly name = 'SubError';
  override readonly code = 'OPSJS_FRAMEWORK_SUB';
}

describe('FrameworkError', () => {
  it('carries name, code, message and cause', () => {
    const cause = new Error('underlying');
    const err = new FrameworkError('something failed', { cause });
    expect(err.name).toBe('FrameworkError');
    expect(err.code).toBe('OPSJS_FRAMEWORK');
    expect(err.message).toBe('something failed');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });

  it('recognises subclasses and their ancestors with instanceof', () => {
    const err = new SubError('sub');
    expect(err instanceof SubError).toBe(true);
    expect(err instanceof FrameworkError).toBe(true);
    expect(new FrameworkError('base') instanceof SubError).toBe(false);
    expect(new Error('plain') instanceof FrameworkError).toBe(false);
    const nothing: unknown = null;
    expect(nothing instanceof FrameworkError).toBe(false);
  });
});
