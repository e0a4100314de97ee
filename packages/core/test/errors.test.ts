import { describe, expect, it } from 'vitest';
import {
  DeferError,
  DispatchAbort,
  DispatchError,
  DuplicateHandleError,
  FrameworkError,
  InvalidHandlePathError,
  LoadError,
  NoTypeError,
  ObserveError,
  SnapshotDataError,
  StateStoreError,
  StoredStateError,
} from '../src/errors.js';

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

describe('error classes', () => {
  const cases: Array<[FrameworkError, string, string]> = [
    [
      new InvalidHandlePathError('a[1'),
      'OPSJS_FRAMEWORK_INVALID_HANDLE_PATH',
      'attempted to restore invalid handle path a[1',
    ],
    [
      new DuplicateHandleError('MyCharm'),
      'OPSJS_FRAMEWORK_DUPLICATE_HANDLE',
      'two objects claiming to be MyCharm have been created',
    ],
    [new ObserveError('nope'), 'OPSJS_FRAMEWORK_OBSERVE', 'nope'],
    [
      new DeferError('action events', 'C/on/x_action[1]'),
      'OPSJS_FRAMEWORK_DEFER',
      'cannot defer action events',
    ],
    [
      new NoTypeError('C/on/x[1]'),
      'OPSJS_FRAMEWORK_NO_TYPE',
      'cannot restore C/on/x[1] since no class was registered for it',
    ],
    [
      new SnapshotDataError('C/on/x[1]', 'a.b', 'is a Map'),
      'OPSJS_FRAMEWORK_SNAPSHOT_DATA',
      'unable to save the data for C/on/x[1]: a.b is a Map; snapshots hold only null, booleans, finite numbers, strings, arrays and plain objects',
    ],
    [
      new StateStoreError('/c/.unit-state.opsjs', 'bad'),
      'OPSJS_FRAMEWORK_STATE_STORE',
      '/c/.unit-state.opsjs: bad',
    ],
    [
      new StoredStateError('C/StoredStateData[s]', 'bad'),
      'OPSJS_FRAMEWORK_STORED_STATE',
      'C/StoredStateData[s]: bad',
    ],
    [new DispatchError('no'), 'OPSJS_FRAMEWORK_DISPATCH', 'no'],
    [
      new DispatchAbort(0, 'invalid config'),
      'OPSJS_FRAMEWORK_DISPATCH_ABORT',
      'dispatch aborted with exit code 0: invalid config',
    ],
    [
      new LoadError('config', ['port: too small', 'mode: required']),
      'OPSJS_FRAMEWORK_LOAD',
      'port: too small; mode: required',
    ],
  ];

  it.each(cases)(
    '%s has a stable code, a clear message and the base brand',
    (err, code, message) => {
      expect(err.code).toBe(code);
      expect(err.message).toBe(message);
      expect(err).toBeInstanceOf(FrameworkError);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(err.constructor.name);
    },
  );

  it('does not confuse sibling classes', () => {
    expect(new ObserveError('x') instanceof DeferError).toBe(false);
    expect(new DispatchAbort(1, 'x') instanceof DispatchError).toBe(false);
    expect(new DispatchAbort(3, 'x').exitCode).toBe(3);
  });
});
