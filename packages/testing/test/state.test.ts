import { ActiveStatus, UnknownStatus } from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import { StateValidationError } from '../src/errors.js';
import { EventFactories } from '../src/event.js';
import { CheckInfo, Container, Exec, Notice } from '../src/state/container.js';
import { DeferredEvent, ModelInfo, Port, Storage, StoredState } from '../src/state/misc.js';
import { Network } from '../src/state/network.js';
import {
  DEFAULT_JUJU_DATABAG,
  nextRelationId,
  PeerRelation,
  Relation,
  SubordinateRelation,
} from '../src/state/relation.js';
import { generateSecretId, Secret } from '../src/state/secret.js';
import { State } from '../src/state/state.js';

describe('State', () => {
  it('has Scenario defaults', () => {
    const state = new State();
    expect(state.leader).toBe(false);
    expect(state.config).toEqual({});
    expect(state.relations).toEqual([]);
    expect(state.plannedUnits).toBe(1);
    expect(state.unitStatus).toBeInstanceOf(UnknownStatus);
    expect(state.appStatus.name).toBe('unknown');
    expect(state.workloadVersion).toBe('');
    expect(state.model.type).toBe('kubernetes');
    expect(state.model.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is immutable and derives copies with with()', () => {
    const state = new State({ leader: true, config: { port: 80 } });
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(state.config)).toBe(true);
    expect(() => {
      (state as { leader: boolean }).leader = false;
    }).toThrow(TypeError);
    const next = state.with({ leader: false, unitStatus: new ActiveStatus('ok') });
    expect(next.leader).toBe(false);
    expect(next.config).toEqual({ port: 80 });
    expect(next.unitStatus.message).toBe('ok');
    expect(state.leader).toBe(true);
  });

  it('rejects config values of non-simple types', () => {
    expect(() => new State({ config: { bad: {} as unknown as string } })).toThrow(
      StateValidationError,
    );
  });

  it('finds its components and reports missing ones by name', () => {
    const db = new Relation({ endpoint: 'db', id: 11 });
    const peers = new PeerRelation({ endpoint: 'cluster', id: 12 });
    const container = new Container({ name: 'workload', canConnect: true });
    const secret = new Secret({ trackedContent: { password: 'x' }, label: 'pw' });
    const storage = new Storage({ name: 'data', index: 3 });
    const stored = new StoredState({ content: { seen: 1 } });
    const state = new State({
      relations: [db, peers],
      containers: [container],
      secrets: [secret],
      storages: [storage],
      storedStates: [stored],
    });
    expect(state.getRelation(11)).toBe(db);
    expect(state.getRelations('cluster')).toEqual([peers]);
    expect(state.getContainer('workload')).toBe(container);
    expect(state.getSecret({ label: 'pw' })).toBe(secret);
    expect(state.getSecret({ id: secret.id.replace('secret:', '') })).toBe(secret);
    expect(state.getStorage('data', 3)).toBe(storage);
    expect(state.getStoredState()).toBe(stored);
    expect(state.getNetwork('db').ingressAddresses).toEqual(['192.0.2.0']);
    expect(() => state.getRelation(99)).toThrow('State has no relation with id 99');
    expect(() => state.getContainer('nope')).toThrow("State has no container 'nope'");
    expect(() => state.getSecret({ label: 'x' })).toThrow("State has no secret with label 'x'");
    expect(() => state.getStorage('data', 0)).toThrow('State has no storage data/0');
    expect(() => state.getStoredState('other')).toThrow("State has no stored state 'other'");
  });
});

describe('relations', () => {
  it('allocate increasing ids and default the unit bags', () => {
    const next = nextRelationId(false);
    const a = new Relation({ endpoint: 'db' });
    const b = new Relation({ endpoint: 'db' });
    expect(a.id).toBe(next);
    expect(b.id).toBe(next + 1);
    expect(a.localUnitData).toEqual(DEFAULT_JUJU_DATABAG);
    expect(a.remoteAppName).toBe('remote');
    expect(a.remoteUnitIds).toEqual([0]);
    expect(a.getRemoteUnitData(0)).toEqual(DEFAULT_JUJU_DATABAG);
  });

  it('reject non-string bag values with the relation and key named', () => {
    expect(
      () =>
        new Relation({ endpoint: 'db', id: 5, localAppData: { port: 5432 as unknown as string } }),
    ).toThrow("relation 5 localAppData: value of key 'port' must be a string, got number");
  });

  it('model peers and subordinates', () => {
    const peers = new PeerRelation({ endpoint: 'cluster', peersData: { 1: { a: 'b' }, 2: {} } });
    expect(peers.kind).toBe('peer');
    expect(peers.remoteUnitIds).toEqual([1, 2]);
    const sub = new SubordinateRelation({
      endpoint: 'logging',
      remoteAppName: 'app',
      remoteUnitId: 4,
    });
    expect(sub.remoteUnitName).toBe('app/4');
    expect(sub.getRemoteUnitData(4)).toEqual(DEFAULT_JUJU_DATABAG);
    expect(sub.getRemoteUnitData(0)).toBeUndefined();
  });
});

describe('secrets', () => {
  it('generate Juju-shaped ids and track revisions', () => {
    expect(generateSecretId()).toMatch(/^secret:[0-9a-z]{20}$/);
    const s = new Secret({ trackedContent: { a: 'b' }, latestContent: { a: 'c' } });
    expect(s.trackedRevision).toBe(1);
    expect(s.latestRevision).toBe(2);
    expect(new Secret({ trackedContent: { a: 'b' } }).latestRevision).toBe(1);
  });

  it('reject empty content', () => {
    expect(() => new Secret({ trackedContent: {} })).toThrow(
      'Secret.trackedContent must not be empty; Juju requires at least one key',
    );
  });
});

describe('containers', () => {
  it('merge layers into a plan with override rules', () => {
    const c = new Container({
      name: 'workload',
      layers: {
        base: {
          services: {
            web: { override: 'replace', command: 'serve', environment: { A: '1' }, after: ['x'] },
          },
          checks: { up: { override: 'replace', level: 'alive', http: { url: 'http://x' } } },
        },
        extra: {
          services: {
            web: { override: 'merge', environment: { B: '2' }, after: ['y'] },
            other: { override: 'replace', command: 'other' },
          },
        },
        swap: { services: { other: { override: 'replace', command: 'new' } } },
      },
    });
    expect(c.plan.services).toEqual({
      web: { command: 'serve', environment: { A: '1', B: '2' }, after: ['x', 'y'] },
      other: { command: 'new' },
    });
    expect(c.plan.checks).toEqual({ up: { level: 'alive', http: { url: 'http://x' } } });
  });

  it('hold execs, notices and check infos', () => {
    const notice = new Notice({ key: 'example.com/a' });
    const check = new CheckInfo({ name: 'up', status: 'down', failures: 3 });
    const c = new Container({
      name: 'w',
      execs: [new Exec({ commandPrefix: ['ls'], stdout: 'a\n' })],
      notices: [notice],
      checkInfos: [check],
    });
    expect(c.canConnect).toBe(false);
    expect(c.execs[0]?.returnCode).toBe(0);
    expect(notice.type).toBe('custom');
    expect(c.getCheckInfo('up')).toBe(check);
    expect(() => c.getCheckInfo('x')).toThrow("container w has no check info named 'x'");
    expect(() => new Container({ name: '' })).toThrow(StateValidationError);
  });
});

describe('other components', () => {
  it('validate ports', () => {
    expect(Port.tcp(80)).toEqual(new Port({ protocol: 'tcp', port: 80 }));
    expect(Port.icmp().port).toBeUndefined();
    expect(() => new Port({ protocol: 'tcp' })).toThrow(
      'Port: tcp needs a port number between 1 and 65535, got undefined',
    );
    expect(() => new Port({ protocol: 'icmp', port: 1 })).toThrow(
      'Port: icmp takes no port number',
    );
  });

  it('name deferred events and networks', () => {
    const d = new DeferredEvent({
      handlePath: 'C/on/config_changed[3]',
      owner: 'C',
      observer: 'f',
    });
    expect(d.name).toBe('config_changed');
    const n = new Network({ bindingName: 'db', ingressAddresses: ['10.0.0.1'] });
    expect(n.bindAddresses[0]?.addresses[0]?.value).toBe('192.0.2.0');
    expect(new ModelInfo({ name: 'm', type: 'lxd' }).type).toBe('lxd');
    expect(new Storage({ name: 'data', index: 2 }).id).toBe('data/2');
  });
});

describe('State.fromContext', () => {
  it('fills a plausible state from the metadata, with overrides', async () => {
    const { sampleMeta } = await import('./helpers/meta.js');
    const meta = sampleMeta();
    const db = new Relation({ endpoint: 'db', remoteAppName: 'pg' });
    const state = State.fromContext(
      { meta },
      { relations: [db], config: { port: 1 }, leader: true },
    );
    expect(state.config).toEqual({ port: 1, debug: false, name: 'sample' });
    expect(state.getRelations('db')).toEqual([db]);
    expect(state.getRelations('cluster')[0]).toBeInstanceOf(PeerRelation);
    expect(state.getRelations('logging')[0]).toBeInstanceOf(SubordinateRelation);
    expect(state.getRelations('website')[0]?.interface).toBe('http');
    expect(state.getContainer('workload').canConnect).toBe(true);
    expect(state.storages.map((s) => s.name)).toEqual(['data']);
    expect(state.leader).toBe(true);
  });
});

describe('bags', () => {
  it('validate frozen bags too', () => {
    const frozen = Object.freeze({ port: 5432 }) as unknown as Record<string, string>;
    expect(() => new Relation({ endpoint: 'db', id: 77, remoteAppData: frozen })).toThrow(
      "relation 77 remoteAppData: value of key 'port' must be a string, got number",
    );
    const ok = Object.freeze({ a: 'b' });
    expect(new Relation({ endpoint: 'db', remoteAppData: ok }).remoteAppData).toBe(ok);
  });
});

describe('Juju names (as Scenario checks them)', () => {
  it('refuses endpoint, container, storage and action names Juju would refuse', () => {
    expect(() => new Relation({ endpoint: 'Db' })).toThrow("invalid relation endpoint name 'Db'");
    expect(new Relation({ endpoint: 'my_db-1' }).endpoint).toBe('my_db-1');
    expect(() => new Container({ name: 'my_container' })).toThrow(StateValidationError);
    expect(() => new Container({ name: 'a'.repeat(64) })).toThrow(StateValidationError);
    expect(new Container({ name: 'a'.repeat(63) }).name).toHaveLength(63);
    expect(() => new Storage({ name: 'data-1' })).toThrow("invalid storage name 'data-1'");
    expect(new Storage({ name: 'data-x1' }).name).toBe('data-x1');
    expect(() => new EventFactories().action('Do_It')).toThrow("invalid action name 'Do_It'");
  });
});
