import {
  ActiveStatus,
  BlockedStatus,
  MaintenanceStatus,
  Secret,
  WaitingStatus,
} from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CharmBase } from '../src/charm.js';
import {
  type ActionEvent,
  type CollectStatusEvent,
  ConfigChangedEvent,
  type HookEvent,
  type PebbleCheckFailedEvent,
  type PebbleCustomNoticeEvent,
  type PebbleReadyEvent,
  type RelationDepartedEvent,
  type RelationEvent,
  type SecretChangedEvent,
  type SecretExpiredEvent,
  type SecretRotateEvent,
  type StorageAttachedEvent,
} from '../src/charm-events.js';
import { runDispatch } from '../src/dispatch.js';
import { DeferError } from '../src/errors.js';
import type { EventBase, Framework } from '../src/framework.js';
import { Logger } from '../src/logger.js';
import { ControllerStateStore } from '../src/storage/controller-state-store.js';
import { StoredState } from '../src/stored-state.js';
import { context, dispatch, meta } from './helpers/dispatch.js';
import { FakeBackend } from './helpers/fake-backend.js';

/** Records every event it sees; behaviour is steered through static fields. */
class RecordingCharm extends CharmBase {
  static seen: string[] = [];
  static deferKinds = new Set<string>();
  static throwOn: string | undefined;
  readonly state = new StoredState(this, 'state', { events: 0 });

  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.install, this.onAny);
    this.observe(this.on.start, this.onAny);
    this.observe(this.on.configChanged, this.onAny);
    this.observe(this.on.updateStatus, this.onAny);
    this.observe(this.on.stop, this.onAny);
    this.observe(this.on.remove, this.onAny);
  }

  onAny(event: EventBase): void {
    RecordingCharm.seen.push(event.handle.path);
    this.state.data.events += 1;
    if (RecordingCharm.throwOn === event.handle.kind)
      throw new Error(`failing ${event.handle.kind}`);
    if (RecordingCharm.deferKinds.has(event.handle.kind)) event.defer();
  }
}

function reset(): void {
  RecordingCharm.seen = [];
  RecordingCharm.deferKinds = new Set();
  RecordingCharm.throwOn = undefined;
}

describe('CharmBase', () => {
  it('defines the events of its metadata', async () => {
    reset();
    const run = await dispatch(RecordingCharm, 'hooks/install');
    const charm = run.charm as RecordingCharm;
    expect(charm.handle.path).toBe('RecordingCharm');
    expect(charm.on.handle.path).toBe('RecordingCharm/on');
    expect(charm.on.dbRelationChanged?.kind).toBe('db_relation_changed');
    expect(charm.on.demoPeersRelationJoined?.kind).toBe('demo_peers_relation_joined');
    expect(charm.on.dataStorageAttached?.kind).toBe('data_storage_attached');
    expect(charm.on.webPebbleReady?.kind).toBe('web_pebble_ready');
    expect(charm.on.webPebbleCheckRecovered?.kind).toBe('web_pebble_check_recovered');
    expect(charm.on.backupAction?.kind).toBe('backup_action');
    expect(charm.on.getInfoAction?.kind).toBe('get_info_action');
    expect([...charm.on.prefixed('demo-peers').keys()]).toContain('relation_broken');
    expect(charm.app.name).toBe('demo');
    expect(charm.unit.name).toBe('demo/0');
    expect(charm.meta.name).toBe('demo');
    expect(charm.charmDir).toBe('/charm');
    expect(charm.config.get('port')).toBe(undefined);
  });

  it('runs install, config-changed and start across dispatches', async () => {
    reset();
    let committed: Awaited<ReturnType<typeof dispatch>>['store']['committed'] | undefined;
    for (const hook of ['install', 'config-changed', 'start']) {
      const run = await dispatch(RecordingCharm, `hooks/${hook}`, { committed });
      expect(run.exitCode).toBe(0);
      expect(run.committed).toBe(true);
      expect(run.logs).toContainEqual(['DEBUG', `Emitting Juju event ${hook.replace('-', '_')}.`]);
      committed = run.store.committed;
    }
    expect(RecordingCharm.seen).toEqual([
      'RecordingCharm/on/install[1]',
      'RecordingCharm/on/config_changed[5]',
      'RecordingCharm/on/start[9]',
    ]);
    expect(committed?.snapshots['RecordingCharm/StoredStateData[state]']).toEqual({ events: 3 });
  });

  it('follows the deferral worked example of juju-contract §4.4', async () => {
    reset();
    RecordingCharm.deferKinds.add('config_changed');
    const start = { snapshots: { 'StoredStateData[_stored]': { event_count: 2 } }, notices: [] };
    const d1 = await dispatch(RecordingCharm, 'hooks/config-changed', { committed: start });
    expect(d1.store.committed.notices).toEqual([
      {
        eventPath: 'RecordingCharm/on/config_changed[3]',
        observerPath: 'RecordingCharm',
        methodName: 'onAny',
      },
    ]);
    expect(d1.store.committed.snapshots['StoredStateData[_stored]']).toEqual({ event_count: 6 });

    const d2 = await dispatch(RecordingCharm, 'hooks/update-status', {
      committed: d1.store.committed,
    });
    expect(d2.logs).toContainEqual([
      'DEBUG',
      'Re-emitting deferred event <ConfigChangedEvent via RecordingCharm/on/config_changed[3]> (1 of 1 in queue).',
    ]);
    const d2Logs = d2.logs.map(([, m]) => m);
    expect(d2Logs.indexOf('Emitting Juju event update_status.')).toBeGreaterThan(
      d2Logs.findIndex((m) => m.startsWith('Re-emitting')),
    );

    RecordingCharm.deferKinds.clear();
    const d3 = await dispatch(RecordingCharm, 'hooks/config-changed', {
      committed: d2.store.committed,
    });
    expect(d3.store.committed.notices).toEqual([]);
    expect(RecordingCharm.seen).toEqual([
      'RecordingCharm/on/config_changed[3]',
      'RecordingCharm/on/config_changed[3]',
      'RecordingCharm/on/update_status[7]',
      'RecordingCharm/on/config_changed[3]',
      'RecordingCharm/on/config_changed[11]',
    ]);
  });

  it('skips a Juju event identical to one still deferred for the same handler', async () => {
    reset();
    RecordingCharm.deferKinds.add('config_changed');
    const d1 = await dispatch(RecordingCharm, 'hooks/config-changed');
    const d2 = await dispatch(RecordingCharm, 'hooks/config-changed', {
      committed: d1.store.committed,
    });
    expect(RecordingCharm.seen).toEqual([
      'RecordingCharm/on/config_changed[1]',
      'RecordingCharm/on/config_changed[1]',
    ]);
    expect(d2.logs).toContainEqual([
      'INFO',
      'Skipping notice (RecordingCharm/on/config_changed[5]/RecordingCharm/onAny) - already in the queue.',
    ]);
  });

  it('ignores an event the charm does not define, but still commits', async () => {
    reset();
    const run = await dispatch(RecordingCharm, 'hooks/my-custom-thing');
    expect(run.exitCode).toBe(0);
    expect(run.emitted).toBe(false);
    expect(run.committed).toBe(true);
    expect(run.logs).toContainEqual([
      'DEBUG',
      'Event my_custom_thing not defined for <RecordingCharm>.',
    ]);
  });

  it('logs an uncaught error with its stack, exits 1 and commits nothing', async () => {
    reset();
    RecordingCharm.throwOn = 'install';
    const run = await dispatch(RecordingCharm, 'hooks/install');
    expect(run.exitCode).toBe(1);
    expect(run.committed).toBe(false);
    expect(run.store.committed).toEqual({ snapshots: {}, notices: [] });
    const error = run.logs.find(([level]) => level === 'ERROR');
    expect(error?.[1]).toMatch(
      /^Uncaught exception while in charm code:\nError: failing install\n\s+at /,
    );
    const trace = run.backend.logs.find(([level]) => level === 'TRACE');
    expect(JSON.parse(trace?.[1] ?? '{}')).toMatchObject({
      level: 'WARN',
      type: 'security',
      appid: 'cdac5656-2423-4388-8f30-41854b4cca7d-demo/0',
      event: 'sys_crash:Error',
      description: "Uncaught exception in charm code: Error('failing install').",
    });
  });

  it('keeps the store as it was when a deferred event throws on re-emission', async () => {
    reset();
    RecordingCharm.deferKinds.add('config_changed');
    const d1 = await dispatch(RecordingCharm, 'hooks/config-changed');
    RecordingCharm.throwOn = 'config_changed';
    const d2 = await dispatch(RecordingCharm, 'hooks/update-status', {
      committed: d1.store.committed,
    });
    expect(d2.exitCode).toBe(1);
    expect(d2.store.committed).toBe(d1.store.committed);
    expect(RecordingCharm.seen).not.toContain('RecordingCharm/on/update_status[5]');
  });

  it('handles a dispatch path that names no event as ops does: not defined, exit 0', async () => {
    reset();
    // ops `_Dispatcher._set_name_from_path` takes any last path component as the event name.
    const dotted = await dispatch(RecordingCharm, 'hooks/foo.bar');
    expect(dotted.exitCode).toBe(0);
    expect(dotted.eventName).toBe('foo.bar');
    expect(dotted.emitted).toBe(false);
    expect(dotted.committed).toBe(true);
    expect(dotted.logs).toContainEqual([
      'DEBUG',
      'Event foo.bar not defined for <RecordingCharm>.',
    ]);
    const empty = await dispatch(RecordingCharm, '');
    expect(empty.exitCode).toBe(0);
    expect(empty.logs).toContainEqual(['DEBUG', 'Event  not defined for <RecordingCharm>.']);
    const action = await dispatch(RecordingCharm, 'actions//get-info/');
    expect(action.eventName).toBe('get_info_action');
  });

  it('refuses to defer stop and remove', async () => {
    reset();
    RecordingCharm.deferKinds.add('stop');
    RecordingCharm.deferKinds.add('remove');
    const run = await dispatch(RecordingCharm, 'hooks/stop');
    expect(run.exitCode).toBe(1);
    expect(run.error).toBeInstanceOf(DeferError);
    const remove = await dispatch(RecordingCharm, 'hooks/remove');
    expect(String(remove.error)).toContain('cannot defer remove events');
    expect(remove.error).toHaveProperty('eventPath', 'RecordingCharm/on/remove[1]');
  });
});

class StatusCharm extends CharmBase {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.collectUnitStatus, this.onUnit);
    this.observe(this.on.collectUnitStatus, this.onUnitToo);
    this.observe(this.on.collectAppStatus, this.onApp);
  }
  onUnit(event: CollectStatusEvent): void {
    event.addStatus(new ActiveStatus());
    event.addStatus(new WaitingStatus('first waiting'));
  }
  onUnitToo(event: CollectStatusEvent): void {
    event.addStatus(new WaitingStatus('second waiting'));
    event.addStatus(new MaintenanceStatus('busy'));
  }
  onApp(event: CollectStatusEvent): void {
    event.addStatus(new BlockedStatus('need db'));
    expect(() => event.defer()).toThrow(DeferError);
  }
}

describe('collect-status', () => {
  it('sets the highest-priority status; the app one only on the leader', async () => {
    const backend = new FakeBackend();
    backend.leader = true;
    await dispatch(StatusCharm, 'hooks/update-status', { backend });
    expect(backend.calls).toEqual([
      'is-leader',
      'status-set app blocked need db',
      'status-set unit maintenance busy',
    ]);
    const follower = new FakeBackend();
    await dispatch(StatusCharm, 'hooks/update-status', { backend: follower });
    expect(follower.calls).toEqual(['is-leader', 'status-set unit maintenance busy']);
  });

  it("logs each non-active status with ops' repr (Adding unit status WaitingStatus('first waiting'))", async () => {
    const backend = new FakeBackend();
    backend.leader = true;
    const run = await dispatch(StatusCharm, 'hooks/update-status', { backend });
    const adding = run.logs.filter(([, m]) => m.startsWith('Adding '));
    expect(adding).toEqual([
      ['DEBUG', "Adding app status BlockedStatus('need db')"],
      ['DEBUG', "Adding unit status WaitingStatus('first waiting')"],
      ['DEBUG', "Adding unit status WaitingStatus('second waiting')"],
      ['DEBUG', "Adding unit status MaintenanceStatus('busy')"],
    ]);
  });

  it('sets nothing when nobody adds a status, and rejects unsettable ones', async () => {
    const backend = new FakeBackend();
    await dispatch(RecordingCharm, 'hooks/update-status', { backend });
    expect(backend.calls).toEqual(['is-leader']);

    class BadStatus extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.collectUnitStatus, this.onUnit);
      }
      onUnit(event: CollectStatusEvent): void {
        event.addStatus(
          new (class extends ActiveStatus {
            // @ts-expect-error -- a status a charm cannot set, built on purpose
            override readonly name = 'error';
          })(),
        );
      }
    }
    const run = await dispatch(BadStatus, 'hooks/update-status');
    expect(String(run.error)).toContain(
      "status.name must be in ('active', 'blocked', 'maintenance', 'waiting'), not 'error'",
    );
  });

  it('is skipped in a restricted context, as is re-emission', async () => {
    reset();
    RecordingCharm.deferKinds.add('config_changed');
    const d1 = await dispatch(RecordingCharm, 'hooks/config-changed');
    const backend = new FakeBackend();
    const run = await dispatch(RecordingCharm, 'hooks/collect-metrics', {
      backend,
      committed: d1.store.committed,
    });
    expect(run.exitCode).toBe(0);
    expect(backend.calls).toEqual([]);
    expect(RecordingCharm.seen).toEqual(['RecordingCharm/on/config_changed[1]']);
  });
});

class RelationCharm extends CharmBase {
  static seen: string[] = [];
  static deferIt = false;
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.dbRelationChanged, this.onDb);
    this.observe(this.on.dbRelationDeparted, this.onDeparted);
  }
  onDb(event: RelationEvent): void {
    RelationCharm.seen.push(`${event} hook=${this.model.hookRunning}`);
    if (RelationCharm.deferIt) event.defer();
  }
  onDeparted(event: RelationDepartedEvent): void {
    RelationCharm.seen.push(
      `departing=${event.departingUnit?.name} ${event.snapshot().departing_unit}`,
    );
  }
}

describe('relation events', () => {
  const fields = {
    relationName: 'db',
    relationId: 7,
    remoteAppName: 'pg',
    remoteUnitName: 'pg/0',
  };
  const backendWithDb = (): FakeBackend => {
    const b = new FakeBackend();
    b.relations = [{ endpoint: 'db', id: 7, remoteApp: 'pg', units: ['pg/0'], data: {} }];
    return b;
  };

  it('carries relation, app and unit, also through a deferral', async () => {
    RelationCharm.seen = [];
    RelationCharm.deferIt = true;
    const d1 = await dispatch(RelationCharm, 'hooks/db-relation-changed', {
      backend: backendWithDb(),
      fields,
    });
    expect(d1.exitCode).toBe(0);
    RelationCharm.deferIt = false;
    await dispatch(RelationCharm, 'hooks/update-status', {
      backend: backendWithDb(),
      committed: d1.store.committed,
    });
    expect(RelationCharm.seen).toEqual([
      "<RelationChangedEvent app='pg' unit='pg/0' on <ops.model.Relation db:7> via RelationCharm/on/db_relation_changed[1]> hook=db_relation_changed",
      "<RelationChangedEvent app='pg' unit='pg/0' on <ops.model.Relation db:7> via RelationCharm/on/db_relation_changed[1]> hook=db_relation_changed",
    ]);
    expect(d1.store.committed.snapshots['RelationCharm/on/db_relation_changed[1]']).toEqual({
      relation_name: 'db',
      relation_id: 7,
      app_name: 'pg',
      unit_name: 'pg/0',
    });
  });

  it('takes the app from the remote unit and passes the departing unit', async () => {
    RelationCharm.seen = [];
    const run = await dispatch(RelationCharm, 'hooks/db-relation-departed', {
      backend: backendWithDb(),
      fields: { ...fields, remoteAppName: undefined, relationDepartingUnitName: 'pg/0' },
    });
    expect(run.exitCode).toBe(0);
    expect(RelationCharm.seen).toEqual(['departing=pg/0 pg/0']);
  });

  it('warns when no remote app is known', async () => {
    RelationCharm.seen = [];
    const run = await dispatch(RelationCharm, 'hooks/db-relation-changed', {
      backend: backendWithDb(),
      fields: { relationName: 'db', relationId: 7 },
    });
    const lines = run.logs.map(([level, message]) => `${level} ${message}`);
    // After the Emitting line, as ops warns while constructing the event.
    expect(lines.slice(lines.indexOf('DEBUG Emitting Juju event db_relation_changed.'))).toContain(
      "WARNING 'app' expected but not received, see https://bugs.launchpad.net/juju/+bug/1960934",
    );
  });

  it('fails clearly when a relation hook lacks JUJU_RELATION', async () => {
    const run = await dispatch(RelationCharm, 'hooks/db-relation-changed');
    expect(String(run.error)).toContain(
      'JUJU_RELATION is not set, but the db_relation_changed event needs it',
    );
  });
});

class ActionCharm extends CharmBase {
  static seen: unknown[] = [];
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.backupAction, this.onBackup);
    this.observe(this.on.getInfoAction, this.onInfo);
  }
  onBackup(event: ActionEvent): void {
    const params = event.loadParams(
      z.object({ target: z.string(), compressLevel: z.number().int().max(9) }),
      { errors: 'fail' },
    );
    event.log('backing up');
    event.setResults({ done: { target: params.target } });
    ActionCharm.seen.push(event.id, event.params, params);
  }
  onInfo(event: ActionEvent): void {
    ActionCharm.seen.push(String(event));
    expect(() => event.defer()).toThrow('cannot defer action events');
    event.fail('no info');
  }
}

describe('action events', () => {
  it('loads params, logs and sets results', async () => {
    ActionCharm.seen = [];
    const backend = new FakeBackend();
    backend.actionParams = { target: '/tmp/x', 'compress-level': 3 };
    const run = await dispatch(ActionCharm, 'actions/backup', {
      backend,
      fields: { actionName: 'backup', actionUuid: '12' },
    });
    expect(run.exitCode).toBe(0);
    expect(ActionCharm.seen).toEqual([
      '12',
      { target: '/tmp/x', 'compress-level': 3 },
      { target: '/tmp/x', compressLevel: 3 },
    ]);
    expect(backend.calls.slice(0, 3)).toEqual([
      'action-get',
      'action-log backing up',
      'action-set {"done":{"target":"/tmp/x"}}',
    ]);
  });

  it('fails the action on invalid params and exits 0 without committing', async () => {
    ActionCharm.seen = [];
    const backend = new FakeBackend();
    backend.actionParams = { target: 5, 'compress-level': 30 };
    const run = await dispatch(ActionCharm, 'actions/backup', {
      backend,
      fields: { actionName: 'backup', actionUuid: '13' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.committed).toBe(false);
    expect(run.abort).toBeDefined();
    expect(backend.actionFailed).toBe(
      'Error in action parameters: target: Invalid input: expected string, received number; ' +
        'compressLevel: Too big: expected number to be <=9',
    );
    expect(run.store.committed).toEqual({ snapshots: {}, notices: [] });
  });

  it('cannot be deferred and can fail', async () => {
    ActionCharm.seen = [];
    const backend = new FakeBackend();
    await dispatch(ActionCharm, 'actions/get-info', {
      backend,
      fields: { actionName: 'get-info', actionUuid: '14' },
    });
    expect(ActionCharm.seen).toEqual([
      "<ActionEvent self.id='14' via ActionCharm/on/get_info_action[1]>",
    ]);
    expect(backend.actionFailed).toBe('no info');
  });
});

class ConfigCharm extends CharmBase {
  static loaded: unknown;
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.configChanged, this.onConfig);
  }
  onConfig(_event: ConfigChangedEvent): void {
    ConfigCharm.loaded = this.loadConfig(
      z.object({
        port: z.number().int().min(1024),
        serverName: z.string().optional(),
        dbPassword: z.instanceof(Secret).optional(),
      }),
      { errors: 'blocked' },
    );
  }
}

describe('loadConfig', () => {
  it('converts names to camelCase and secret options to Secret objects', async () => {
    const backend = new FakeBackend();
    backend.config = { port: 8080, 'server-name': 'x', 'db-password': 'secret:abc' };
    const run = await dispatch(ConfigCharm, 'hooks/config-changed', { backend });
    expect(run.exitCode).toBe(0);
    expect(ConfigCharm.loaded).toMatchObject({ port: 8080, serverName: 'x' });
    const secret = (ConfigCharm.loaded as { dbPassword: Secret }).dbPassword;
    expect(secret).toBeInstanceOf(Secret);
    expect(secret.id).toBe('secret:abc');
    expect(backend.calls.filter((c) => c.startsWith('secret-get'))).toEqual([]);
  });

  it('blocks the unit on invalid config and exits 0 without committing', async () => {
    const backend = new FakeBackend();
    backend.config = { port: 80 };
    const run = await dispatch(ConfigCharm, 'hooks/config-changed', { backend });
    expect(run.exitCode).toBe(0);
    expect(run.committed).toBe(false);
    expect(backend.unitStatus).toEqual({
      status: 'blocked',
      message: 'Invalid config: port: Too small: expected number to be >=1024',
    });
  });

  it('raises LoadError by default', async () => {
    class Raising extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.configChanged, this.onConfig);
      }
      onConfig(): void {
        this.loadConfig(z.object({ port: z.string() }));
      }
    }
    const backend = new FakeBackend();
    backend.config = { port: 80 };
    const run = await dispatch(Raising, 'hooks/config-changed', { backend });
    expect(run.exitCode).toBe(1);
    expect(run.error).toMatchObject({
      code: 'OPSJS_FRAMEWORK_LOAD',
      source: 'config',
      issues: ['port: Invalid input: expected string, received number'],
    });
  });
});

class StorageSecretCharm extends CharmBase {
  static seen: string[] = [];
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.dataStorageAttached, this.onStorage);
    this.observe(this.on.secretChanged, this.onSecret);
    this.observe(this.on.secretExpired, this.onExpired);
    this.observe(this.on.secretRotate, this.onRotate);
  }
  onStorage(event: StorageAttachedEvent): void {
    StorageSecretCharm.seen.push(`${event} at ${event.storage.location}`);
  }
  onSecret(event: SecretChangedEvent): void {
    StorageSecretCharm.seen.push(`${event.secret.id} ${event.secret.label}`);
  }
  onExpired(event: SecretExpiredEvent): void {
    StorageSecretCharm.seen.push(`expired rev ${event.revision}`);
    event.removeRevision();
    expect(() => event.defer()).toThrow(
      'Cannot defer secret expiration events. Juju will keep firing this event until you create a new revision.',
    );
  }
  onRotate(event: SecretRotateEvent): void {
    expect(() => event.defer()).toThrow(
      'Cannot defer secret rotation events. Juju will keep firing this event until you create a new revision.',
    );
  }
}

describe('storage and secret events', () => {
  it('fixes the storage location when the event is built', async () => {
    StorageSecretCharm.seen = [];
    const backend = new FakeBackend();
    backend.storages = { data: [{ index: 1, location: '/srv/data/1' }] };
    const run = await dispatch(StorageSecretCharm, 'hooks/data-storage-attached', {
      backend,
      fields: { storageName: 'data', storageIndex: 1 },
    });
    expect(run.exitCode).toBe(0);
    expect(StorageSecretCharm.seen).toEqual([
      '<StorageAttachedEvent on data/1 via StorageSecretCharm/on/data_storage_attached[1]> at /srv/data/1',
    ]);
    expect(backend.calls.slice(0, 2)).toEqual(['storage-list data', 'storage-get data/1']);
  });

  it('builds secrets lazily and handles revision events', async () => {
    StorageSecretCharm.seen = [];
    const backend = new FakeBackend();
    await dispatch(StorageSecretCharm, 'hooks/secret-changed', {
      backend,
      fields: { secretId: 'secret:abc', secretLabel: 'db-pass' },
    });
    const expired = await dispatch(StorageSecretCharm, 'hooks/secret-expired', {
      backend,
      fields: { secretId: 'secret:abc', secretRevision: 3 },
    });
    const rotate = await dispatch(StorageSecretCharm, 'hooks/secret-rotate', {
      backend,
      fields: { secretId: 'secret:abc' },
    });
    expect(expired.exitCode).toBe(0);
    expect(rotate.exitCode).toBe(0);
    expect(StorageSecretCharm.seen).toEqual(['secret:abc db-pass', 'expired rev 3']);
    expect(backend.removedRevisions).toEqual(['secret:abc#3']);
    expect(backend.calls.filter((c) => c.startsWith('secret-get'))).toEqual([]);
  });
});

class ReconcileCharm extends CharmBase {
  static seen: string[] = [];
  static kinds: string[] = [];
  constructor(framework: Framework) {
    super(framework);
    ReconcileCharm.kinds = this.observeReconcile(this.reconcile);
  }
  reconcile(event: HookEvent): void {
    ReconcileCharm.seen.push(event.handle.kind);
  }
}

describe('observeReconcile', () => {
  it('observes every state-changing Juju event and nothing else', async () => {
    ReconcileCharm.seen = [];
    await dispatch(ReconcileCharm, 'hooks/config-changed');
    await dispatch(ReconcileCharm, 'hooks/upgrade-charm');
    await dispatch(ReconcileCharm, 'hooks/leader-elected');
    await dispatch(ReconcileCharm, 'hooks/stop');
    await dispatch(ReconcileCharm, 'hooks/remove');
    await dispatch(ReconcileCharm, 'actions/get-info', {
      fields: { actionName: 'get-info', actionUuid: '1' },
    });
    expect(ReconcileCharm.seen).toEqual(['config_changed', 'upgrade_charm', 'leader_elected']);
    expect(ReconcileCharm.kinds).toEqual([
      'install',
      'start',
      'update_status',
      'config_changed',
      'upgrade_charm',
      'leader_elected',
      'leader_settings_changed',
      'secret_changed',
      'db_relation_created',
      'db_relation_joined',
      'db_relation_changed',
      'db_relation_departed',
      'db_relation_broken',
      'demo_peers_relation_created',
      'demo_peers_relation_joined',
      'demo_peers_relation_changed',
      'demo_peers_relation_departed',
      'demo_peers_relation_broken',
      'data_storage_attached',
      'data_storage_detaching',
      'web_pebble_ready',
      'web_pebble_custom_notice',
      'web_pebble_check_failed',
      'web_pebble_check_recovered',
    ]);
    expect(ConfigChangedEvent.prototype).toBeInstanceOf(Object);
  });
});

class WorkloadCharm extends CharmBase {
  static seen: string[] = [];
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.webPebbleReady, this.onReady);
    this.observe(this.on.webPebbleCustomNotice, this.onNotice);
    this.observe(this.on.webPebbleCheckFailed, this.onCheck);
  }
  onReady(event: PebbleReadyEvent): void {
    WorkloadCharm.seen.push(`${event} ${event.workload.name}`);
    event.defer();
  }
  onNotice(event: PebbleCustomNoticeEvent): void {
    WorkloadCharm.seen.push(`notice ${event.notice.id} ${event.notice.type} ${event.notice.key}`);
  }
  onCheck(event: PebbleCheckFailedEvent): void {
    WorkloadCharm.seen.push(`check ${event.info.name} on ${event.workload.name}`);
  }
}

describe('workload events', () => {
  it('carry the container, notice and check, also through a deferral', async () => {
    WorkloadCharm.seen = [];
    const d1 = await dispatch(WorkloadCharm, 'hooks/web-pebble-ready', {
      fields: { workloadName: 'web' },
    });
    expect(d1.exitCode).toBe(0);
    expect(d1.store.committed.snapshots['WorkloadCharm/on/web_pebble_ready[1]']).toEqual({
      container_name: 'web',
    });
    await dispatch(WorkloadCharm, 'hooks/web-pebble-custom-notice', {
      committed: d1.store.committed,
      fields: { workloadName: 'web', noticeId: '42', noticeType: 'custom', noticeKey: 'x.com/y' },
    });
    await dispatch(WorkloadCharm, 'hooks/web-pebble-check-failed', {
      fields: { workloadName: 'web', pebbleCheckName: 'alive' },
    });
    expect(WorkloadCharm.seen).toEqual([
      '<PebbleReadyEvent on web via WorkloadCharm/on/web_pebble_ready[1]> web',
      '<PebbleReadyEvent on web via WorkloadCharm/on/web_pebble_ready[1]> web',
      'notice 42 custom x.com/y',
      'check alive on web',
    ]);
  });

  it('fails clearly when the notice variables are missing', async () => {
    const run = await dispatch(WorkloadCharm, 'hooks/web-pebble-custom-notice', {
      fields: { workloadName: 'web' },
    });
    expect(String(run.error)).toContain(
      'JUJU_NOTICE_ID is not set, but the web_pebble_custom_notice event needs it',
    );
  });
});

describe('controller state store', () => {
  it('keeps framework state on the controller through state-get/state-set', async () => {
    reset();
    RecordingCharm.deferKinds.add('config_changed');
    const backend = new FakeBackend();
    const first = await runDispatch(RecordingCharm, {
      context: context('hooks/config-changed'),
      meta: meta(),
      backend,
      store: new ControllerStateStore(backend),
      logger: new Logger(),
    });
    expect(first.exitCode).toBe(0);
    expect(backend.calls.filter((c) => c.startsWith('state-'))).toEqual([
      'state-get StoredStateData[_stored]',
      'state-get #notices#',
      'state-get RecordingCharm/StoredStateData[state]',
      // One state-set per key, as ops' JujuStorage, in the order the keys first changed.
      'state-set RecordingCharm/on/config_changed[1]',
      'state-set #notices#',
      'state-set RecordingCharm/StoredStateData[state]',
      'state-set StoredStateData[_stored]',
    ]);
    RecordingCharm.deferKinds.clear();
    await runDispatch(RecordingCharm, {
      context: context('hooks/update-status'),
      meta: meta(),
      backend,
      store: new ControllerStateStore(backend),
      logger: new Logger(),
    });
    expect(RecordingCharm.seen).toEqual([
      'RecordingCharm/on/config_changed[1]',
      'RecordingCharm/on/config_changed[1]',
      'RecordingCharm/on/update_status[5]',
    ]);
    expect(backend.controllerState.get('#notices#')).toBe('[]\n');
    expect(backend.controllerState.has('RecordingCharm/on/config_changed[1]')).toBe(false);
  });
});

class SecretLogCharm extends CharmBase {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.configChanged, this.onConfig);
  }
  onConfig(): void {
    const secret = this.model.getSecret({ id: 'secret:abc' });
    const { password = '' } = secret.getContent();
    this.framework.logger.info(`connecting with password ${password}`);
    throw new Error(`login failed for ${password}`);
  }
}

describe('secret values in logs', () => {
  it('are redacted from every record, including uncaught errors', async () => {
    const backend = new FakeBackend();
    backend.secrets = { 'secret:abc': { password: 'hunter2-very-secret' } };
    const run = await dispatch(SecretLogCharm, 'hooks/config-changed', { backend });
    expect(run.exitCode).toBe(1);
    const all = JSON.stringify([run.logs, backend.logs]);
    expect(all).not.toContain('hunter2-very-secret');
    expect(run.logs).toContainEqual(['INFO', 'connecting with password <redacted>']);
    expect(all).toContain('login failed for <redacted>');
  });
});

describe('a charm whose constructor throws', () => {
  it('is reported like any uncaught error and commits nothing', async () => {
    class Broken extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        throw new Error(`constructor failed while hook=${this.model.hookRunning}`);
      }
    }
    const run = await dispatch(Broken, 'hooks/install');
    expect(run.exitCode).toBe(1);
    expect(run.charm).toBeUndefined();
    expect(run.store.committed).toEqual({ snapshots: {}, notices: [] });
    expect(run.logs.find(([l]) => l === 'ERROR')?.[1]).toContain(
      'Error: constructor failed while hook=__init__',
    );
  });
});
