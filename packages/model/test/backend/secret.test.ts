import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SecretNotFoundError } from '../../src/errors.js';
import { useFakeTools } from '../helpers/backend-setup.js';

const { tools, backend } = useFakeTools();

describe('secrets', () => {
  it('passes content through files, never argv, and removes them', () => {
    tools()
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
    const calls = tools().calls();
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
    expect(tools().commandLines().slice(2)).toEqual([
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
    tools().add('secret-info-get', {
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
    tools().add('secret-get', { stderr: 'ERROR secret "x" not found\n', exitCode: 1 });
    expect(() => backend().secretGet({ id: 'secret:x' })).toThrow(SecretNotFoundError);
  });

  it('re-sends content and metadata on Juju < 3.6', () => {
    tools()
      .add('secret-get', { stdout: '{"password":"old"}' })
      .add('secret-info-get', {
        stdout: '{"abc":{"revision":1,"label":"lbl","description":"desc","rotation":"daily"}}',
      })
      .add('secret-set');
    backend('3.5.0').secretSet('secret:abc', { label: 'new' });
    const lines = tools().commandLines();
    expect(lines[0]).toBe('secret-get --format=json secret:abc --peek');
    expect(lines[1]).toBe('secret-info-get --format=json secret:abc');
    expect(tools().calls()[2]?.argv.slice(0, 9)).toEqual([
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
    expect(tools().calls()[2]?.argv[9]).toMatch(/^password#file=/);
  });
});
