import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HookToolBackend } from '../../src/backend/hook-tool-backend.js';
import {
  HookToolMissingError,
  HookToolOutputError,
  HookToolTimeoutError,
  InvalidArgumentError,
  InvalidStatusError,
  ModelError,
  RelationNotFoundError,
  SecretNotFoundError,
} from '../../src/errors.js';
import { JujuContext } from '../../src/juju-context.js';
import { JujuVersion } from '../../src/juju-version.js';
import { FakeTools } from '../helpers/fake-tools.js';

let tools: FakeTools;

function backend(version = '3.6.4', extra: { now?: () => number; timeoutMs?: number } = {}) {
  const context = new JujuContext({
    dispatchPath: 'hooks/config-changed',
    hookName: 'config-changed',
    modelName: 'prod',
    modelUuid: 'uuid-1',
    unitName: 'myapp/0',
    version: new JujuVersion(version),
  });
  return new HookToolBackend({ context, env: tools.env, ...extra });
}

beforeEach(() => {
  tools = new FakeTools();
});
afterEach(() => {
  tools.cleanup();
});

describe('relation tools', () => {
  it('builds the exact argv and parses the output', () => {
    tools
      .add('relation-ids', { stdout: '["db:1","db:7"]\n' })
      .add('relation-list', { stdout: '["pg/0","pg/1"]\n' })
      .add('relation-list', {
        whenArgs: ['--format=json', '--app', '-r', 'db:7'],
        stdout: '"pg"\n',
      })
      .add('relation-get', { stdout: '{"host":"10.1.2.3"}\n' })
      .add('relation-set')
      .add('relation-model-get', { stdout: '{"uuid":"remote-uuid"}' });
    const b = backend();
    expect(b.relationIds('db')).toEqual([1, 7]);
    expect(b.relationList(7, 'db')).toEqual(['pg/0', 'pg/1']);
    expect(b.relationRemoteApp(7, 'db')).toBe('pg');
    expect(b.relationGet(7, 'pg/0', false, 'db')).toEqual({ host: '10.1.2.3' });
    expect(b.relationGet(7, 'myapp', true, 'db')).toEqual({ host: '10.1.2.3' });
    b.relationSet(7, { host: 'h', port: '' }, true, 'db');
    expect(b.relationModelGet(7, 'db')).toEqual({ uuid: 'remote-uuid' });
    expect(tools.commandLines()).toEqual([
      'relation-ids db --format=json',
      'relation-list --format=json -r db:7',
      'relation-list --format=json --app -r db:7',
      'relation-get --format=json -r db:7 - pg/0',
      'relation-get --format=json -r db:7 --app - myapp',
      'relation-set -r db:7 --app --file -',
      'relation-model-get --format=json -r db:7',
    ]);
    expect(tools.calls()[5]?.stdin).toBe('{"host": "h", "port": ""}');
  });

  it('maps "relation not found" to RelationNotFoundError, and to null for the remote app', () => {
    const stderr = 'ERROR invalid value "db:6" for option -r: relation not found\n';
    tools.add('relation-list', { stderr, exitCode: 2 });
    const b = backend();
    let err: unknown;
    try {
      b.relationList(6, 'db');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RelationNotFoundError);
    expect(err).toMatchObject({
      hookTool: 'relation-list',
      argv: ['relation-list', '--format=json', '-r', 'db:6'],
      exitCode: 2,
      stderr,
      message: stderr,
    });
    expect(b.relationRemoteApp(6, 'db')).toBeNull();
  });

  it('refuses an empty relation-set and app data before Juju 2.7 without running a tool', () => {
    const b = backend('2.6.0');
    expect(() => b.relationSet(1, {}, false, 'db')).toThrow(InvalidArgumentError);
    expect(() => b.relationSet(1, { a: 'b' }, true, 'db')).toThrow(
      /not supported on Juju version 2.6.0/,
    );
    expect(() => b.relationGet(1, 'x', true, 'db')).toThrow(ModelError);
    expect(tools.calls()).toEqual([]);
  });
});

describe('defaults', () => {
  it('reads the context from env when none is given', () => {
    tools.add('relation-get', { stdout: '{}' });
    const env = { ...tools.env, JUJU_VERSION: '2.6.0', JUJU_UNIT_NAME: 'a/0' };
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
    const b = new HookToolBackend({ env: { PATH: tools.dir } });
    expect(() => b.configGet()).toThrow(HookToolMissingError);
    expect(() => b.configGet()).toThrow(/config-get not found on PATH/);
  });

  it('reports invalid JSON and unexpected shapes without echoing the output', () => {
    tools.add('config-get', { stdout: 'not json' }).add('secret-get', { stdout: '{"a": 1}' });
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
    tools.add('is-leader', { hang: true });
    const b = backend('3.6.4', { timeoutMs: 300 });
    expect(() => b.isLeader()).toThrow(HookToolTimeoutError);
  });

  it('maps other failures to ModelError with stderr as message', () => {
    tools.add('config-get', { stderr: 'ERROR cannot get config\n', exitCode: 1 });
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
    tools
      .add('status-get', {
        stderr: 'ERROR finding application status: this unit is not the leader\n',
        exitCode: 1,
      })
      .add('is-leader', { stdout: 'false' })
      .add('juju-log');
    expect(() => backend().statusGet(true)).toThrow(ModelError);
    const calls = tools.calls();
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

describe('config, leadership, status, logging', () => {
  it('config-get, is-leader (cached 30 s), status-get/set, version, juju-log', () => {
    let clock = 0;
    tools
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
    expect(tools.commandLines()).toEqual([
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

  it('reads the bare "unknown" that status-get prints in a restricted context', () => {
    tools.add('status-get', { stdout: '"unknown"\n' });
    expect(backend().statusGet(false)).toEqual({ status: 'unknown', message: '' });
  });

  it('splits very long log messages as ops does', () => {
    tools.add('juju-log');
    backend().jujuLog('INFO', 'x'.repeat(131072));
    const calls = tools.calls();
    expect(calls.map((c) => c.argv[3]?.length)).toEqual([64, 131071, 1]);
    expect(calls[0]?.argv[3]).toBe(
      'Log string greater than 131071. Splitting into multiple chunks: ',
    );
  });
});

describe('actions', () => {
  it('action-get, flattened action-set, action-log, action-fail', () => {
    tools
      .add('action-get', { stdout: '{"file":"x.tar","compression":{"kind":"gzip"}}' })
      .add('action-set')
      .add('action-log')
      .add('action-fail');
    const b = backend();
    expect(b.actionGet()).toEqual({ file: 'x.tar', compression: { kind: 'gzip' } });
    b.actionSet({ a: { b: 1, c: true }, d: 'x y', e: ['x', 1, null] });
    b.actionLog('working');
    b.actionFail('');
    expect(tools.calls().map((c) => [c.tool, ...c.argv])).toEqual([
      ['action-get', '--format=json'],
      ['action-set', 'a.b=1', 'a.c=True', 'd=x y', "e=['x', 1, None]"],
      ['action-log', '--', 'working'],
      ['action-fail', '--', ''],
    ]);
  });

  it('rejects bad and duplicate keys before running action-set, and hides values in errors', () => {
    tools.add('action-set', { stderr: 'ERROR boom\n', exitCode: 1 });
    const b = backend();
    expect(() => b.actionSet({ Bad: 'x' })).toThrow(InvalidArgumentError);
    expect(() => b.actionSet({ a: { b: '1' }, 'a.b': '2' })).toThrow(/duplicate key/);
    expect(tools.calls()).toEqual([]);
    let err: unknown;
    try {
      b.actionSet({ password: 'hunter2' });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ argv: ['action-set', 'password=<hidden>'] });
    expect(JSON.stringify(err)).not.toContain('hunter2');
  });
});

describe('storage, network, ports, resources, goal state, credentials', () => {
  it('builds argv and parses output', () => {
    tools
      .add('storage-list', { stdout: '["data/0","data/3"]' })
      .add('storage-get', { stdout: '{"kind":"filesystem","location":"/srv/data"}' })
      .add('storage-add')
      .add('network-get', {
        stdout: JSON.stringify({
          'bind-addresses': [
            {
              'mac-address': '',
              'interface-name': 'eth0',
              addresses: [{ hostname: '', address: '10.1.2.3', cidr: '10.1.2.0/24' }],
            },
          ],
          'egress-subnets': ['10.1.2.3/32'],
          'ingress-addresses': ['10.1.2.3'],
        }),
      })
      .add('open-port')
      .add('close-port')
      .add('opened-ports', { stdout: '["80/tcp","8000-8999/udp","icmp","443"]' })
      .add('resource-get', { stdout: '/var/lib/juju/res/image.tar\n' })
      .add('goal-state', {
        stdout: JSON.stringify({
          units: {
            'myapp/0': { status: 'active', since: '2026-07-01T10:00:00Z' },
            'myapp/1': { status: 'dying', since: '2026-07-01T10:00:00Z' },
          },
          relations: {},
        }),
      })
      .add('credential-get', {
        stdout: JSON.stringify({
          type: 'ec2',
          name: 'aws',
          region: 'us-east-1',
          credential: { 'auth-type': 'access-key', attrs: { 'access-key': 'k' }, redacted: [] },
          'skip-tls-verify': false,
        }),
      })
      .add('juju-reboot');
    const b = backend();
    expect(b.storageList('data')).toEqual([0, 3]);
    expect(b.storageGet('data/3')).toEqual({ kind: 'filesystem', location: '/srv/data' });
    b.storageAdd('data', 2);
    expect(b.networkGet('db', 7).bindAddresses[0]?.addresses[0]).toEqual({
      hostname: '',
      value: '10.1.2.3',
      cidr: '10.1.2.0/24',
    });
    b.networkGet('juju-info');
    b.openPort('tcp', 8080);
    b.closePort('icmp');
    expect(b.openedPorts()).toEqual([
      { protocol: 'tcp', port: 80, toPort: null },
      { protocol: 'udp', port: 8000, toPort: 8999 },
      { protocol: 'icmp', port: null, toPort: null },
      { protocol: 'tcp', port: 443, toPort: null },
    ]);
    expect(b.resourceGet('image')).toBe('/var/lib/juju/res/image.tar');
    expect(Object.keys(b.goalState().units)).toEqual(['myapp/0', 'myapp/1']);
    expect(b.credentialGet()).toMatchObject({
      type: 'ec2',
      region: 'us-east-1',
      credential: { authType: 'access-key', attributes: { 'access-key': 'k' } },
    });
    b.reboot(false);
    expect(tools.commandLines().filter((l) => !l.startsWith('juju-log'))).toEqual([
      'storage-list --format=json data',
      'storage-get --format=json -s data/3',
      'storage-add data=2',
      'network-get --format=json -r 7 db',
      'network-get --format=json juju-info',
      'open-port 8080/tcp',
      'close-port icmp',
      'opened-ports --format=json',
      'resource-get image',
      'goal-state --format=json',
      'credential-get --format=json',
      'juju-reboot',
    ]);
  });

  it('juju-reboot --now logs sys_restart first and then exits', () => {
    tools.add('juju-reboot').add('juju-log');
    let exited = false;
    const context = new JujuContext({
      dispatchPath: 'hooks/install',
      hookName: 'install',
      modelName: 'prod',
      modelUuid: 'u',
      unitName: 'myapp/0',
      version: new JujuVersion('3.6.0'),
    });
    const b = new HookToolBackend({ context, env: tools.env, exit: () => (exited = true) });
    b.reboot(true);
    expect(tools.calls().map((c) => c.tool)).toEqual(['juju-log', 'juju-reboot']);
    expect(tools.calls()[1]?.argv).toEqual(['--now']);
    expect(JSON.parse(tools.calls()[0]?.argv[3] ?? '')).toMatchObject({
      level: 'WARN',
      event: expect.stringMatching(/^sys_restart:/),
      description: "Rebooting unit 'myapp/0' in model 'prod'",
    });
    expect(exited).toBe(true);
  });
});

describe('secrets', () => {
  it('passes content through files, never argv, and removes them', () => {
    tools
      .add('secret-add', { stdout: 'secret:cjm2bb5q4i3jq7kf9m9g\n' })
      .add('secret-set')
      .add('secret-get', { stdout: '{"username":"admin"}' })
      .add('secret-info-get', {
        stdout: JSON.stringify({
          cjm2bb5q4i3jq7kf9m9g: {
            revision: 2,
            label: 'db',
            owner: 'application',
            rotation: 'monthly',
            expiry: '2026-12-09T16:17:00Z',
          },
        }),
      })
      .add('secret-grant')
      .add('secret-revoke')
      .add('secret-remove')
      .add('secret-ids', { stdout: '["cjm2bb5q4i3jq7kf9m9g"]' });
    // The fake secret-add also copies its content files so the test can check them.
    const b = backend('3.6.4');
    const id = b.secretAdd(
      { username: 'admin', password: 's3cret' },
      {
        owner: 'unit',
        label: 'db',
        description: 'd',
        expire: new Date('2026-12-09T16:17:00.123Z'),
        rotate: 'daily',
      },
    );
    expect(id).toBe('secret:cjm2bb5q4i3jq7kf9m9g');
    b.secretSet(id, { content: { password: 'n3w' } });
    expect(b.secretGet({ id, label: 'db', refresh: true })).toEqual({ username: 'admin' });
    b.secretGet({ label: 'db', peek: true });
    expect(b.secretInfoGet({ id })).toMatchObject({
      id: 'cjm2bb5q4i3jq7kf9m9g',
      revision: 2,
      label: 'db',
      rotation: 'monthly',
      expiry: new Date('2026-12-09T16:17:00Z'),
    });
    b.secretInfoGet({ label: 'db' });
    b.secretGrant(id, 7, 'pg/0');
    b.secretRevoke(id, 7);
    b.secretRemove(id, 3);
    b.secretRemove(id);
    expect(b.secretIds()).toEqual(['cjm2bb5q4i3jq7kf9m9g']);
    const calls = tools.calls();
    const add = calls[0]?.argv ?? [];
    expect(add.slice(0, 10)).toEqual([
      '--label',
      'db',
      '--description',
      'd',
      '--expire',
      '2026-12-09T16:17:00.123000Z',
      '--rotate',
      'daily',
      '--owner',
      'unit',
    ]);
    expect(add[10]).toMatch(/^username#file=.*\/username$/);
    expect(add[11]).toMatch(/^password#file=.*\/password$/);
    expect(calls.flatMap((c) => c.argv).join(' ')).not.toContain('s3cret');
    expect(fs.existsSync((add[10] ?? '').split('=')[1] ?? '')).toBe(false);
    expect(calls[1]?.argv.slice(0, 3)).toEqual(['--owner', 'application', id]);
    expect(tools.commandLines().slice(2)).toEqual([
      `secret-get --format=json ${id} --label db --refresh`,
      'secret-get --format=json --label db --peek',
      `secret-info-get --format=json ${id}`,
      'secret-info-get --format=json --label db',
      `secret-grant --relation 7 --unit pg/0 ${id}`,
      `secret-revoke --relation 7 ${id}`,
      `secret-remove ${id} --revision 3`,
      `secret-remove ${id}`,
      'secret-ids --format=json',
    ]);
  });

  it('treats empty times and unknown rotation policies as unset', () => {
    tools.add('secret-info-get', {
      stdout: '{"abc":{"revision":1,"label":"","expiry":"","rotation":"fortnightly"}}',
    });
    expect(backend().secretInfoGet({ id: 'secret:abc' })).toEqual({
      id: 'abc',
      revision: 1,
      label: '',
      expiry: undefined,
      rotation: undefined,
      rotates: undefined,
    });
  });

  it('maps "not found" to SecretNotFoundError', () => {
    tools.add('secret-get', { stderr: 'ERROR secret "x" not found\n', exitCode: 1 });
    expect(() => backend().secretGet({ id: 'secret:x' })).toThrow(SecretNotFoundError);
  });

  it('re-sends content and metadata on Juju < 3.6', () => {
    tools
      .add('secret-get', { stdout: '{"password":"old"}' })
      .add('secret-info-get', {
        stdout: '{"abc":{"revision":1,"label":"lbl","description":"desc","rotation":"daily"}}',
      })
      .add('secret-set');
    backend('3.5.0').secretSet('secret:abc', { label: 'new' });
    const lines = tools.commandLines();
    expect(lines[0]).toBe('secret-get --format=json secret:abc --peek');
    expect(lines[1]).toBe('secret-info-get --format=json secret:abc');
    expect(tools.calls()[2]?.argv.slice(0, 9)).toEqual([
      '--label',
      'new',
      '--description',
      'desc',
      '--rotate',
      'daily',
      '--owner',
      'application',
      'secret:abc',
    ]);
    expect(tools.calls()[2]?.argv[9]).toMatch(/^password#file=/);
  });
});

describe('controller state', () => {
  it('state-get/set/delete', () => {
    tools
      .add('state-get', { stdout: '' })
      .add('state-get', { whenArgs: ['k'], stdout: '{a: 1}\n' })
      .add('state-set')
      .add('state-delete');
    const b = backend();
    expect(b.stateGet('k')).toBe('{a: 1}\n');
    expect(b.stateGet('missing')).toBeNull();
    b.stateSet({ k: '{a: 1}' });
    b.stateDelete('k');
    expect(tools.commandLines()).toEqual([
      'state-get k',
      'state-get missing',
      'state-set --file -',
      'state-delete k',
    ]);
    expect(tools.calls()[2]?.stdin).toBe('k: "{a: 1}"');
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
