// Call sequences recorded from Python ops 3.9.0.dev0 (canonical/operator 7989557d, its
// ops.model.Model over the real _ModelBackend) running the same charm code against the same
// fake hook tools. opsjs must produce the same tools, argv, stdin and order.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HookToolBackend } from '../src/backend/hook-tool-backend.js';
import { CharmMeta } from '../src/charm-meta.js';
import { JujuContext } from '../src/juju-context.js';
import { Model } from '../src/model.js';
import { Port } from '../src/port.js';
import { ActiveStatus, BlockedStatus } from '../src/status.js';
import { FakeTools } from './helpers/fake-tools.js';

const meta = CharmMeta.fromYaml(`name: web
requires:
  db: {interface: pg}
storage:
  data: {type: filesystem}
resources:
  img: {type: file, filename: img.tar}
`);

let tools: FakeTools;
beforeEach(() => {
  tools = new FakeTools();
});
afterEach(() => {
  tools.cleanup();
});

function env(extra: Record<string, string>): Record<string, string> {
  return {
    JUJU_UNIT_NAME: 'web/0',
    JUJU_MODEL_NAME: 'm',
    JUJU_MODEL_UUID: 'uuid-1',
    JUJU_CHARM_DIR: tools.dir,
    JUJU_RELATION: 'db',
    JUJU_RELATION_ID: 'db:4',
    JUJU_REMOTE_APP: 'pg',
    ...extra,
  };
}

function model(extra: Record<string, string>, hookRunning: string): Model {
  const context = JujuContext.fromEnv(env(extra));
  return new Model({
    meta,
    backend: new HookToolBackend({ context, env: tools.env }),
    context,
    hookRunning,
  });
}

function recorded(): string[] {
  return tools.calls().map((c) =>
    [c.tool, ...c.argv]
      .join(' ')
      .replace(/#file=\S+/g, '#file=<tmp>')
      .replace(/"datetime": "[^"]*"/, '"datetime": "T"')
      .concat(c.stdin ? `  <<< ${c.stdin}` : ''),
  );
}

function attempt(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message.trim()}` : String(err);
  }
}

describe('same hook-tool calls as Python ops', () => {
  it('a relation-changed hook touching every model area (leader, Juju 3.6.4)', () => {
    tools
      .add('config-get', { stdout: '{"port":8080}' })
      .add('is-leader', { stdout: 'true' })
      .add('relation-ids', { stdout: '["db:4"]' })
      .add('relation-list', { stdout: '["pg/0"]' })
      .add('relation-get', { stdout: '{"a":"1"}' })
      .add('relation-set')
      .add('status-set')
      .add('goal-state', {
        stdout:
          '{"units":{"web/0":{"status":"active","since":"2026-01-01T00:00:00Z"},"web/1":{"status":"dying","since":"2026-01-01T00:00:00Z"}},"relations":{}}',
      })
      .add('application-version-set')
      .add('secret-add', { stdout: 'secret:cjm2bb5q4i3jq7kf9m9g\n' })
      .add('secret-set')
      .add('secret-grant')
      .add('secret-get', { stdout: '{"password":"pw"}' })
      .add('network-get', {
        stdout:
          '{"bind-addresses":[{"mac-address":"","interface-name":"eth0","addresses":[{"hostname":"","value":"10.0.0.2","cidr":"10.0.0.0/24"}]}],"egress-subnets":["10.0.0.2/32"],"ingress-addresses":["10.0.0.2"]}',
      })
      .add('storage-list', { stdout: '["data/0"]' })
      .add('storage-get', { stdout: '{"kind":"filesystem","location":"/srv"}' })
      .add('opened-ports', { stdout: '["80/tcp","8080/tcp"]' })
      .add('open-port')
      .add('close-port')
      .add('resource-get', { stdout: '/res/img\n' });
    const m = model(
      {
        JUJU_VERSION: '3.6.4',
        JUJU_DISPATCH_PATH: 'hooks/db-relation-changed',
        JUJU_HOOK_NAME: 'db-relation-changed',
        JUJU_REMOTE_UNIT: 'pg/0',
      },
      'db_relation_changed',
    );
    m.config.get('port');
    const rel = m.getRelation('db');
    if (rel === null || rel.app === null) throw new Error('no relation');
    rel.data.get(rel.app).get('a');
    rel.data.get(m.unit).set('x', 'y');
    rel.data.get(m.app).update({ k: 'v', a: '1' });
    m.unit.status = new ActiveStatus('ok');
    m.app.status = new BlockedStatus('b');
    expect(m.app.plannedUnits()).toBe(1);
    m.unit.setWorkloadVersion('1.0');
    const s = m.app.addSecret({ password: 'pw' }, { label: 'l', rotate: 'daily' });
    s.setContent({ password: 'pw2' });
    s.grant(rel);
    s.setInfo({ description: 'd' });
    const o = m.getSecret({ id: 'abc', label: 'L' });
    o.getContent({ refresh: true });
    o.peekContent();
    expect(m.getBinding('db').network.bindAddress).toBe('10.0.0.2');
    expect(m.getBinding(rel).network.ingressAddress).toBe('10.0.0.2');
    expect(m.storages.get('data')[0]?.location).toBe('/srv');
    m.unit.setPorts(80, new Port('udp', 53));
    expect(m.resources.fetch('img')).toBe('/res/img');
    expect(recorded()).toEqual([
      'config-get --format=json',
      'relation-ids db --format=json',
      'relation-list --format=json -r db:4',
      'is-leader --format=json',
      'relation-get --format=json -r db:4 --app - pg',
      'relation-get --format=json -r db:4 - web/0',
      'relation-set -r db:4 --file -  <<< {"x": "y"}',
      'relation-get --format=json -r db:4 --app - web',
      'relation-set -r db:4 --app --file -  <<< {"k": "v"}',
      'status-set --application=False active -- ok',
      'status-set --application=True blocked -- b',
      'goal-state --format=json',
      'application-version-set -- 1.0',
      'secret-add --label l --rotate daily --owner application password#file=<tmp>',
      'secret-set --owner application secret:cjm2bb5q4i3jq7kf9m9g password#file=<tmp>',
      'secret-grant --relation 4 secret:cjm2bb5q4i3jq7kf9m9g',
      'secret-set --description d --owner application secret:cjm2bb5q4i3jq7kf9m9g',
      'secret-get --format=json secret://uuid-1/abc --label L',
      'secret-get --format=json secret://uuid-1/abc --label L --refresh',
      'secret-get --format=json secret://uuid-1/abc --label L --peek',
      'network-get --format=json db',
      'network-get --format=json -r 4 db',
      'storage-list --format=json data',
      'storage-get --format=json -s data/0',
      'opened-ports --format=json',
      'close-port 8080/tcp',
      'open-port 53/udp',
      'resource-get img',
    ]);
  });

  it('a relation-broken hook: hidden relation, dead relations, access errors, Juju 3.5 secret-set', () => {
    const notFound = (id: string) => ({
      stderr: `ERROR invalid value "${id}" for option -r: relation not found\n`,
      exitCode: 2,
    });
    tools
      .add('is-leader', { stdout: 'false' })
      .add('relation-ids', { stdout: '["db:4","db:5"]' })
      .add('relation-list', { stdout: '[]' })
      .add('relation-list', { whenArgs: ['--format=json', '-r', 'db:5'], ...notFound('db:5') })
      .add('relation-list', {
        whenArgs: ['--format=json', '--app', '-r', 'db:5'],
        ...notFound('db:5'),
      })
      .add('relation-list', {
        whenArgs: ['--format=json', '--app', '-r', 'db:6'],
        stdout: '"other"',
      })
      .add('relation-get', { stdout: '{"a":"1"}' })
      .add('secret-get', { stdout: '{"password":"old"}' })
      .add('secret-info-get', {
        stdout:
          '{"abc":{"revision":1,"label":"lbl","description":"desc","rotation":"daily","expiry":"2030-01-01T00:00:00Z"}}',
      })
      .add('secret-set', { stderr: 'ERROR permission denied\n', exitCode: 1 })
      .add('status-get', { stdout: '{"status":"maintenance","message":"m","status-data":{}}' })
      .add('juju-log');
    const m = model(
      {
        JUJU_VERSION: '3.5.0',
        JUJU_DISPATCH_PATH: 'hooks/db-relation-broken',
        JUJU_HOOK_NAME: 'db-relation-broken',
        JUJU_REMOTE_UNIT: 'pg/1',
      },
      'db_relation_broken',
    );
    const out: string[] = [];
    out.push(JSON.stringify(m.relations.get('db').map((r) => r.id)));
    const r4 = m.getRelation('db', 4);
    if (r4 === null || r4.app === null) throw new Error('no relation');
    const app = r4.app;
    out.push(`${r4.active} ${app.name} ${[...r4.data.keys()].map((e) => e.name).join(',')}`);
    out.push(attempt(() => r4.data.get(m.app).get('a')));
    out.push(attempt(() => r4.data.get(app).set('a', 'b')));
    const r5 = m.getRelation('db', 5);
    out.push(`${r5?.active} ${r5?.app}`);
    const r6 = m.getRelation('db', 6);
    out.push(`${r6?.active} ${r6?.app?.name}`);
    out.push(attempt(() => m.app.status));
    out.push(String(m.unit.status));
    const s = m.getSecret({ id: 'abc' });
    out.push(attempt(() => s.setContent({ password: 'new' })));
    // ops printed: [5] / False pg ['web/0','web','pg','pg/1'] / RelationDataAccessError... /
    // False None / False other / RuntimeError (here ModelAccessError) / maintenance / ModelError.
    expect(out).toEqual([
      '[5]',
      'false pg web/0,web,pg,pg/1',
      'RelationDataAccessError: web/0 is not leader and cannot read its own application databag',
      'RelationDataAccessError: web cannot write the data of remote application pg',
      'false null',
      'false other',
      'ModelAccessError: cannot get application status as a non-leader unit',
      'maintenance: m',
      'ModelError: ERROR permission denied',
    ]);
    expect(recorded()).toEqual([
      'relation-ids db --format=json',
      'relation-list --format=json -r db:5',
      'relation-list --format=json --app -r db:5',
      'relation-list --format=json -r db:4',
      'is-leader --format=json',
      'relation-get --format=json -r db:4 --app - pg',
      'relation-list --format=json -r db:6',
      'relation-list --format=json --app -r db:6',
      'juju-log --log-level TRACE -- {"datetime": "T", "level": "CRITICAL", "type": "security", "appid": "uuid-1-web/0", "event": "authz_fail:status-get", "description": "Attempted to get application status when not leader"}',
      'status-get --include-data --format=json --application=false',
      'secret-get --format=json secret://uuid-1/abc',
      'secret-info-get --format=json secret://uuid-1/abc',
      'secret-set --label lbl --description desc --expire 2030-01-01T00:00:00Z --rotate daily --owner application secret://uuid-1/abc password#file=<tmp>',
      `juju-log --log-level TRACE -- {"datetime": "T", "level": "CRITICAL", "type": "security", "appid": "uuid-1-web/0", "event": "authz_fail:secret-set", "description": "Hook command 'secret-set' failed with code 1: 'ERROR permission denied'. "}`,
    ]);
  });
});
