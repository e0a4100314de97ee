import {
  HookToolBackend,
  JujuContext,
  ModelError,
  RelationNotFoundError,
  SecretNotFoundError,
} from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import { EventFactories } from '../src/event.js';
import { buildEventEnv } from '../src/event-env.js';
import { runHookTool } from '../src/hook-tool-cli.js';
import { ModelInfo, Port, Resource, Storage } from '../src/state/misc.js';
import { PeerRelation, Relation } from '../src/state/relation.js';
import { Secret } from '../src/state/secret.js';
import { State } from '../src/state/state.js';
import { stateToWorld, worldToState } from '../src/state-world.js';
import { World } from '../src/world.js';
import { worldRunner } from '../src/world-runner.js';
import { sampleMeta } from './helpers/meta.js';

const meta = sampleMeta();
const on = new EventFactories();

/** The production backend of @opsjs/model, served by the simulated hook tools in-process. */
function realBackend(state: State, event = on.start()) {
  const world = new World(
    stateToWorld(
      state,
      meta,
      { unitName: 'sample/0', jujuVersion: '3.6.14' },
      event,
      (n, i) => `/srv/${n}/${i}`,
    ),
  );
  const env = buildEventEnv(
    event,
    state,
    { appName: 'sample', unitId: 0, jujuVersion: '3.6.14' },
    '/charm',
  );
  const backend = new HookToolBackend({
    context: JujuContext.fromEnv(env),
    runner: worldRunner(world),
    exit: () => {},
  });
  return { backend, world };
}

describe('simulated hook tools under the production HookToolBackend', () => {
  it('answer config, leadership and relation calls with the argv ops uses', () => {
    const db = new Relation({
      endpoint: 'db',
      id: 7,
      remoteAppName: 'pg',
      remoteAppData: { h: '1' },
    });
    const state = new State({
      config: { port: 1 },
      leader: true,
      relations: [db, new PeerRelation({ endpoint: 'cluster', id: 8 })],
    });
    const { backend, world } = realBackend(state);
    expect(backend.configGet()).toEqual({ port: 1, debug: false, name: 'sample' });
    expect(backend.isLeader()).toBe(true);
    expect(backend.relationIds('db')).toEqual([7]);
    expect(backend.relationList(7, 'db')).toEqual(['pg/0']);
    expect(backend.relationRemoteApp(7, 'db')).toBe('pg');
    expect(backend.relationGet(7, 'pg', true, 'db')).toEqual({ h: '1' });
    backend.relationSet(7, { a: 'b' }, true, 'db');
    backend.relationSet(7, { 'ingress-address': '' }, false, 'db');
    expect(world.data.calls).toEqual([
      ['config-get', '--format=json'],
      ['is-leader', '--format=json'],
      ['relation-ids', 'db', '--format=json'],
      ['relation-list', '--format=json', '-r', 'db:7'],
      ['relation-list', '--format=json', '--app', '-r', 'db:7'],
      ['relation-get', '--format=json', '-r', 'db:7', '--app', '-', 'pg'],
      ['relation-set', '-r', 'db:7', '--app', '--file', '-'],
      ['relation-set', '-r', 'db:7', '--file', '-'],
    ]);
    const out = worldToState(world.data, state).getRelation(7);
    expect(out.localAppData).toEqual({ a: 'b' });
    expect(out.localUnitData).not.toHaveProperty('ingress-address');
    expect(() => backend.relationList(99, 'db')).toThrow(RelationNotFoundError);
    expect(backend.relationRemoteApp(99, 'db')).toBeNull();
  });

  it('map failures to the same errors and log authz failures as ops does', () => {
    const { backend, world } = realBackend(
      new State({ relations: [new Relation({ endpoint: 'db', id: 1 })] }),
    );
    expect(() => backend.relationSet(1, { a: 'b' }, true, 'db')).toThrow(
      'ERROR cannot write relation settings',
    );
    const trace = world.data.jujuLog.find((l) => l.level === 'TRACE');
    expect(trace?.message).toContain('"event": "authz_fail:relation-set"');
    expect(() => backend.secretGet({ label: 'nope' })).toThrow(SecretNotFoundError);
    expect(() => backend.statusGet(true)).toThrow(ModelError);
  });

  it('serve statuses, versions, logs, ports, storage, networks and resources', () => {
    const state = new State({
      leader: true,
      storages: [new Storage({ name: 'data', index: 0 })],
      openedPorts: [Port.tcp(22)],
      resources: [new Resource({ name: 'config-file', path: '/r/app.conf' })],
      plannedUnits: 2,
      model: new ModelInfo({ type: 'lxd', cloudSpec: { type: 'lxd', name: 'home' } }),
    });
    const { backend, world } = realBackend(state);
    backend.statusSet('active', 'ready', false);
    backend.statusSet('waiting', '', true);
    expect(backend.statusGet(false)).toEqual({ status: 'active', message: 'ready' });
    expect(backend.statusGet(true)).toEqual({ status: 'waiting', message: '' });
    backend.applicationVersionSet('-v1');
    backend.jujuLog('DEBUG', '-dash');
    backend.openPort('tcp', 8080);
    backend.closePort('tcp', 22);
    backend.openPort('icmp');
    expect(backend.openedPorts()).toEqual([
      { protocol: 'tcp', port: 8080, toPort: null },
      { protocol: 'icmp', port: null, toPort: null },
    ]);
    expect(backend.storageList('data')).toEqual([0]);
    expect(backend.storageGet('data/0')).toEqual({ kind: 'filesystem', location: '/srv/data/0' });
    backend.storageAdd('data', 2);
    expect(backend.networkGet('db').ingressAddresses).toEqual(['192.0.2.0']);
    expect(backend.resourceGet('config-file')).toBe('/r/app.conf');
    expect(Object.keys(backend.goalState().units)).toHaveLength(2);
    expect(backend.credentialGet()).toMatchObject({ type: 'lxd', name: 'home' });
    backend.stateSet({ 'a/b': 'x: 1' });
    expect(backend.stateGet('a/b')).toBe('x: 1\n');
    backend.stateDelete('a/b');
    expect(backend.stateGet('a/b')).toBeNull();
    const out = worldToState(world.data, state);
    expect(out.unitStatus.message).toBe('ready');
    expect(out.appStatus.name).toBe('waiting');
    expect(out.workloadVersion).toBe('-v1');
    expect(out.openedPorts).toEqual([Port.tcp(8080), Port.icmp()]);
    expect(world.data.storageRequests).toEqual({ data: 2 });
    expect(world.data.jujuLog).toContainEqual({ level: 'DEBUG', message: '-dash' });
  });

  it('run actions and secrets end to end', () => {
    const owned = new Secret({ trackedContent: { k: 'v' }, owner: 'unit', label: 'mine' });
    const { backend, world } = realBackend(
      new State({
        secrets: [owned],
        relations: [new Relation({ endpoint: 'db', id: 2, remoteAppName: 'pg' })],
      }),
      on.action('backup', { target: '/b' }),
    );
    expect(backend.actionGet()).toEqual({ target: '/b', compress: true });
    backend.actionSet({ a: { b: 1 }, ok: true });
    backend.actionLog('step');
    backend.actionFail('bad');
    expect(world.data.action).toMatchObject({
      results: { 'a.b': '1', ok: 'True' },
      logs: ['step'],
      failed: true,
      failureMessage: 'bad',
    });
    expect(backend.secretGet({ label: 'mine' })).toEqual({ k: 'v' });
    backend.secretSet(owned.id, { content: { k: 'w' } });
    expect(backend.secretGet({ id: owned.id, refresh: true })).toEqual({ k: 'w' });
    const info = backend.secretInfoGet({ label: 'mine' });
    expect(info).toMatchObject({ label: 'mine', revision: 2, owner: 'unit' });
    const id = backend.secretAdd(
      { token: 'abc' },
      { owner: 'unit', description: 'd', rotate: 'daily' },
    );
    expect(backend.secretGet({ id })).toEqual({ token: 'abc' });
    backend.secretGrant(id, 2);
    backend.secretRevoke(id, 2, 'pg/0');
    backend.secretRemove(owned.id, 1);
    expect(backend.secretIds()).toHaveLength(2);
    const secretCalls = world.data.calls.filter((c) => c[0] === 'secret-add');
    expect(secretCalls[0]?.some((a) => a.includes('abc'))).toBe(false);
  });

  it('report an unknown tool as a usage error', () => {
    const world = new World(
      stateToWorld(
        new State(),
        meta,
        { unitName: 'a/0', jujuVersion: '3.6.0' },
        undefined,
        () => '',
      ),
    );
    expect(runHookTool(world, 'leader-get', [], () => '')).toEqual({
      stdout: '',
      stderr: 'ERROR unknown hook tool "leader-get"\n',
      exitCode: 2,
    });
  });
});
