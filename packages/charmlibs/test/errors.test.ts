import { describe, expect, it } from 'vitest';
import {
  BagEncodeError,
  CharmLibError,
  EndpointError,
  InterfaceDefinitionError,
  NotLeaderError,
  ToolError,
} from '../src/errors.js';

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

describe('CharmLibError subclasses', () => {
  it('carry codes, fields and messages that name what and where', () => {
    const notLeader = new NotLeaderError('db', 3, 'app/1');
    expect(notLeader).toMatchObject({
      code: 'OPSJS_CHARMLIB_NOT_LEADER',
      endpoint: 'db',
      relationId: 3,
    });
    expect(notLeader.message).toBe(
      'app/1 is not the leader and cannot write the application databag of db:3; only the leader unit writes application data',
    );
    const encode = new BagEncodeError('ingress v2 requirer app', [
      { path: 'port', message: 'bad' },
    ]);
    expect(encode).toMatchObject({ code: 'OPSJS_CHARMLIB_BAG_ENCODE', fields: ['port'] });
    expect(encode.message).toBe('invalid data for the ingress v2 requirer app databag: port: bad');
    const endpoint = new EndpointError('db', 'is not a relation in the charm metadata');
    expect(endpoint.message).toBe('endpoint "db": is not a relation in the charm metadata');
    expect(new InterfaceDefinitionError('x').code).toBe('OPSJS_CHARMLIB_DEFINITION');
    expect(new ToolError('y').code).toBe('OPSJS_CHARMLIB_TOOL');
    for (const err of [notLeader, encode, endpoint])
      expect(err instanceof CharmLibError).toBe(true);
    expect(encode instanceof NotLeaderError).toBe(false);
  });
});
