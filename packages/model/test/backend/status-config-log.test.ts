import { describe, expect, it } from 'vitest';
import { InvalidStatusError } from '../../src/errors.js';
import { useFakeTools } from '../helpers/backend-setup.js';

const { tools, backend } = useFakeTools();

describe('config, leadership, status, logging', () => {
  it('config-get, is-leader (cached 30 s), status-get/set, version, juju-log', () => {
    let clock = 0;
    tools()
      .add('config-get', { stdout: '{"port":8080,"debug":false,"name":"x"}\n' })
      .add('is-leader', { stdout: 'true\n' })
      .add('status-get', { stdout: '{"message":"","status":"maintenance","status-data":{}}' })
      .add('status-get', {
        whenArgs: ['--include-data', '--format=json', '--application=true'],
        stdout:
          '{"application-status":{"message":"ok","status":"active","status-data":{},"units":{}}}',
      })
      .add('status-set')
      .add('application-version-set')
      .add('juju-log');
    const b = backend('3.6.4', { now: () => clock });
    expect(b.configGet()).toEqual({ port: 8080, debug: false, name: 'x' });
    expect(b.isLeader()).toBe(true);
    clock = 30_000;
    expect(b.isLeader()).toBe(true);
    clock = 30_001;
    expect(b.isLeader()).toBe(true);
    expect(b.statusGet(false)).toEqual({ status: 'maintenance', message: '' });
    expect(b.statusGet(true)).toEqual({ status: 'active', message: 'ok' });
    b.statusSet('active', '', false);
    b.statusSet('blocked', '-weird', true);
    expect(() => b.statusSet('error' as 'active', '', false)).toThrow(InvalidStatusError);
    b.applicationVersionSet('1.2.3');
    b.jujuLog('DEBUG', 'hello');
    expect(tools().commandLines()).toEqual([
      'config-get --format=json',
      'is-leader --format=json',
      'is-leader --format=json',
      'status-get --include-data --format=json --application=false',
      'status-get --include-data --format=json --application=true',
      'status-set --application=False active -- ',
      'status-set --application=True blocked -- -weird',
      'application-version-set -- 1.2.3',
      'juju-log --log-level DEBUG -- hello',
    ]);
  });

  it('takes config-get printing null as no options, and rejects other non-objects', () => {
    tools().add('config-get', { stdout: 'null\n' });
    expect(backend().configGet()).toEqual({});
    tools().add('config-get', { stdout: '[1]\n' });
    expect(() => backend().configGet()).toThrow(
      'config-get printed unexpected JSON: Invalid input: expected record, received array',
    );
    tools().add('config-get', { stdout: '{"a":[1]}\n' });
    expect(() => backend().configGet()).toThrow('config-get printed unexpected JSON at a');
  });

  it('reads the bare "unknown" that status-get prints in a restricted context', () => {
    tools().add('status-get', { stdout: '"unknown"\n' });
    expect(backend().statusGet(false)).toEqual({ status: 'unknown', message: '' });
  });

  it('splits very long log messages as ops does', () => {
    tools().add('juju-log');
    backend().jujuLog('INFO', 'x'.repeat(131072));
    const calls = tools().calls();
    expect(calls.map((c) => c.argv[3]?.length)).toEqual([64, 131071, 1]);
    expect(calls[0]?.argv[3]).toBe(
      'Log string greater than 131071. Splitting into multiple chunks: ',
    );
  });
});
