import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ModelError, RelationNotFoundError } from '../../src/errors.js';
import { useFakeTools } from '../helpers/backend-setup.js';

const { tools, backend } = useFakeTools();

describe('relation tools', () => {
  it('builds the exact argv and parses the output', () => {
    tools()
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
    expect(tools().commandLines()).toEqual([
      'relation-ids db --format=json',
      'relation-list --format=json -r db:7',
      'relation-list --format=json --app -r db:7',
      'relation-get --format=json -r db:7 - pg/0',
      'relation-get --format=json -r db:7 --app - myapp',
      'relation-set -r db:7 --app --file -',
      'relation-model-get --format=json -r db:7',
    ]);
    expect(tools().calls()[5]?.stdin).toBe('{"host": "h", "port": ""}');
  });

  it('maps "relation not found" to RelationNotFoundError, and to null for the remote app', () => {
    const stderr = 'ERROR invalid value "db:6" for option -r: relation not found\n';
    tools().add('relation-list', { stderr, exitCode: 2 });
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
    expect(tools().calls()).toEqual([]);
  });
});
