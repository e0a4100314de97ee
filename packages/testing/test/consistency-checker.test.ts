import { describe, expect, it } from 'vitest';
import { resolveMeta } from '../src/charm-spec.js';
import { checkConsistency, findInconsistencies } from '../src/consistency-checker.js';
import { InconsistentScenarioError, StateValidationError } from '../src/errors.js';
import { EventFactories } from '../src/event.js';
import { CheckInfo, Container, Exec, Notice } from '../src/state/container.js';
import { ModelInfo, Resource, Storage, StoredState } from '../src/state/misc.js';
import { Network } from '../src/state/network.js';
import { PeerRelation, Relation, SubordinateRelation } from '../src/state/relation.js';
import { Secret } from '../src/state/secret.js';
import { State } from '../src/state/state.js';
import { sampleMeta } from './helpers/meta.js';

const on = new EventFactories();
const meta = sampleMeta();
const check = (state: State, event = on.start(), jujuVersion = '3.6.14') =>
  findInconsistencies({ state, event, meta, jujuVersion, unitId: 0 });

describe('consistency checker', () => {
  it('refuses extra bindings named as endpoints and warns on custom events, as Scenario', () => {
    // Scenario's endpoint/extra-binding clash is refused earlier, when the metadata is parsed.
    expect(() =>
      resolveMeta({
        meta: { name: 'u', requires: { db: { interface: 'pg' } }, 'extra-bindings': { db: null } },
      }),
    ).toThrow();
    const input = { state: new State(), jujuVersion: '3.6.14', unitId: 0 };
    expect(findInconsistencies({ ...input, meta, event: on.custom('my_event') }).warnings).toEqual([
      'my_event is a custom event: the checker cannot tell what it needs from the state.',
    ]);
  });

  it('rejects an untyped action parameter, as Scenario', () => {
    const untyped = resolveMeta({
      meta: { name: 'u', actions: { go: { params: { what: { description: 'no type' } } } } },
    });
    expect(
      findInconsistencies({
        state: new State(),
        event: on.action('go', { what: 'x' }),
        meta: untyped,
        jujuVersion: '3.6.14',
        unitId: 0,
      }).errors,
    ).toEqual(["param 'what' of action 'go' declares no type."]);
  });

  it('accepts a consistent state', () => {
    const db = new Relation({ endpoint: 'db' });
    const state = new State({
      config: {
        port: 1,
        ratio: 0.5,
        debug: true,
        name: 'x',
        password: 'secret:abcdefghij0123456789',
      },
      relations: [db, new PeerRelation({ endpoint: 'cluster' })],
      containers: [new Container({ name: 'workload', canConnect: true })],
    });
    expect(check(state, on.relationChanged(db, { remoteUnit: 0 }))).toEqual({
      errors: [],
      warnings: [],
    });
    expect(
      checkConsistency({ state, event: on.install(), meta, jujuVersion: '3.6.14', unitId: 0 }),
    ).toEqual([]);
  });

  it('rejects config keys not in metadata and values of the wrong type', () => {
    const result = check(
      new State({ config: { nope: 'x', port: '8080', ratio: 'x', debug: 1, password: 'pw' } }),
    );
    expect(result.errors).toEqual([
      "config option 'nope' is in State.config but not declared in config.yaml or charmcraft.yaml.",
      `config option 'port' should be of type int but is of type string ("8080").`,
      `config option 'ratio' should be of type float but is of type string ("x").`,
      "config option 'debug' should be of type boolean but is of type number (1).",
      "config option 'password': value 'pw' is not a secret id (secret:<20 characters of [0-9a-z]>).",
    ]);
    expect(check(new State({ config: { port: 1.5 } })).errors[0]).toBe(
      "config option 'port' should be of type int but is a float (1.5).",
    );
    expect(
      check(new State({ config: { password: 'secret:abcdefghij0123456789' } }), on.start(), '3.3.0')
        .errors[0],
    ).toMatch(/needs Juju 3.4 or later/);
  });

  it('rejects a relation event for a relation not in the state', () => {
    const db = new Relation({ endpoint: 'db', id: 77 });
    const result = check(new State(), on.relationChanged(db, { remoteUnit: 0 }));
    expect(result.errors).toEqual([
      'cannot run db_relation_changed: relation 77 is not in the state (pass the very Relation object that is in State.relations; one with the same id is not enough).',
    ]);
    const copy = new Relation({ endpoint: 'db', id: 77 });
    expect(check(new State({ relations: [copy] }), on.relationChanged(db)).errors).toHaveLength(1);
  });

  it('rejects undeclared endpoints, wrong relation shapes and duplicate ids', () => {
    const result = check(
      new State({
        relations: [
          new Relation({ endpoint: 'nope', id: 1 }),
          new Relation({ endpoint: 'cluster', id: 2 }),
          new Relation({ endpoint: 'logging', id: 3 }),
          new SubordinateRelation({ endpoint: 'db', id: 3 }),
          new PeerRelation({ endpoint: 'cluster', id: 4, peersData: { 0: {} } }),
        ],
      }),
    );
    expect(result.errors).toEqual([
      "relation endpoint 'nope' (relation 1) is not declared in the charm metadata.",
      "endpoint 'cluster' is a peer endpoint: relation 2 must be a PeerRelation, not a Relation.",
      "endpoint 'logging' has scope container: relation 3 must be a SubordinateRelation, not a Relation.",
      "endpoint 'db' is not container-scoped: relation 3 must not be a SubordinateRelation.",
      'duplicate relation id: 3 is used by more than one relation in the state.',
      "relation 4: peersData holds only the other units' bags, not the unit under test (unit 0); put this unit's data in localUnitData.",
    ]);
  });

  it('needs a remote unit for joined/changed/departed', () => {
    const lonely = new Relation({ endpoint: 'db', remoteUnitsData: {} });
    expect(check(new State({ relations: [lonely] }), on.relationJoined(lonely)).errors).toEqual([
      'db_relation_joined needs a remote unit and relation ' +
        lonely.id +
        ' has none: pass { remoteUnit }.',
    ]);
    const one = new Relation({ endpoint: 'db' });
    expect(check(new State({ relations: [one] }), on.relationChanged(one)).warnings).toEqual([
      'db_relation_changed uses remote unit 0 implicitly; pass { remoteUnit } to be explicit.',
    ]);
  });

  it('rejects a container event for a container not in metadata or state', () => {
    const ghost = new Container({ name: 'ghost', canConnect: true });
    const result = check(new State({ containers: [] }), on.pebbleReady(ghost));
    expect(result.errors).toEqual([
      "cannot run ghost_pebble_ready: container 'ghost' is not declared in the charm metadata.",
      "cannot run ghost_pebble_ready: container 'ghost' is not in the state (pass the very Container object that is in State.containers; one with the same name is not enough).",
    ]);
    const notConnected = new Container({ name: 'workload' });
    expect(
      check(new State({ containers: [notConnected] }), on.pebbleReady(notConnected)).warnings,
    ).toEqual([
      "workload_pebble_ready runs while container 'workload' cannot connect; this is unusual.",
    ]);
    expect(check(new State({ containers: [ghost] })).errors).toEqual([
      "container 'ghost' is in State.containers but not declared in the charm metadata.",
    ]);
  });

  it('checks notices, check infos and exec prefixes of containers', () => {
    const notice = new Notice({ key: 'a.com/x' });
    const info = new CheckInfo({ name: 'up' });
    const c = new Container({
      name: 'workload',
      canConnect: true,
      execs: [new Exec({ commandPrefix: ['ls'] }), new Exec({ commandPrefix: ['ls'] })],
      checkInfos: [new CheckInfo({ name: 'other' })],
      layers: { l: { checks: { up: { override: 'replace', threshold: 5, level: 'ready' } } } },
    });
    const state = new State({ containers: [c] });
    expect(check(state, on.pebbleCustomNotice(c, notice)).errors).toEqual([
      'container \'workload\' has duplicate exec command prefixes: ["ls"].',
      "container 'workload' has check info 'other' but the plan has only checks: up.",
      `cannot run workload_pebble_custom_notice: notice ${notice.id} ('a.com/x') is not in container 'workload'.`,
    ]);
    expect(check(state, on.pebbleCheckFailed(c, info)).errors).toContain(
      "cannot run workload_pebble_check_failed: check 'up' is not in container 'workload'.",
    );
    const mismatched = new Container({
      name: 'workload',
      checkInfos: [new CheckInfo({ name: 'up', level: 'alive' })],
      layers: { l: { checks: { up: { override: 'replace', threshold: 5, level: 'ready' } } } },
    });
    expect(check(new State({ containers: [mismatched] })).errors).toEqual([
      "container 'workload' check 'up': level 'alive' differs from the plan's 'ready'.",
      "container 'workload' check 'up': threshold 3 differs from the plan's 5.",
    ]);
  });

  it('checks storage, resources, networks, actions, secrets, cloud spec and stored state', () => {
    const storage = new Storage({ name: 'data', index: 0 });
    const errors = check(
      new State({
        storages: [
          storage,
          new Storage({ name: 'data', index: 0 }),
          new Storage({ name: 'cache' }),
        ],
        resources: [new Resource({ name: 'nope', path: '/x' })],
        networks: [
          new Network({ bindingName: 'logging' }),
          new Network({ bindingName: 'metrics' }),
        ],
        storedStates: [
          new StoredState({ content: {} }),
          new StoredState({ content: { d: new Date() as unknown as string } }),
        ],
        model: new ModelInfo({ cloudSpec: { type: 'k8s', name: 'c' } }),
      }),
      on.storageAttached(new Storage({ name: 'data', index: 0 })),
      '3.6.9',
    ).errors;
    expect(errors).toEqual([
      "resource 'nope' is in State.resources but not declared in the charm metadata.",
      'duplicate storage in the state: data/0 appears more than once.',
      "storage 'cache' is in State.storages but not declared in the charm metadata.",
      'cannot run data_storage_attached: storage data/0 is not in the state (pass the very Storage object that is in State.storages).',
      "network binding 'logging' in State.networks is not a relation endpoint or extra binding of the charm.",
      "a cloud spec needs Juju 3.6.10 or later on Kubernetes (Context juju version 3.6.9); or use a machine model (ModelInfo type 'lxd').",
      "the charm has more than one StoredState named '_stored'.",
      'StoredState <charm>._stored must hold only simple types (null, boolean, number, string, arrays and plain objects).',
    ]);
    expect(check(new State(), on.action('backup', { target: 1, extra: true })).errors).toEqual([
      "param 'target' of action 'backup' should be of type string but is integer (1).",
      "param 'extra' is not a parameter of action 'backup'.",
    ]);
    // As Scenario: a missing required param is not a consistency error.
    expect(check(new State(), on.action('backup', {})).errors).toEqual([]);
    expect(check(new State(), on.action('nope')).errors).toEqual([
      "action 'nope' is not declared in the charm metadata (actions.yaml).",
    ]);
    const secret = new Secret({ trackedContent: { a: 'b' } });
    expect(check(new State(), on.secretChanged(secret)).errors[0]).toMatch(
      /secret .* is not in the state/,
    );
    // As Scenario's factories: owner-only events reject an observed secret, secret-changed an owned one.
    expect(() => on.secretRotate(secret)).toThrow(StateValidationError);
    expect(() => on.secretExpired(secret, { revision: 1 })).toThrow(StateValidationError);
    expect(() => on.secretRemove(secret, { revision: 1 })).toThrow(StateValidationError);
    const owned = new Secret({ trackedContent: { a: 'b' }, owner: 'unit' });
    expect(() => on.secretChanged(owned)).toThrow(StateValidationError);
    // As Scenario: the Juju version is checked only for a secret event.
    expect(check(new State({ secrets: [secret] }), on.start(), '2.9.44').errors).toEqual([]);
    expect(
      check(new State({ secrets: [secret] }), on.secretChanged(secret), '2.9.44').errors,
    ).toEqual(['secrets need Juju 3.0 or later (Context juju version 2.9.44).']);
  });

  it('throws InconsistentScenarioError listing every error', () => {
    const run = () =>
      checkConsistency({
        state: new State({ config: { a: 1, b: 2 } }),
        event: on.start(),
        meta,
        jujuVersion: '3.6.14',
        unitId: 0,
      });
    expect(run).toThrow(InconsistentScenarioError);
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(InconsistentScenarioError);
      expect((error as InconsistentScenarioError).errors).toHaveLength(2);
      expect((error as Error).message).toMatch(
        /^Inconsistent scenario\. The following errors were found: config option 'a'/,
      );
    }
  });
});
