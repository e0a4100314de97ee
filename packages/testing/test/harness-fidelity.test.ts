// Behaviours checked against ops' Harness (ops/_private/harness.py) where opsjs once differed
// or where the order of events is the contract; each test names the ops method it pins.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CharmBase, type EventBase, type Framework, RelationBrokenEvent } from '@opsjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../src/errors.js';
import { Harness } from '../src/harness.js';

const META = {
  name: 'fid',
  requires: { db: { interface: 'pg' } },
  peers: { cluster: { interface: 'c' }, gossip: { interface: 'g' } },
  storage: { data: { type: 'filesystem' }, cache: { type: 'filesystem' } },
  containers: { workload: { resource: 'img' } },
  resources: { img: { type: 'oci-image' } },
} as const;

const KINDS = [
  'install',
  'start',
  'config_changed',
  'leader_elected',
  'leader_settings_changed',
  'data_storage_attached',
  'data_storage_detaching',
  'cache_storage_attached',
  'workload_pebble_ready',
  'db_relation_created',
  'db_relation_joined',
  'db_relation_changed',
  'db_relation_departed',
  'db_relation_broken',
  'cluster_relation_created',
  'cluster_relation_joined',
  'cluster_relation_changed',
  'workload_pebble_custom_notice',
];

const seen: string[] = [];
const brokenView: unknown[] = [];

class Recorder extends CharmBase {
  constructor(framework: Framework) {
    super(framework);
    for (const kind of KINDS) this.observe(this.on.get(kind) as never, this.record);
  }
  record(event: EventBase): void {
    const e = event as EventBase & { unit?: { name: string } | null; app?: { name: string } };
    const who = e.unit?.name ?? e.app?.name;
    seen.push(who === undefined ? event.handle.kind : `${event.handle.kind}(${who})`);
    if (event instanceof RelationBrokenEvent) {
      brokenView.push(this.model.relations.get('db').length);
      brokenView.push(Object.fromEntries(event.relation.data.get(event.app ?? this.app).entries()));
    }
  }
}

let harness: Harness<typeof Recorder>;
afterEach(async () => {
  seen.length = 0;
  brokenView.length = 0;
  await harness.cleanup();
});

describe('Harness fidelity with ops', () => {
  it('begin_with_initial_hooks: the deploy sequence of a non-leader with relations', async () => {
    harness = new Harness(Recorder, { meta: META });
    await harness.addStorage('cache', 1);
    await harness.addStorage('data', 1);
    await harness.addRelation('db', 'pg', { appData: { a: 'b' }, unitData: { c: 'd' } });
    await harness.beginWithInitialHooks();
    expect(seen).toEqual([
      'data_storage_attached',
      'cache_storage_attached',
      'install',
      'db_relation_created(pg)',
      'cluster_relation_created(fid)',
      'leader_settings_changed',
      'config_changed',
      'start',
      'workload_pebble_ready',
      'db_relation_changed(pg)',
      'db_relation_joined(pg/0)',
      'db_relation_changed(pg/0)',
    ]);
  });

  it('remove_relation: departed per unit, then broken with the relation out of model.relations', async () => {
    harness = new Harness(Recorder, { meta: META });
    await harness.begin();
    const id = await harness.addRelation('db', 'pg', { appData: { host: 'h' } });
    seen.length = 0;
    await harness.removeRelation(id);
    expect(seen).toEqual(['db_relation_departed(pg/0)', 'db_relation_broken(pg)']);
    expect(brokenView).toEqual([0, { host: 'h' }]);
    expect(harness.model.relations.get('db')).toEqual([]);
  });

  it('pebble_notify: emits for a new or repeated notice, not within repeat-after', async () => {
    harness = new Harness(Recorder, { meta: META });
    await harness.begin();
    const first = await harness.pebbleNotify('workload', 'example.com/a', { data: { k: 'v' } });
    const again = await harness.pebbleNotify('workload', 'example.com/a');
    expect(again).toBe(first);
    await harness.pebbleNotify('workload', 'example.com/a', { repeatAfterMs: 3_600_000 });
    expect(seen).toEqual(['workload_pebble_custom_notice', 'workload_pebble_custom_notice']);
    expect(harness.pebbleServer('workload').notices[0]?.occurrences).toBe(3);
  });

  it('emits pebble-ready and notices even with hooks disabled, as ops emits them directly', async () => {
    harness = new Harness(Recorder, { meta: META });
    await expect(harness.setSecretContent('secret:x', { key: 'v' })).rejects.toThrow(
      'call begin() first',
    );
    await harness.begin();
    harness.disableHooks();
    await harness.updateConfig({});
    await harness.containerPebbleReady('workload');
    await harness.pebbleNotify('workload', 'example.com/b');
    expect(seen).toEqual(['workload_pebble_ready', 'workload_pebble_custom_notice']);
  });

  it('handle_exec: the longest matching prefix answers, whatever the order', async () => {
    harness = new Harness(Recorder, { meta: META });
    harness.handleExec('workload', ['ls', '-la'], { result: 'long\n' });
    harness.handleExec('workload', ['ls'], { result: 'short\n' });
    harness.handleExec('workload', [], { result: 'any\n' });
    await harness.begin();
    await harness.setCanConnect('workload', true);
    const container = harness.model.unit.getContainer('workload');
    const out = async (cmd: string[]) => (await (await container.exec(cmd)).waitOutput()).stdout;
    expect(await out(['ls', '-la', '/'])).toBe('long\n');
    expect(await out(['ls', '/'])).toBe('short\n');
    expect(await out(['cat'])).toBe('any\n');
    harness.handleExec('workload', ['ls'], { result: 'again\n' });
    expect(await out(['ls'])).toBe('again\n');
  });

  it('planned_units: distinct peer units over every peer relation, plus one', async () => {
    harness = new Harness(Recorder, { meta: META });
    const a = await harness.addRelation('cluster', 'fid');
    const b = await harness.addRelation('gossip', 'fid');
    await harness.addRelationUnit(a, 'fid/1');
    await harness.addRelationUnit(b, 'fid/1');
    await harness.addRelationUnit(b, 'fid/2');
    await harness.begin();
    expect(harness.model.app.plannedUnits()).toBe(3);
  });

  it('set_can_connect and get_filesystem_root work before begin, as ops', async () => {
    harness = new Harness(Recorder, { meta: META });
    await harness.setCanConnect('workload', true);
    expect(harness.getContainerPebblePlan('workload')).toEqual({});
    const root = harness.getFilesystemRoot('workload');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'hostname'), 'host.example.com');
    await expect(harness.setCanConnect('nope', true)).rejects.toThrow(HarnessError);
    await harness.begin();
    const container = harness.model.unit.getContainer('workload');
    expect(await container.canConnect()).toBe(true);
    expect(await container.pull('/etc/hostname')).toBe('host.example.com');
    expect(harness.getFilesystemRoot('workload')).toBe(root);
  });

  it('add_network: checks the address and defaults the CIDR to /24 or /64', async () => {
    harness = new Harness(Recorder, { meta: META });
    expect(() => harness.addNetwork('not-an-ip')).toThrow(HarnessError);
    harness.addNetwork('2001:db8:1:2:3::7', { endpoint: 'db' });
    harness.addNetwork('10.1.2.3');
    await harness.begin();
    expect(String(harness.model.getBinding('db')?.network.interfaces[0]?.subnet)).toBe(
      '2001:db8:1:2::/64',
    );
    expect(harness.model.getBinding('cluster')?.network.egressSubnets.map(String)).toEqual([
      '10.1.2.0/24',
    ]);
  });
});
