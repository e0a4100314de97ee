import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionEvent, CharmBase, type EventBase, type Framework } from '@opsjs/core';
import {
  ActiveStatus,
  BlockedStatus,
  MaintenanceStatus,
  ModelError,
  SecretNotFoundError,
  UnknownStatus,
} from '@opsjs/model';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionFailed, HarnessError } from '../src/errors.js';
import { Harness } from '../src/harness.js';
import { SampleCharm } from './fixtures/sample-charm.js';
import { SAMPLE_META } from './fixtures/sample-meta.js';

let harness: Harness<typeof SampleCharm>;
afterEach(async () => {
  await harness.cleanup();
});

function newHarness(): Harness<typeof SampleCharm> {
  harness = new Harness(SampleCharm, { meta: SAMPLE_META });
  return harness;
}

describe('Harness', () => {
  it('matches ops on calls before begin, config types, storage ids and action ids', async () => {
    newHarness();
    harness.setModelInfo({ name: 'm' });
    expect(harness.model.name).toBe('m');
    // Before begin: pebble-ready does nothing, detaching storage is refused.
    await harness.containerPebbleReady('workload');
    await harness.addStorage('data', 1, { attach: true });
    await expect(harness.detachStorage('data/0')).rejects.toThrow(
      'cannot detach storage before the harness has begun',
    );
    await expect(harness.runAction('ping')).rejects.toThrow('cannot run an action before begin()');
    await expect(harness.updateConfig({ port: 'eighty' })).rejects.toThrow(
      "config option 'port' is supposed to be of type int, not string",
    );
    await expect(harness.updateConfig({ port: 1.5 })).rejects.toThrow(HarnessError);
    await expect(harness.updateConfig({ debug: 'yes' })).rejects.toThrow(HarnessError);
    expect(harness.model.config.get('port')).toBe(8080);
    await harness.begin();
    // One storage index counter across names, as ops.
    expect(await harness.addStorage('data', 1)).toEqual(['data/1']);
    // Detaching a detached storage is a no-op.
    await harness.detachStorage('data/1');
    expect(harness.charm.stored.data.seen).toEqual([]);
  });

  it('numbers action runs from 1, as ops', async () => {
    const ids: string[] = [];
    class Pinger extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.get('ping_action') as never, this.onPing);
      }
      onPing(event: EventBase): void {
        if (event instanceof ActionEvent) ids.push(event.id);
      }
    }
    const pinger = new Harness(Pinger, { meta: { name: 'p', actions: { ping: {} } } });
    await pinger.begin();
    await pinger.runAction('ping');
    await pinger.runAction('ping');
    expect(ids).toEqual(['1', '2']);
    await pinger.cleanup();
    newHarness();
  });

  it('emits nothing before begin and builds the charm once', async () => {
    newHarness();
    expect(() => harness.charm).toThrow(HarnessError);
    await harness.updateConfig({ port: 1 });
    await harness.begin();
    await expect(harness.begin()).rejects.toThrow('cannot call begin() more than once');
    expect(harness.charm.stored.data.configChanges).toBe(0);
    await harness.updateConfig({ port: 2 });
    expect(harness.charm.stored.data.configChanges).toBe(1);
    expect(harness.model.unit.name).toBe('sample/0');
    expect(harness.framework).toBeDefined();
  });

  it('beginWithInitialHooks emits the deploy sequence', async () => {
    newHarness();
    await harness.addStorage('data', 1);
    const db = await harness.addRelation('db', 'pg', { appData: { host: 'h' } });
    await harness.setLeader(true);
    harness.handleExec('workload', ['hostname'], { result: 0 });
    await harness.beginWithInitialHooks();
    expect(harness.charm.stored.data.seen).toEqual([
      `storage:${harness.model.storages.get('data')[0]?.location}`,
      'install',
      'cluster_relation_created',
      'leader_elected',
      'start',
    ]);
    expect(harness.getRelationData(db, 'sample/0').port).toBe('8080');
    expect(harness.getRelationData(db, 'sample')['seen-host']).toBe('h');
    expect(harness.model.unit.status).toEqual(new ActiveStatus('host '));
  });

  it('turns a bare maintenance status into unknown after the initial hooks', async () => {
    class Quiet extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.install, this.onInstall);
      }
      onInstall(): void {
        this.unit.status = new MaintenanceStatus();
      }
    }
    const quiet = new Harness(Quiet, { meta: { name: 'quiet' } });
    await quiet.beginWithInitialHooks();
    expect(quiet.unitStatus).toEqual(new UnknownStatus());
    expect(quiet.backend.calls).toContainEqual(['statusSet', 'maintenance', '', false]);
    await quiet.cleanup();
    newHarness();
  });

  it('adds, changes and removes relations with the matching events', async () => {
    newHarness();
    await harness.begin();
    await harness.setLeader(true);
    const id = await harness.addRelation('db', 'pg');
    await harness.addRelationUnit(id, 'pg/0');
    await harness.updateRelationData(id, 'pg', { host: 'db.local' });
    expect(harness.getRelationData(id, 'sample')).toEqual({ 'seen-host': 'db.local' });
    await harness.updateRelationData(id, 'pg', { host: 'db.local' });
    await harness.removeRelationUnit(id, 'pg/0');
    expect(harness.charm.stored.data.seen).toContain('departed:pg/0');
    await harness.removeRelation(id);
    expect(harness.model.relations.get('db')).toEqual([]);
    expect(() => harness.getRelationData(id, 'pg')).toThrow(`relation ${id} does not exist`);
    await expect(harness.addRelation('nope', 'x')).rejects.toThrow(
      "relation 'nope' is not declared in metadata",
    );
  });

  it('updates config with type errors from the model and unset to defaults', async () => {
    newHarness();
    await harness.begin();
    await harness.updateConfig({ port: 81, debug: true });
    expect(harness.model.config.get('port')).toBe(81);
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new BlockedStatus('debug mode'));
    await harness.updateConfig({}, ['port', 'debug']);
    expect(harness.model.config.get('port')).toBe(8080);
    await expect(harness.updateConfig({ nope: 1 })).rejects.toThrow(
      "unknown config option: 'nope'",
    );
  });

  it('runs actions with results, logs and failures', async () => {
    newHarness();
    await harness.begin();
    const output = await harness.runAction('backup', { target: '/x' });
    expect(output).toEqual({
      logs: ['backing up to /x'],
      results: { target: '/x', size: { bytes: 42 } },
    });
    const failure = await harness
      .runAction('backup', { target: '/forbidden' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ActionFailed);
    expect(failure).toMatchObject({
      failureMessage: 'not allowed',
      output: { logs: ['backing up to /forbidden'] },
    });
    await expect(harness.runAction('backup', {})).rejects.toThrow(
      "action 'backup' needs param 'target'",
    );
    await expect(harness.runAction('nope')).rejects.toThrow(
      "action 'nope' is not declared in metadata",
    );
  });

  it('serves containers through a fake Pebble server per container', async () => {
    newHarness();
    await harness.begin();
    expect(await harness.model.unit.getContainer('workload').canConnect()).toBe(false);
    harness.handleExec('workload', ['hostname'], { result: 'harness-host\n' });
    await harness.containerPebbleReady('workload');
    expect(await harness.model.unit.getContainer('workload').canConnect()).toBe(true);
    expect(harness.getContainerPebblePlan('workload').services?.web?.command).toBe('/bin/web');
    expect(
      readFileSync(join(harness.getFilesystemRoot('workload'), 'etc/sample.conf'), 'utf8'),
    ).toBe('port=8080\n');
    expect(harness.unitStatus).toEqual(new ActiveStatus('host harness-host'));
    const id = await harness.pebbleCustomNotice('workload', 'example.com/x');
    expect(id).toMatch(/^\d+$/);
    expect(harness.charm.stored.data.seen).toContain('notice:example.com/x');
    expect(harness.pebbleServer('workload').startCount('web')).toBe(1);
    expect(() => harness.pebbleServer('nope')).toThrow(
      "container 'nope' is not declared in metadata",
    );
    await harness.setCanConnect('workload', false);
    expect(await harness.model.unit.getContainer('workload').canConnect()).toBe(false);
  });

  it('handles exec with a handler that sees the arguments', async () => {
    newHarness();
    await harness.begin();
    const seen: string[][] = [];
    harness.handleExec('workload', ['hostname'], {
      handler: (args) => {
        seen.push([...args.command]);
        return { stdout: 'from-handler\n' };
      },
    });
    await harness.containerPebbleReady('workload');
    expect(seen).toEqual([['hostname']]);
    expect(harness.unitStatus.message).toBe('host from-handler');
  });

  it('manages storage', async () => {
    newHarness();
    await harness.begin();
    const [id] = await harness.addStorage('data', 1, { attach: true });
    expect(id).toBe('data/0');
    expect(harness.charm.stored.data.seen[0]).toMatch(/^storage:.*data0$/);
    await harness.detachStorage('data/0');
    expect(harness.model.storages.get('data')).toEqual([]);
    await harness.attachStorage('data/0');
    await harness.removeStorage('data/0');
    await expect(harness.addStorage('nope')).rejects.toThrow(
      "storage 'nope' is not declared in metadata",
    );
  });

  it('manages secrets: model and user secrets, grants and triggers', async () => {
    newHarness();
    await harness.begin();
    const id = harness.addModelSecret('pg', { password: 'one' });
    expect(() => harness.model.getSecret({ id }).getContent()).toThrow(SecretNotFoundError);
    // As ops: a model secret is granted over the relation with its owner.
    expect(() => harness.grantSecret(id, 'sample')).toThrow(
      'no relation between this charm (sample) and secret owner (pg)',
    );
    expect(() => harness.revokeSecret(id, 'sample')).toThrow(HarnessError);
    const pg = await harness.addRelation('db', 'pg');
    harness.grantSecret(id, 'sample');
    expect(harness.getSecretGrants(id, pg)).toEqual(['sample']);
    expect(harness.model.getSecret({ id }).getContent()).toEqual({ password: 'one' });
    await harness.setSecretContent(id, { password: 'two' });
    expect(harness.charm.stored.data.seen).toContain('secret:password');
    expect(harness.getSecretRevisions(id)).toEqual([1, 2]);
    harness.revokeSecret(id, 'sample');
    expect(() => harness.model.getSecret({ id }).getContent({ refresh: true })).toThrow(
      SecretNotFoundError,
    );
    // As ops, secret content is validated (keys of 3+ characters, ...).
    expect(() => harness.addModelSecret('pg', { pw: 'x' })).toThrow('invalid secret keys: pw');
    expect(() => harness.addUserSecret({})).toThrow('secret content must not be empty');
    await expect(harness.setSecretContent(id, { 'bad-': 'x' })).rejects.toThrow(HarnessError);
    const user = harness.addUserSecret({ token: 't' });
    harness.grantSecret(user, 'sample');
    expect(harness.model.getSecret({ id: user }).getContent()).toEqual({ token: 't' });
    await harness.setLeader(true);
    const owned = harness.model.app.addSecret({ key: 'v' }, { label: 'mine' });
    await harness.triggerSecretRemoval(owned.id ?? '', 1);
    expect(harness.backend.calls.some((c) => c[0] === 'secretRemove')).toBe(true);
    await harness.triggerSecretRotation(owned.id ?? '');
    await harness.triggerSecretExpiration(owned.id ?? '', 1);
    expect(() => harness.getSecretGrants(id, 0)).not.toThrow();
    // As ops: any secret but a user secret can be rotated or expired from the test.
    await harness.triggerSecretRotation(id);
    await expect(harness.triggerSecretRotation(user)).rejects.toThrow(
      `cannot trigger secret-rotate for user secret ${user}`,
    );
    await expect(harness.triggerSecretExpiration(user, 1)).rejects.toThrow(HarnessError);
    // Removing the relation with the owner takes the grant with it.
    harness.grantSecret(id, 'sample');
    expect(harness.model.getSecret({ id }).peekContent()).toEqual({ password: 'two' });
    await harness.removeRelation(pg);
    expect(() => harness.model.getSecret({ id }).peekContent()).toThrow(SecretNotFoundError);
  });

  it('sets planned units, networks, resources and model info', async () => {
    newHarness();
    await harness.begin();
    expect(harness.model.app.plannedUnits()).toBe(1);
    const peers = await harness.addRelation('cluster', 'sample');
    await harness.addRelationUnit(peers, 'sample/1');
    expect(harness.model.app.plannedUnits()).toBe(2);
    harness.setPlannedUnits(5);
    expect(harness.model.app.plannedUnits()).toBe(5);
    harness.resetPlannedUnits();
    expect(harness.model.app.plannedUnits()).toBe(2);
    harness.addNetwork('10.1.2.3', { endpoint: 'metrics' });
    expect(harness.model.getBinding('metrics')?.network.ingressAddress).toBe('10.1.2.3');
    const db = await harness.addRelation('db', 'pg');
    expect(
      harness.model.getBinding(harness.model.getRelation('db', db) ?? 'db')?.network.ingressAddress,
    ).toBe('10.0.0.10');
    expect(() => harness.addNetwork('1.1.1.1', { endpoint: 'nope' })).toThrow(HarnessError);
    harness.addResource('config-file', 'a=b');
    expect(readFileSync(harness.model.resources.fetch('config-file'), 'utf8')).toBe('a=b');
    expect(() =>
      harness.setModelInfo({ name: 'm', uuid: '00000000-0000-4000-8000-000000000000' }),
    ).toThrow('cannot set the model name or uuid after begin()');
    expect(harness.getWorkloadVersion()).toBe('');
    expect(harness.rebootCount).toBe(0);
    expect(() => harness.model.unit.status).not.toThrow();
    expect(ModelError).toBeDefined();
  });

  it('can disable hooks', async () => {
    newHarness();
    await harness.begin();
    harness.disableHooks();
    await harness.updateConfig({ port: 5 });
    harness.enableHooks();
    expect(harness.charm.stored.data.configChanges).toBe(0);
    await harness.hooksDisabled(() => harness.updateConfig({ port: 6 }));
    expect(harness.charm.stored.data.configChanges).toBe(0);
    await harness.updateConfig({ port: 7 });
    expect(harness.charm.stored.data.configChanges).toBe(1);
  });

  it('lets tests emit charm events directly, as ops tests do with charm.on.<event>.emit()', async () => {
    newHarness();
    await harness.begin();
    await harness.charm.on.configChanged.emit();
    expect(harness.charm.stored.data.configChanges).toBe(1);
    await harness.charm.on.updateStatus.emit();
    expect(harness.charm.stored.data.seen).toEqual(['update_status']);
  });
});
