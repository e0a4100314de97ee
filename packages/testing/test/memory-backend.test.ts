import { ActiveStatus, ModelError, RelationNotFoundError, SecretNotFoundError } from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import { EventFactories } from '../src/event.js';
import { MemoryBackend } from '../src/memory-backend.js';
import { ModelInfo, Port, Resource, Storage } from '../src/state/misc.js';
import { Network } from '../src/state/network.js';
import { PeerRelation, Relation } from '../src/state/relation.js';
import { Secret } from '../src/state/secret.js';
import { State } from '../src/state/state.js';
import { stateToWorld, worldToState } from '../src/state-world.js';
import { World } from '../src/world.js';
import { sampleMeta } from './helpers/meta.js';

const meta = sampleMeta();
const on = new EventFactories();

function backendFor(state: State, event = on.start()) {
  const world = new World(
    stateToWorld(
      state,
      meta,
      { unitName: 'sample/0', jujuVersion: '3.6.14' },
      event,
      (n, i) => `/srv/${n}/${i}`,
    ),
  );
  return { backend: new MemoryBackend(world), world };
}

describe('MemoryBackend', () => {
  it('serves config with metadata defaults, leadership and model data', () => {
    const { backend } = backendFor(new State({ config: { port: 9 }, leader: true }));
    expect(backend.configGet()).toEqual({ port: 9, debug: false, name: 'sample' });
    expect(backend.isLeader()).toBe(true);
    expect(backend.calls).toEqual([['configGet'], ['isLeader']]);
  });

  it('serves relations and their bags, and writes local bags', () => {
    const db = new Relation({
      endpoint: 'db',
      id: 3,
      remoteAppName: 'pg',
      remoteAppData: { host: 'h' },
      remoteUnitsData: { 0: { u: '0' }, 1: { u: '1' } },
    });
    const peers = new PeerRelation({ endpoint: 'cluster', id: 4, peersData: { 1: { p: '1' } } });
    const state = new State({ relations: [db, peers], leader: true });
    const { backend, world } = backendFor(state);
    expect(backend.relationIds('db')).toEqual([3]);
    expect(backend.relationList(3)).toEqual(['pg/0', 'pg/1']);
    expect(backend.relationList(4)).toEqual(['sample/1']);
    expect(backend.relationRemoteApp(3)).toBe('pg');
    expect(backend.relationRemoteApp(99)).toBeNull();
    expect(backend.relationGet(3, 'pg', true)).toEqual({ host: 'h' });
    expect(backend.relationGet(3, 'pg/1', false)).toEqual({ u: '1' });
    backend.relationSet(3, { a: '1', 'ingress-address': '' }, false);
    backend.relationSet(3, { app: 'yes' }, true);
    expect(() => backend.relationSet(3, {}, false)).toThrow(
      'at least one key:value pair is required for relation-set',
    );
    const out = worldToState(world.data, state);
    const outDb = out.getRelation(3);
    expect(outDb.localUnitData).toEqual({
      a: '1',
      'egress-subnets': '192.0.2.0',
      'private-address': '192.0.2.0',
    });
    expect(outDb.localAppData).toEqual({ app: 'yes' });
    expect(db.localAppData).toEqual({});
  });

  it('raises the same error classes as the hook-tool backend', () => {
    const { backend } = backendFor(
      new State({ leader: false, relations: [new Relation({ endpoint: 'db', id: 1 })] }),
    );
    expect(() => backend.relationList(42)).toThrow(RelationNotFoundError);
    expect(() => backend.relationGet(42, 'x', false)).toThrow(
      'ERROR invalid value "42" for option -r: relation not found',
    );
    expect(() => backend.relationSet(1, { a: 'b' }, true)).toThrow(
      'ERROR cannot write relation settings',
    );
    expect(() => backend.statusGet(true)).toThrow(ModelError);
    expect(() => backend.secretGet({ id: 'secret:nope' })).toThrow(SecretNotFoundError);
    expect(() => backend.actionGet()).toThrow('ERROR not running an action');
    expect(() => backend.networkGet('nope')).toThrow(
      'ERROR no network config found for binding "nope"',
    );
    expect(() => backend.resourceGet('nope')).toThrow(ModelError);
    try {
      backend.relationList(42);
    } catch (error) {
      expect((error as ModelError).hookTool).toBe('relation-list');
      expect((error as ModelError).exitCode).toBe(2);
    }
  });

  it('records statuses with their history and the workload version', () => {
    const state = new State({ leader: true, unitStatus: new ActiveStatus('before') });
    const { backend, world } = backendFor(state);
    backend.statusSet('maintenance', 'working', false);
    backend.statusSet('active', '', false);
    backend.statusSet('blocked', 'app', true);
    expect(() => backend.statusSet('error' as 'active', '', false)).toThrow(
      'ERROR invalid status "error", expected one of [maintenance, blocked, waiting, active]',
    );
    backend.applicationVersionSet('1.2');
    expect(backend.statusGet(false)).toEqual({ status: 'active', message: '' });
    expect(world.data.unitStatusHistory).toEqual([
      { status: 'active', message: 'before' },
      { status: 'maintenance', message: 'working' },
    ]);
    const out = worldToState(world.data, state);
    expect(out.unitStatus.name).toBe('active');
    expect(out.appStatus).toEqual(expect.objectContaining({ name: 'blocked', message: 'app' }));
    expect(out.workloadVersion).toBe('1.2');
  });

  it('runs actions: params with defaults, results, logs and failure', () => {
    const { backend, world } = backendFor(new State(), on.action('backup', { target: '/x' }, '7'));
    expect(backend.actionGet()).toEqual({ compress: true, target: '/x' });
    backend.actionSet({ out: { size: 3 }, ok: true });
    backend.actionLog('halfway');
    backend.actionFail('nope');
    expect(world.data.action).toMatchObject({
      id: '7',
      results: { 'out.size': 3, ok: true },
      logs: ['halfway'],
      failed: true,
      failureMessage: 'nope',
    });
    expect(backend.actionResults).toEqual({ out: { size: 3 }, ok: true });
  });

  it('manages secrets with revisions, grants, owners and labels', () => {
    const observed = new Secret({
      trackedContent: { a: '1' },
      latestContent: { a: '2' },
      label: 'obs',
    });
    const owned = new Secret({ trackedContent: { k: 'v' }, owner: 'app' });
    const db = new Relation({ endpoint: 'db', id: 9, remoteAppName: 'pg' });
    const state = new State({ secrets: [observed, owned], relations: [db], leader: true });
    const { backend, world } = backendFor(state);
    expect(backend.secretGet({ label: 'obs' })).toEqual({ a: '1' });
    expect(backend.secretGet({ id: observed.id, peek: true })).toEqual({ a: '2' });
    expect(backend.secretGet({ id: observed.id })).toEqual({ a: '1' });
    expect(backend.secretGet({ id: observed.id, refresh: true })).toEqual({ a: '2' });
    expect(backend.secretGet({ id: observed.id })).toEqual({ a: '2' });
    expect(() => backend.secretSet(observed.id, { content: { a: '3' } })).toThrow(
      'ERROR permission denied',
    );
    backend.secretSet(owned.id, { content: { k: 'w' }, description: 'd' });
    backend.secretGrant(owned.id, 9);
    backend.secretGrant(owned.id, 9, 'pg/0');
    backend.secretRevoke(owned.id, 9);
    const info = backend.secretInfoGet({ id: owned.id });
    expect(info).toMatchObject({
      id: owned.uniqueId,
      revision: 2,
      owner: 'application',
      description: 'd',
    });
    const added = backend.secretAdd(
      { x: 'y' },
      { owner: 'unit', label: 'mine', expire: new Date('2030-01-01T00:00:00Z') },
    );
    expect(added).toMatch(/^secret:[0-9a-z]{20}$/);
    expect(backend.secretInfoGet({ label: 'mine' })).toMatchObject({
      owner: 'unit',
      expiry: new Date('2030-01-01T00:00:00Z'),
    });
    expect(backend.secretIds()).toHaveLength(2);
    backend.secretRemove(owned.id, 1);
    const out = worldToState(world.data, state);
    expect(out.getSecret({ id: owned.id })).toMatchObject({
      latestContent: { k: 'w' },
      latestRevision: 2,
      remoteGrants: { 9: ['pg/0'] },
      description: 'd',
    });
    expect(out.getSecret({ label: 'mine' }).owner).toBe('unit');
    expect(out.getSecret({ label: 'obs' }).trackedRevision).toBe(2);
    backend.secretRemove(added);
    expect(worldToState(world.data, state).secrets).toHaveLength(2);
  });

  it('gives app-owned secrets to the leader only', () => {
    const owned = new Secret({ trackedContent: { k: 'v' }, owner: 'app' });
    const { backend } = backendFor(new State({ secrets: [owned] }));
    expect(() => backend.secretSet(owned.id, { label: 'x' })).toThrow(
      'ERROR this unit is not the leader',
    );
    expect(() => backend.secretAdd({ a: 'b' }, { owner: 'application' })).toThrow(ModelError);
  });

  it('serves storage, networks, ports, resources, goal state, credentials and controller state', () => {
    const state = new State({
      storages: [new Storage({ name: 'data', index: 1 })],
      networks: [new Network({ bindingName: 'db', ingressAddresses: ['10.1.1.1'] })],
      openedPorts: [Port.tcp(80)],
      resources: [new Resource({ name: 'config-file', path: '/tmp/app.conf' })],
      plannedUnits: 3,
      model: new ModelInfo({
        type: 'lxd',
        cloudSpec: {
          type: 'lxd',
          name: 'localhost',
          credential: { authType: 'certificate', attributes: { a: 'b' } },
        },
      }),
    });
    const { backend, world } = backendFor(state);
    expect(backend.storageList('data')).toEqual([1]);
    expect(backend.storageGet('data/1')).toEqual({ kind: 'filesystem', location: '/srv/data/1' });
    expect(() => backend.storageGet('data/7')).toThrow('storage not found');
    backend.storageAdd('data', 2);
    expect(world.data.storageRequests).toEqual({ data: 2 });
    expect(backend.networkGet('db').ingressAddresses).toEqual(['10.1.1.1']);
    expect(backend.networkGet('metrics').bindAddresses[0]?.addresses[0]?.value).toBe('192.0.2.0');
    backend.openPort('UDP', 53);
    backend.openPort('icmp');
    backend.closePort('tcp', 80);
    expect(backend.openedPorts()).toEqual([
      { protocol: 'udp', port: 53, toPort: null },
      { protocol: 'icmp', port: null, toPort: null },
    ]);
    expect(worldToState(world.data, state).openedPorts).toEqual([Port.udp(53), Port.icmp()]);
    expect(backend.resourceGet('config-file')).toBe('/tmp/app.conf');
    expect(Object.keys(backend.goalState().units)).toEqual(['sample/0', 'sample/1', 'sample/2']);
    expect(backend.credentialGet()).toMatchObject({
      type: 'lxd',
      credential: { authType: 'certificate', attributes: { a: 'b' } },
    });
    expect(backend.stateGet('k')).toBeNull();
    backend.stateSet({ k: 'v' });
    expect(backend.stateGet('k')).toBe('v');
    backend.stateDelete('k');
    expect(backend.stateGet('k')).toBeNull();
    backend.jujuLog('INFO', 'hello');
    backend.reboot(false);
    expect(world.data.jujuLog).toEqual([{ level: 'INFO', message: 'hello' }]);
    expect(world.data.rebootRequested).toBe('later');
  });
});

describe('MemoryBackend.forState', () => {
  it('backs a hand-built Model and reads its changes back into a State', async () => {
    const { Model } = await import('@opsjs/model');
    const db = new Relation({ endpoint: 'db', id: 21, remoteAppName: 'pg' });
    const input = new State({ relations: [db], leader: true });
    const backend = MemoryBackend.forState(input, meta);
    const model = new Model({ meta, backend, unitName: 'sample/0' });
    model.unit.status = new ActiveStatus('by hand');
    model.getRelation('db')?.data.get(model.app).set('k', 'v');
    const out = backend.outputState();
    expect(out.unitStatus).toEqual(new ActiveStatus('by hand'));
    expect(out.getRelation(21).localAppData).toEqual({ k: 'v' });
    expect(() => new MemoryBackend(backend.world).outputState()).toThrow(
      'outputState needs the input state',
    );
  });
});
