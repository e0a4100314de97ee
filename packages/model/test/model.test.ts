import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CharmMeta } from '../src/charm-meta.js';
import {
  ConfigTypeError,
  InvalidArgumentError,
  InvalidStatusError,
  ModelAccessError,
  ModelError,
  RelationDataAccessError,
  RelationDataTypeError,
  TooManyRelatedAppsError,
  UnknownNameError,
} from '../src/errors.js';
import { JujuContext } from '../src/juju-context.js';
import { JujuVersion } from '../src/juju-version.js';
import { defaultContainerSocketPath, Model } from '../src/model.js';
import { Port } from '../src/port.js';
import {
  ActiveStatus,
  BlockedStatus,
  ErrorStatus,
  MaintenanceStatus,
  UnknownStatus,
  WaitingStatus,
} from '../src/status.js';
import { MemoryBackend } from './helpers/memory-backend.js';

const meta = CharmMeta.fromCharmDir(path.join(import.meta.dirname, 'fixtures', 'k8s-charm'));

function context(hook: string, extra: Partial<ConstructorParameters<typeof JujuContext>[0]> = {}) {
  return new JujuContext({
    dispatchPath: `hooks/${hook}`,
    hookName: hook,
    modelName: 'prod',
    modelUuid: 'model-uuid',
    unitName: 'demo/0',
    version: new JujuVersion('3.6.4'),
    ...extra,
  });
}

let backend: MemoryBackend;

function model(hook = 'config-changed', extra = {}, hookRunning = hook): Model {
  return new Model({ meta, backend, context: context(hook, extra), hookRunning });
}

beforeEach(() => {
  backend = new MemoryBackend();
  backend.relations = [
    {
      endpoint: 'database',
      id: 3,
      remoteApp: 'pg',
      remoteUnits: ['pg/0', 'pg/1'],
      data: { 'pg/0': { host: '10.0.0.1' }, pg: { db: 'app' }, 'demo/0': {}, demo: { k: 'v' } },
    },
    {
      endpoint: 'demo-peers',
      id: 1,
      remoteApp: 'demo',
      remoteUnits: ['demo/1'],
      data: { demo: { leader: 'demo/0' } },
    },
  ];
});

describe('Model', () => {
  it('exposes name, uuid, version, unit, app and caches entities by name', () => {
    const m = model();
    expect(m.name).toBe('prod');
    expect(m.uuid).toBe('model-uuid');
    expect(m.jujuVersion.toString()).toBe('3.6.4');
    expect(m.unit.name).toBe('demo/0');
    expect(m.app.name).toBe('demo');
    expect(m.unit.app).toBe(m.app);
    expect(m.getUnit('pg/0')).toBe(m.getUnit('pg/0'));
    expect(m.getUnit('pg/0').app).toBe(m.getApp('pg'));
    expect(backend.calls).toEqual([]);
  });

  it('needs a unit name', () => {
    expect(() => new Model({ meta, backend })).toThrow(InvalidArgumentError);
    expect(new Model({ meta, backend, unitName: 'x/1' }).unit.name).toBe('x/1');
  });

  it('lists relations lazily, once, with units and remote app', () => {
    const m = model();
    const rels = m.relations.get('database');
    expect(rels.map((r) => r.id)).toEqual([3]);
    const rel = rels[0];
    expect(rel?.app?.name).toBe('pg');
    expect([...(rel?.units ?? [])].map((u) => u.name)).toEqual(['pg/0', 'pg/1']);
    expect(rel?.active).toBe(true);
    expect(m.relations.get('database')).toBe(rels);
    expect(backend.methods()).toEqual(['relationIds', 'relationList']);
    expect(m.getRelation('database')).toBe(rel);
    expect(String(rel)).toBe('<Relation database:3>');
    expect(() => m.relations.get('nope')).toThrow(UnknownNameError);
    expect(m.relations.keys()).toEqual(['database', 'website', 'demo-peers']);
  });

  it('uses JUJU_REMOTE_APP for the event relation and relation-list --app otherwise', () => {
    const first = backend.relations[0];
    if (first) first.remoteUnits = [];
    model('database-relation-created', { relationId: 3, remoteAppName: 'pg' }).relations.get(
      'database',
    );
    expect(backend.methods()).toEqual(['relationIds', 'relationList']);
    backend.calls = [];
    expect(model().getRelation('database')?.app?.name).toBe('pg');
    expect(backend.methods()).toEqual(['relationIds', 'relationList', 'relationRemoteApp']);
  });

  it('getRelation: none, too many, by id, and an inactive dead relation', () => {
    const m = model();
    expect(m.getRelation('website')).toBeNull();
    const first = backend.relations[0];
    if (first) backend.relations.push({ ...first, id: 4 });
    const m2 = model();
    expect(() => m2.getRelation('database')).toThrow(TooManyRelatedAppsError);
    expect(() => m2.getRelation('database')).toThrow(
      'Too many remote applications on database (2 > 1)',
    );
    expect(m2.getRelation('database', 4)?.id).toBe(4);
    const dead = m2.getRelation('database', 99);
    expect(dead?.active).toBe(false);
    expect(dead?.units.size).toBe(0);
  });

  it('hides the broken relation and keeps the departing unit in relation.data', () => {
    const broken = model('database-relation-broken', {
      relationId: 3,
      remoteAppName: 'pg',
      remoteUnitName: 'pg/2',
    });
    expect(broken.relations.get('database')).toEqual([]);
    const rel = broken.getRelation('database', 3);
    expect(rel?.active).toBe(false);
    expect(rel?.data.has('pg/2')).toBe(true);
    expect([...(rel?.units ?? [])].map((u) => u.name)).not.toContain('pg/2');
    const departed = model('database-relation-departed', { relationId: 3, remoteUnitName: 'pg/2' });
    expect(departed.getRelation('database')?.data.has(departed.getUnit('pg/2'))).toBe(true);
  });

  it('reads the remote model uuid once', () => {
    const rel = model().getRelation('database');
    expect(rel?.remoteModel.uuid).toBe('remote-uuid');
    expect(rel?.remoteModel.uuid).toBe('remote-uuid');
    expect(backend.methods().filter((x) => x === 'relationModelGet')).toHaveLength(1);
  });
});

describe('RelationDataContent', () => {
  it('loads each bag once and writes only changes in one relation-set', () => {
    backend.leader = true;
    const m = model();
    const rel = m.getRelation('database');
    if (rel === null) throw new Error('no relation');
    expect(rel.data.get('pg/0').get('host')).toBe('10.0.0.1');
    expect(rel.data.get(m.getUnit('pg/0')).toObject()).toEqual({ host: '10.0.0.1' });
    expect(backend.methods().filter((x) => x === 'relationGet')).toHaveLength(1);
    const own = rel.data.get(m.app);
    own.update({ k: 'v', n: 'new', gone: '' });
    own.set('n', 'new');
    own.delete('k');
    expect(own.toObject()).toEqual({ n: 'new' });
    expect(backend.calls.filter((c) => c[0] === 'relationSet')).toEqual([
      ['relationSet', 3, { n: 'new' }, true, 'database'],
      ['relationSet', 3, { k: '' }, true, 'database'],
    ]);
    expect([...rel.data.keys()].map((e) => e.name)).toEqual([
      'demo/0',
      'demo',
      'pg/0',
      'pg/1',
      'pg',
    ]);
  });

  it('refuses non-string values before any tool call', () => {
    const bag = model().getRelation('database')?.data.get('demo/0');
    backend.calls = [];
    const bad: Record<string, string> = JSON.parse('{"port": 5432}');
    expect(() => bag?.update(bad)).toThrow(RelationDataTypeError);
    expect(() => bag?.update(bad)).toThrow(/values must be strings, not number \(key "port"/);
    // As in ops, the bag is loaded first; nothing is written.
    expect(backend.calls).toEqual([['relationGet', 3, 'demo/0', false, 'database']]);
  });

  it('enforces ops access rules while a hook runs', () => {
    const m = model();
    const rel = m.getRelation('database');
    if (rel === null) throw new Error('no relation');
    expect(() => rel.data.get('pg/0').set('x', 'y')).toThrow(
      new RelationDataAccessError('demo/0 cannot write databag of pg/0: not the same unit.'),
    );
    expect(() => rel.data.get('pg').set('x', 'y')).toThrow(
      'demo cannot write the data of remote application pg',
    );
    expect(() => rel.data.get('demo').set('x', 'y')).toThrow(
      'demo/0 is not leader and cannot write application data.',
    );
    expect(() => rel.data.get('demo').get('k')).toThrow(
      'demo/0 is not leader and cannot read its own application databag',
    );
    // Overwriting an existing key reads it first, so the read rule fires first (as in ops).
    expect(() => rel.data.get('demo').set('k', 'x')).toThrow(
      'demo/0 is not leader and cannot read its own application databag',
    );
    expect(rel.data.get('pg').get('db')).toBe('app');
    expect(String(rel.data.get('demo'))).toBe('<n/a>');
    expect(String(rel.data.get('pg'))).toBe('{"db":"app"}');
    rel.data.get('demo/0').set('mine', 'ok');
    expect(backend.calls.filter((c) => c[0] === 'relationSet')).toEqual([
      ['relationSet', 3, { mine: 'ok' }, false, 'database'],
    ]);
    // Peer relation: a non-leader reads the app bag but cannot write it.
    const peers = m.getRelation('demo-peers');
    expect(peers?.app?.name).toBe('demo');
    expect(peers?.data.get('demo').get('leader')).toBe('demo/0');
    expect(() => peers?.data.get('demo').set('a', 'b')).toThrow(RelationDataAccessError);
    // Outside a hook, nothing is enforced.
    const free = model('config-changed', {}, '');
    free.getRelation('database')?.data.get('pg').set('x', 'y');
  });

  it('turns a vanished relation into an empty bag', () => {
    const m = model();
    const rel = m.getRelation('database', 3);
    backend.relations = [];
    expect(rel?.data.get('pg/0').toObject()).toEqual({});
  });
});

describe('statuses', () => {
  it('reads and sets unit status, caching it', () => {
    const m = model();
    expect(m.unit.status).toEqual(new MaintenanceStatus(''));
    m.unit.status = new ActiveStatus('ready');
    expect(m.unit.status.equals(new ActiveStatus('ready'))).toBe(true);
    expect(backend.calls).toEqual([
      ['statusGet', false],
      ['statusSet', 'active', 'ready', false],
    ]);
    expect(m.getUnit('pg/0').status).toBeInstanceOf(UnknownStatus);
    expect(() => {
      m.getUnit('pg/0').status = new ActiveStatus();
    }).toThrow(ModelAccessError);
    expect(() => {
      m.unit.status = new ErrorStatus('x');
    }).toThrow("status must be in ('active', 'blocked', 'maintenance', 'waiting'), not 'error'");
    expect(() => {
      m.unit.status = new UnknownStatus();
    }).toThrow(InvalidStatusError);
  });

  it('lets only the leader read or set app status, checked before any tool call', () => {
    const m = model();
    expect(() => m.app.status).toThrow('cannot get application status as a non-leader unit');
    expect(() => {
      m.app.status = new BlockedStatus('x');
    }).toThrow('cannot set application status as a non-leader unit');
    expect(backend.methods()).toEqual(['isLeader', 'jujuLog', 'isLeader', 'jujuLog']);
    const logs = backend.calls
      .filter((c) => c[0] === 'jujuLog')
      .map((c) => JSON.parse(String(c[2])));
    expect(logs).toMatchObject([
      {
        level: 'CRITICAL',
        type: 'security',
        appid: 'model-uuid-demo/0',
        event: 'authz_fail:status-get',
        description: 'Attempted to get application status when not leader',
      },
      {
        event: 'authz_fail:status-set',
        description: 'Attempted to set application status when not leader.',
      },
    ]);
    backend.leader = true;
    m.app.status = new WaitingStatus('w');
    expect(m.app.status).toEqual(new WaitingStatus('w'));
    expect(m.getApp('pg').status).toBeInstanceOf(UnknownStatus);
    expect(() => {
      m.getApp('pg').status = new ActiveStatus();
    }).toThrow(ModelAccessError);
  });
});

describe('Unit and Application operations', () => {
  it('leadership, workload version, planned units, reboot', () => {
    const m = model();
    expect(m.unit.isLeader()).toBe(false);
    expect(() => m.getUnit('pg/0').isLeader()).toThrow(ModelAccessError);
    m.unit.setWorkloadVersion('1.2');
    backend.goal = {
      units: {
        'demo/0': { status: 'active', since: new Date() },
        'demo/1': { status: 'dying', since: new Date() },
        'demo/2': { status: 'waiting', since: new Date() },
      },
      relations: {},
    };
    expect(m.app.plannedUnits()).toBe(2);
    expect(() => m.getApp('pg').plannedUnits()).toThrow(ModelAccessError);
    m.unit.reboot();
    m.unit.reboot({ now: true });
    expect(() => m.getUnit('pg/0').reboot()).toThrow(ModelAccessError);
    expect(backend.calls.slice(1)).toEqual([
      ['applicationVersionSet', '1.2'],
      ['goalState'],
      ['reboot', false],
      ['reboot', true],
    ]);
  });

  it('ports: open, close, opened (ranges and unknown protocols), setPorts', () => {
    const m = model();
    backend.ports = [
      { protocol: 'tcp', port: 80, toPort: null },
      { protocol: 'udp', port: 8000, toPort: 8999 },
      { protocol: 'sctp', port: 9, toPort: null },
      { protocol: 'icmp', port: null, toPort: null },
    ];
    expect(m.unit.openedPorts().map(String)).toEqual(['80/tcp', '8000/udp', 'icmp']);
    // The same WARNING lines as ops.
    expect(backend.calls.slice(1)).toEqual([
      [
        'jujuLog',
        'WARNING',
        "Ignoring opened-ports port range: Port(protocol='udp', port=8000, to_port=8999, endpoints=None)",
      ],
      ['jujuLog', 'WARNING', 'Unexpected opened-ports protocol: sctp'],
    ]);
    backend.calls = [];
    m.unit.setPorts(80, new Port('tcp', 443));
    expect(backend.calls.filter((c) => c[0] !== 'jujuLog')).toEqual([
      ['openedPorts'],
      ['closePort', 'udp', 8000],
      ['closePort', 'icmp', undefined],
      ['openPort', 'tcp', 443],
    ]);
    // As in ops, ports are not checked against the unit (Juju applies them to this unit).
    backend.calls = [];
    m.getUnit('pg/0').openPort('tcp', 1);
    expect(backend.calls).toEqual([['openPort', 'tcp', 1]]);
    backend.calls = [];
    m.unit.openPort('tcp', 8080);
    m.unit.closePort('icmp');
    expect(backend.calls).toEqual([
      ['openPort', 'tcp', 8080],
      ['closePort', 'icmp', undefined],
    ]);
    expect(() => new Port('tcp', 70000)).toThrow(InvalidArgumentError);
  });
});

describe('config, resources, storage, bindings, cloud', () => {
  it('reads config once and checks types against metadata', () => {
    backend.config = { 'server-port': 8000, debug: true, ratio: 0.5, extra: 'x' };
    const m = model();
    expect(m.config.get('server-port')).toBe(8000);
    expect(m.config.toObject()).toEqual(backend.config);
    expect(m.config.has('db-password')).toBe(false);
    expect(backend.methods()).toEqual(['configGet']);
    backend.config = { 'server-port': '8000' };
    expect(() => model().config.get('x')).toThrow(ConfigTypeError);
    expect(() => model().config.get('x')).toThrow(
      'config option "server-port": expected int, got string from config-get',
    );
    backend.config = { 'server-port': 1.5 };
    expect(() => model().config.size).toThrow(ConfigTypeError);
    backend.config = { debug: 'yes' };
    expect(() => model().config.size).toThrow(ConfigTypeError);
  });

  it('fetches resources once and rejects unknown names', () => {
    backend.resources = { 'demo-server-image': '/res/image' };
    const m = model();
    expect(m.resources.fetch('demo-server-image')).toBe('/res/image');
    expect(m.resources.fetch('demo-server-image')).toBe('/res/image');
    expect(backend.methods()).toEqual(['resourceGet']);
    expect(() => m.resources.fetch('nope')).toThrow(UnknownNameError);
  });

  it('lists storage and reads locations lazily', () => {
    backend.storages = { data: { 0: { kind: 'filesystem', location: '/srv/0' } } };
    const m = model();
    const [s] = m.storages.get('data');
    expect(s?.fullId).toBe('data/0');
    expect(s?.location).toBe('/srv/0');
    expect(s?.location).toBe('/srv/0');
    expect(backend.methods()).toEqual(['storageList', 'storageGet']);
    m.storages.request('data', 2);
    expect(() => m.storages.request('nope')).toThrow(UnknownNameError);
    expect(() => m.storages.request('data', 0)).toThrow(InvalidArgumentError);
    expect(() => m.storages.get('nope')).toThrow("Storage 'nope' not found. Did you mean 'data'?");
    expect(m.storages.keys()).toEqual(['data']);
  });

  it('bindings: network once, relation fallback, address parsing', () => {
    backend.network = {
      bindAddresses: [
        {
          macAddress: '',
          interfaceName: 'eth0',
          addresses: [
            { hostname: '', value: '10.1.2.3', cidr: '10.1.2.0/24' },
            { hostname: '', value: 'fe80::1', cidr: '' },
          ],
        },
      ],
      ingressAddresses: ['10.1.2.3'],
      egressSubnets: ['10.1.2.3/32'],
    };
    const m = model();
    const net = m.getBinding('database').network;
    expect(backend.calls.filter((c) => c[0] === 'jujuLog')).toEqual([]);
    expect(net.bindAddress).toBe('10.1.2.3');
    expect(net.ingressAddress).toBe('10.1.2.3');
    expect(net.interfaces.map((i) => [i.name, i.address, i.subnet])).toEqual([
      ['eth0', '10.1.2.3', '10.1.2.0/24'],
      ['eth0', 'fe80::1', 'fe80::1/128'],
    ]);
    expect(m.getBinding('database')).toBe(m.getBinding('database'));
    const dead = m.getRelation('database', 42);
    if (dead === null) throw new Error('no relation');
    expect(m.getBinding(dead).network.egressSubnets).toEqual(['10.1.2.3/32']);
    expect(backend.calls.filter((c) => c[0] === 'networkGet')).toEqual([
      ['networkGet', 'database', undefined],
      ['networkGet', 'database', 42],
      ['networkGet', 'database', undefined],
    ]);
  });

  it('logs addresses that are not IPs, as ops', () => {
    backend.network = {
      bindAddresses: [
        {
          macAddress: '',
          interfaceName: 'eth0',
          addresses: [{ hostname: '', value: 'foo.internal', cidr: '10.0.0.0/24' }],
        },
      ],
      ingressAddresses: ['foo.internal'],
      egressSubnets: [],
    };
    const net = model().getBinding('database').network;
    expect(net.bindAddress).toBe('foo.internal');
    expect(backend.calls.filter((c) => c[0] === 'jujuLog')).toEqual([
      ['jujuLog', 'DEBUG', 'could not cast foo.internal to IPv4/v6 address'],
      ['jujuLog', 'DEBUG', 'could not cast foo.internal to IPv4/v6 address'],
    ]);
  });

  it('cloud spec comes from credential-get', () => {
    const m = model();
    expect(() => m.getCloudSpec()).toThrow(ModelError);
    backend.cloud = {
      type: 'lxd',
      name: 'localhost',
      region: null,
      endpoint: null,
      identityEndpoint: null,
      storageEndpoint: null,
      credential: null,
      caCertificates: [],
      skipTlsVerify: false,
      isControllerCloud: true,
    };
    expect(m.getCloudSpec().type).toBe('lxd');
  });

  it('has the Juju default container socket path', () => {
    expect(defaultContainerSocketPath('web')).toBe('/charm/containers/web/pebble.socket');
  });
});

describe('cache invalidation', () => {
  it('re-reads after invalidate()', () => {
    backend.config = { 'server-port': 1 };
    const m = model();
    expect(m.config.get('server-port')).toBe(1);
    backend.config = { 'server-port': 2 };
    expect(m.config.get('server-port')).toBe(1);
    m.config.invalidate();
    expect(m.config.get('server-port')).toBe(2);
    const rel = m.getRelation('database');
    const bag = rel?.data.get('pg/0');
    expect(bag?.get('host')).toBe('10.0.0.1');
    const first = backend.relations[0];
    if (first) first.data['pg/0'] = { host: '10.0.0.9' };
    bag?.invalidate();
    expect(bag?.get('host')).toBe('10.0.0.9');
    backend.relations = [];
    m.relations.invalidate('database');
    expect(m.relations.get('database')).toEqual([]);
    expect(m.unit.status.name).toBe('maintenance');
    backend.unitStatus = { status: 'active', message: '' };
    m.unit.invalidate();
    expect(m.unit.status.name).toBe('active');
    backend.storages = { data: { 1: { kind: 'block', location: '/dev/sdb' } } };
    expect(m.storages.get('data').map((s) => s.index)).toEqual([1]);
    backend.storages = { data: {} };
    m.storages.invalidate('data');
    expect(m.storages.get('data')).toEqual([]);
  });
});
