import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { useFakeTools } from '../helpers/backend-setup.js';

const { tools, backend } = useFakeTools();

describe('actions', () => {
  it('action-get, flattened action-set, action-log, action-fail', () => {
    tools()
      .add('action-get', { stdout: '{"file":"x.tar","compression":{"kind":"gzip"}}' })
      .add('action-set')
      .add('action-log')
      .add('action-fail');
    const b = backend();
    expect(b.actionGet()).toEqual({ file: 'x.tar', compression: { kind: 'gzip' } });
    b.actionSet({ a: { b: 1, c: true }, d: 'x y', e: ['x', 1, null] });
    b.actionLog('working');
    b.actionFail('');
    expect(
      tools()
        .calls()
        .map((c) => [c.tool, ...c.argv]),
    ).toEqual([
      ['action-get', '--format=json'],
      ['action-set', 'a.b=1', 'a.c=True', 'd=x y', "e=['x', 1, None]"],
      ['action-log', '--', 'working'],
      ['action-fail', '--', ''],
    ]);
  });

  it('rejects bad and duplicate keys before running action-set, and hides values in errors', () => {
    tools().add('action-set', { stderr: 'ERROR boom\n', exitCode: 1 });
    const b = backend();
    expect(() => b.actionSet({ Bad: 'x' })).toThrow(InvalidArgumentError);
    expect(() => b.actionSet({ a: { b: '1' }, 'a.b': '2' })).toThrow(/duplicate key/);
    expect(tools().calls()).toEqual([]);
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
