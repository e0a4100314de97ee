import { describe, expect, it } from 'vitest';
import {
  APIError,
  ChangeError,
  ConnectionError,
  ExecError,
  ExecTimeoutError,
  PathError,
  PebbleError,
  ProtocolError,
  TimeoutError,
} from '../src/errors.js';

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

describe('error classes', () => {
  const change = {
    id: '7',
    kind: 'start',
    summary: 'Start service "web"',
    status: 'Error',
    err: 'boom',
    tasks: [{ summary: 'Start service "web"', log: ['2025-06-01T10:00:02Z ERROR boom'] }],
  };

  it('have stable codes and names, and are PebbleErrors', () => {
    const cases: [PebbleError, string, string][] = [
      [new ConnectionError('x', '/s'), 'ConnectionError', 'OPSJS_PEBBLE_CONNECTION'],
      [new ProtocolError('x', 'GET /v1/x'), 'ProtocolError', 'OPSJS_PEBBLE_PROTOCOL'],
      [
        new APIError({
          status: 400,
          statusText: 'Bad Request',
          message: 'm',
          endpoint: 'POST /v1/x',
        }),
        'APIError',
        'OPSJS_PEBBLE_API',
      ],
      [new ChangeError('boom', change), 'ChangeError', 'OPSJS_PEBBLE_CHANGE'],
      [new ExecTimeoutError('timed out', change), 'ExecTimeoutError', 'OPSJS_PEBBLE_EXEC_TIMEOUT'],
      [new TimeoutError('x', 5), 'TimeoutError', 'OPSJS_PEBBLE_TIMEOUT'],
      [new ExecError(['ls'], 2, undefined, undefined), 'ExecError', 'OPSJS_PEBBLE_EXEC'],
      [new PathError('not-found', 'm', '/p'), 'PathError', 'OPSJS_PEBBLE_PATH'],
    ];
    for (const [error, name, code] of cases) {
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error instanceof PebbleError).toBe(true);
    }
  });

  it('format messages naming what and where', () => {
    expect(
      new APIError({
        status: 404,
        statusText: 'Not Found',
        message: 'no',
        kind: 'not-found',
        endpoint: 'GET /v1/files',
      }).message,
    ).toBe('GET /v1/files: 404 Not Found: no');
    expect(new ChangeError('boom', change).message).toBe(
      'boom\n----- Logs from task 0 -----\n2025-06-01T10:00:02Z ERROR boom\n-----',
    );
    expect(new PathError('permission-denied', 'open /x: permission denied', '/x').message).toBe(
      'permission-denied - open /x: permission denied',
    );
    const long = new ExecError(['cat'], 1, 'y'.repeat(2000), 'e');
    expect(long.message).toBe(
      `non-zero exit code 1 executing 'cat', stdout='${'y'.repeat(1024)}' [truncated], stderr='e'`,
    );
  });

  it('make an exec timeout a ChangeError', () => {
    const error = new ExecTimeoutError('timed out after 1s: context deadline exceeded', change);
    expect(error instanceof ChangeError).toBe(true);
    expect(error.timedOut).toBe(true);
    expect(new ChangeError('x', change) instanceof ExecTimeoutError).toBe(false);
  });
});
