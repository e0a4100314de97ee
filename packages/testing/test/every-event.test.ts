import { CharmBase, type EventBase, type Framework } from '@opsjs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Context } from '../src/context.js';
import type { ScenarioEvent } from '../src/event.js';
import { CheckInfo, Container, Notice } from '../src/state/container.js';
import { Storage } from '../src/state/misc.js';
import { PeerRelation, Relation, SubordinateRelation } from '../src/state/relation.js';
import { Secret } from '../src/state/secret.js';
import { State } from '../src/state/state.js';
import { SAMPLE_META } from './fixtures/sample-meta.js';

/** Records, for every event it receives, the kind and what the event carries. */
class RecorderCharm extends CharmBase {
  static seen: Record<string, unknown>[] = [];

  constructor(framework: Framework) {
    super(framework);
    for (const [kind, bound] of this.on.events()) {
      if (kind.startsWith('collect_')) continue;
      this.observe(bound as never, this.record);
    }
  }

  record(event: EventBase): void {
    const e = event as unknown as Record<string, unknown>;
    const name = (v: unknown): unknown =>
      typeof v === 'object' && v !== null && 'name' in v ? (v as { name: unknown }).name : v;
    RecorderCharm.seen.push({
      kind: event.handle.kind,
      ...('relation' in e
        ? { relation: (e.relation as { id: number }).id, app: name(e.app), unit: name(e.unit) }
        : {}),
      ...('departingUnit' in e ? { departing: name(e.departingUnit) } : {}),
      ...('storage' in e
        ? { storage: `${name(e.storage)}/${(e.storage as { index: number }).index}` }
        : {}),
      ...('workload' in e ? { workload: name(e.workload) } : {}),
      ...('notice' in e ? { notice: (e.notice as { key: string }).key } : {}),
      ...('info' in e ? { check: name(e.info) } : {}),
      ...('revision' in e ? { revision: e.revision } : {}),
      ...(event.handle.kind.startsWith('secret_')
        ? { secret: (e.secret as { id: string | undefined }).id }
        : {}),
      ...('params' in e ? { params: e.params } : {}),
    });
  }
}

const ctx = new Context(RecorderCharm, { meta: SAMPLE_META });
afterAll(() => ctx.close());

const db = new Relation({
  endpoint: 'db',
  id: 1,
  remoteAppName: 'pg',
  remoteUnitsData: { 0: {}, 3: {} },
});
const peers = new PeerRelation({ endpoint: 'cluster', id: 2, peersData: { 1: {} } });
const logging = new SubordinateRelation({
  endpoint: 'logging',
  id: 3,
  remoteAppName: 'app',
  remoteUnitId: 7,
});
const data = new Storage({ name: 'data', index: 4 });
const notice = new Notice({ key: 'example.com/n' });
const check = new CheckInfo({ name: 'up' });
const workload = new Container({
  name: 'workload',
  canConnect: true,
  notices: [notice],
  checkInfos: [check],
  layers: { l: { checks: { up: { override: 'replace', tcp: { port: 1 } } } } },
});
const owned = new Secret({
  trackedContent: { a: 'b' },
  owner: 'app',
  id: 'secret:abcdefghij0123456789',
});
const observed = new Secret({
  trackedContent: { a: 'b' },
  id: 'secret:bcdefghij0123456789a',
});
const state = new State({
  relations: [db, peers, logging],
  storages: [data],
  containers: [workload],
  secrets: [owned, observed],
  leader: true,
});
const on = ctx.on;

const cases: [ScenarioEvent, Record<string, unknown>][] = [
  [on.install(), { kind: 'install' }],
  [on.start(), { kind: 'start' }],
  [on.stop(), { kind: 'stop' }],
  [on.remove(), { kind: 'remove' }],
  [on.updateStatus(), { kind: 'update_status' }],
  [on.configChanged(), { kind: 'config_changed' }],
  [on.upgradeCharm(), { kind: 'upgrade_charm' }],
  [on.preSeriesUpgrade(), { kind: 'pre_series_upgrade' }],
  [on.postSeriesUpgrade(), { kind: 'post_series_upgrade' }],
  [on.leaderElected(), { kind: 'leader_elected' }],
  [on.leaderSettingsChanged(), { kind: 'leader_settings_changed' }],
  [on.relationCreated(db), { kind: 'db_relation_created', relation: 1, app: 'pg', unit: null }],
  [
    on.relationJoined(db, { remoteUnit: 3 }),
    { kind: 'db_relation_joined', relation: 1, app: 'pg', unit: 'pg/3' },
  ],
  [
    on.relationChanged(peers, { remoteUnit: 1 }),
    { kind: 'cluster_relation_changed', relation: 2, app: 'sample', unit: 'sample/1' },
  ],
  [
    on.relationChanged(logging),
    { kind: 'logging_relation_changed', relation: 3, app: 'app', unit: 'app/7' },
  ],
  [
    on.relationDeparted(db, { remoteUnit: 3, departingUnit: 3 }),
    { kind: 'db_relation_departed', relation: 1, app: 'pg', unit: 'pg/3', departing: 'pg/3' },
  ],
  [on.relationBroken(db), { kind: 'db_relation_broken', relation: 1, app: 'pg', unit: null }],
  [on.storageAttached(data), { kind: 'data_storage_attached', storage: 'data/4' }],
  [on.storageDetaching(data), { kind: 'data_storage_detaching', storage: 'data/4' }],
  [on.pebbleReady(workload), { kind: 'workload_pebble_ready', workload: 'workload' }],
  [
    on.pebbleCustomNotice(workload, notice),
    { kind: 'workload_pebble_custom_notice', workload: 'workload', notice: 'example.com/n' },
  ],
  [
    on.pebbleCheckFailed(workload, check),
    { kind: 'workload_pebble_check_failed', workload: 'workload', check: 'up' },
  ],
  [
    on.pebbleCheckRecovered(workload, check),
    { kind: 'workload_pebble_check_recovered', workload: 'workload', check: 'up' },
  ],
  [on.secretChanged(observed), { kind: 'secret_changed', secret: observed.id }],
  [on.secretRotate(owned), { kind: 'secret_rotate', secret: owned.id }],
  [
    on.secretExpired(owned, { revision: 2 }),
    { kind: 'secret_expired', secret: owned.id, revision: 2 },
  ],
  [
    on.secretRemove(owned, { revision: 1 }),
    { kind: 'secret_remove', secret: owned.id, revision: 1 },
  ],
  [
    on.action('backup', { target: '/t' }),
    { kind: 'backup_action', params: { target: '/t', compress: true } },
  ],
];

describe('every Juju event through Context.run', () => {
  it.each(cases.map(([event, expected]) => [event.name, event, expected] as const))(
    '%s reaches the charm with its arguments',
    async (_name, event, expected) => {
      RecorderCharm.seen = [];
      await ctx.run(event, state);
      expect(RecorderCharm.seen).toEqual([expected]);
    },
  );
});
