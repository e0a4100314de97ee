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

describe('testing error classes', () => {
  it('have stable names and codes, messages naming what failed, and brand-based instanceof', async () => {
    const {
      ActionFailed,
      AlreadyEmittedError,
      ContextSetupError,
      DispatchError,
      HarnessError,
      InconsistentScenarioError,
      MetadataNotFoundError,
      NoObserverError,
      StateValidationError,
      UncaughtCharmError,
    } = await import('../src/errors.js');
    const cases: [TestingError, string, string][] = [
      [new AlreadyEmittedError('ran'), 'AlreadyEmittedError', 'OPSJS_TESTING_ALREADY_EMITTED'],
      [new ContextSetupError('bad'), 'ContextSetupError', 'OPSJS_TESTING_CONTEXT_SETUP'],
      [new HarnessError('h'), 'HarnessError', 'OPSJS_TESTING_HARNESS'],
      [new MetadataNotFoundError('m'), 'MetadataNotFoundError', 'OPSJS_TESTING_METADATA_NOT_FOUND'],
      [new NoObserverError('n'), 'NoObserverError', 'OPSJS_TESTING_NO_OBSERVER'],
      [new StateValidationError('s'), 'StateValidationError', 'OPSJS_TESTING_STATE_VALIDATION'],
      [new UncaughtCharmError('u'), 'UncaughtCharmError', 'OPSJS_TESTING_UNCAUGHT_CHARM_ERROR'],
    ];
    for (const [err, name, code] of cases) {
      expect(err.name).toBe(name);
      expect(err.code).toBe(code);
      expect(err instanceof TestingError).toBe(true);
    }
    const inconsistent = new InconsistentScenarioError(['a', 'b']);
    expect(inconsistent.message).toBe(
      'Inconsistent scenario. The following errors were found: a\nb',
    );
    expect(inconsistent.errors).toEqual(['a', 'b']);
    const failed = new ActionFailed('nope', { logs: ['l'], results: {} }, 'state');
    expect(failed.message).toBe('nope');
    expect(failed.state).toBe('state');
    expect(new ActionFailed('', { logs: [], results: {} }).message).toBe('');
    const dispatch = new DispatchError('exit 1', { exitCode: 1, stdout: 'o', stderr: 'e' });
    expect([dispatch.exitCode, dispatch.stdout, dispatch.stderr, dispatch.code]).toEqual([
      1,
      'o',
      'e',
      'OPSJS_TESTING_DISPATCH',
    ]);
  });
});
