import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTools } from './helpers/fake-tools.js';

const pkgDir = path.join(import.meta.dirname, '..');

function usageBlock(): string {
  const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  const match = /## Usage\n\n```ts\n([\s\S]*?)```/.exec(readme);
  if (match?.[1] === undefined) throw new Error('README has no Usage block');
  return match[1];
}

let tools: FakeTools;
let script: string;

beforeEach(() => {
  tools = new FakeTools();
  fs.writeFileSync(
    path.join(tools.dir, 'metadata.yaml'),
    'name: web\nrequires:\n  db: {interface: pg}\n',
  );
  fs.writeFileSync(
    path.join(tools.dir, 'config.yaml'),
    'options:\n  port: {type: int, default: 8080}\n',
  );
  // The block is plain JavaScript too; run it from inside the package so that
  // `@opsjs/model` resolves to the built package, as it does for a user.
  script = path.join(pkgDir, `.readme-usage-${process.pid}.mjs`);
  fs.writeFileSync(script, usageBlock());
});

afterEach(() => {
  fs.rmSync(script, { force: true });
  tools.cleanup();
});

function run(): void {
  const result = spawnSync(process.execPath, [script], {
    env: {
      ...tools.env,
      JUJU_DISPATCH_PATH: 'hooks/config-changed',
      JUJU_HOOK_NAME: 'config-changed',
      JUJU_MODEL_NAME: 'prod',
      JUJU_MODEL_UUID: 'uuid',
      JUJU_UNIT_NAME: 'web/0',
      JUJU_VERSION: '3.6.4',
      JUJU_CHARM_DIR: tools.dir,
    },
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

describe('README usage', () => {
  it('writes relation data and sets active status when related', () => {
    tools
      .add('config-get', { stdout: '{"port":8080}' })
      .add('relation-ids', { stdout: '["db:4"]' })
      .add('relation-list', { stdout: '["pg/0"]' })
      .add('relation-get', { stdout: '{}' })
      .add('relation-set')
      .add('status-set');
    run();
    expect(tools.commandLines()).toEqual([
      'config-get --format=json',
      'relation-ids db --format=json',
      'relation-list --format=json -r db:4',
      'relation-get --format=json -r db:4 - web/0',
      'relation-set -r db:4 --file -',
      'status-set --application=False active -- serving on 8080',
    ]);
    expect(tools.calls()[4]?.stdin).toBe('{"port": "8080"}');
  });

  it('blocks without the relation', () => {
    tools
      .add('config-get', { stdout: '{"port":8080}' })
      .add('relation-ids', { stdout: '[]' })
      .add('status-set');
    run();
    expect(tools.commandLines().at(-1)).toBe(
      'status-set --application=False blocked -- needs a database',
    );
  });
});
