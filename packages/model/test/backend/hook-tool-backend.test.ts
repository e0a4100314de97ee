import { describe, expect, it } from 'vitest';
import { HookToolBackend } from '../../src/backend/hook-tool-backend.js';
import {
  HookToolMissingError,
  HookToolOutputError,
  HookToolTimeoutError,
  ModelError,
  RelationNotFoundError,
  SecretNotFoundError,
} from '../../src/errors.js';
import { useFakeTools } from '../helpers/backend-setup.js';

const { tools, backend } = useFakeTools();

describe('defaults', () => {
  it('reads the context from env when none is given', () => {
    tools().add('relation-get', { stdout: '{}' });
    const env = { ...tools().env, JUJU_VERSION: '2.6.0', JUJU_UNIT_NAME: 'a/0' };
    expect(() => new HookToolBackend({ env }).relationGet(1, 'a', true)).toThrow(
      'getting application data is not supported on Juju version 2.6.0',
    );
    expect(
      new HookToolBackend({ env: { ...env, JUJU_VERSION: '3.6.0' } }).relationGet(1, 'a', true),
    ).toEqual({});
  });
});

describe('run-time failures', () => {
  it('reports a tool missing from PATH', () => {
    const b = new HookToolBackend({ env: { PATH: tools().dir } });
    expect(() => b.configGet()).toThrow(HookToolMissingError);
    expect(() => b.configGet()).toThrow(/config-get not found on PATH/);
  });

  it('reports invalid JSON and unexpected shapes without echoing the output', () => {
    tools().add('config-get', { stdout: 'not json' }).add('secret-get', { stdout: '{"a": 1}' });
    const b = backend();
    expect(() => b.configGet()).toThrow(HookToolOutputError);
    let err: unknown;
    try {
      b.secretGet({ id: 'secret:abc' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HookToolOutputError);
    expect(String(err)).toMatch(/secret-get printed unexpected JSON at a/);
  });

  it('kills a tool that hangs past the timeout', () => {
    tools().add('is-leader', { hang: true });
    const b = backend('3.6.4', { timeoutMs: 300 });
    expect(() => b.isLeader()).toThrow(HookToolTimeoutError);
  });

  it('maps other failures to ModelError with stderr as message', () => {
    tools().add('config-get', { stderr: 'ERROR cannot get config\n', exitCode: 1 });
    let err: unknown;
    try {
      backend().configGet();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ message: 'ERROR cannot get config\n', exitCode: 1 });
  });

  it('logs an authz_fail security event after is-leader when access is denied', () => {
    tools()
      .add('status-get', {
        stderr: 'ERROR finding application status: this unit is not the leader\n',
        exitCode: 1,
      })
      .add('is-leader', { stdout: 'false' })
      .add('juju-log');
    expect(() => backend().statusGet(true)).toThrow(ModelError);
    const calls = tools().calls();
    expect(calls.map((c) => c.tool)).toEqual(['status-get', 'is-leader', 'juju-log']);
    const log = calls[2]?.argv ?? [];
    expect(log.slice(0, 3)).toEqual(['--log-level', 'TRACE', '--']);
    const record = JSON.parse(log[3] ?? '{}');
    expect(record).toMatchObject({
      level: 'CRITICAL',
      type: 'security',
      appid: 'uuid-1-myapp/0',
      event: 'authz_fail:status-get',
      description:
        "Hook command 'status-get' failed with code 1: 'ERROR finding application status: this unit is not the leader'. ",
    });
    expect(log[3]).toMatch(/^\{"datetime": "\d{4}-\d\d-\d\dT[\d:.]{15}\+00:00", "level"/);
  });
});

describe('error mapping helpers', () => {
  it('modelErrorFromFailure maps as the backend does', async () => {
    const { modelErrorFromFailure } = await import('../../src/backend/hook-tool-backend.js');
    const failure = (hookTool: string, stderr: string) => ({
      hookTool,
      argv: [hookTool],
      exitCode: 1,
      stderr,
    });
    expect(
      modelErrorFromFailure(failure('relation-get', 'ERROR relation not found\n')),
    ).toBeInstanceOf(RelationNotFoundError);
    expect(
      modelErrorFromFailure(failure('network-get', 'ERROR relation not found')),
    ).toBeInstanceOf(RelationNotFoundError);
    expect(
      modelErrorFromFailure(failure('secret-get', 'ERROR secret "x" not found')),
    ).toBeInstanceOf(SecretNotFoundError);
    const other = modelErrorFromFailure(failure('config-get', 'ERROR relation not found'));
    expect(other.constructor).toBe(ModelError);
    expect(other).toMatchObject({ message: 'ERROR relation not found', exitCode: 1 });
    expect(modelErrorFromFailure(failure('juju-log', '')).message).toBe(
      'hook tool juju-log failed',
    );
  });
});
