// Behaviour checks against ops' own Harness test suite (canonical/operator, test/test_testing.py,
// commit 7989557d). Each test names the upstream test it mirrors; the code is our own.
import {
  ActiveStatus,
  BlockedStatus,
  CharmBase,
  type CollectStatusEvent,
  type Framework,
  type HookEvent,
  type RelationEvent,
  type StatusBase,
  UnknownStatus,
} from '@opsjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../../src/harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function track<T extends { cleanup(): Promise<void> }>(harness: T): T {
  cleanups.push(() => harness.cleanup());
  return harness;
}

/** Records every event it sees, like upstream's RelationEventCharm / RecordingCharm. */
class RecordingCharm extends CharmBase {
  readonly changes: {
    name: string;
    relationId?: number;
    unit?: string | null;
    app?: string | null;
  }[] = [];

  constructor(framework: Framework) {
    super(framework);
    for (const [kind, bound] of this.on.events()) {
      if (kind.startsWith('collect_')) continue;
      this.observe(bound as Parameters<typeof this.observe<HookEvent>>[0], this.record);
    }
  }

  record(event: HookEvent): void {
    const kind = event.handle.kind;
    const relationEvent = event as Partial<RelationEvent>;
    if (relationEvent.relation !== undefined) {
      this.changes.push({
        name: kind.replace(/^db_/, '').replaceAll('_', '-'),
        relationId: relationEvent.relation.id,
        unit: relationEvent.unit?.name ?? null,
        app: relationEvent.app?.name ?? null,
      });
    } else {
      this.changes.push({ name: kind.replaceAll('_', '-') });
    }
  }
}

describe('Harness parity with ops', () => {
  // Mirrors TestHarness.test_begin_with_initial_hooks_with_one_relation.
  it('emits the deploy sequence with one related unit', async () => {
    const harness = track(
      new Harness(RecordingCharm, {
        meta: 'name: test-app\nrequires:\n  db:\n    interface: sql\n',
      }),
    );
    await harness.setLeader();
    const relId = await harness.addRelation('db', 'postgresql');
    await harness.addRelationUnit(relId, 'postgresql/0');
    await harness.updateRelationData(relId, 'postgresql/0', { new: 'data' });
    await harness.beginWithInitialHooks();
    expect(harness.charm.changes).toEqual([
      { name: 'install' },
      { name: 'relation-created', relationId: relId, unit: null, app: 'postgresql' },
      { name: 'leader-elected' },
      { name: 'config-changed' },
      { name: 'start' },
      { name: 'relation-joined', relationId: relId, unit: 'postgresql/0', app: 'postgresql' },
      { name: 'relation-changed', relationId: relId, unit: 'postgresql/0', app: 'postgresql' },
    ]);
  });

  // Mirrors TestHarness.test_update_relation_no_local_unit_change_event.
  it('emits no relation-changed for updates of our own unit bag, and shows them', async () => {
    const harness = track(
      new Harness(RecordingCharm, {
        meta: 'name: my-charm\nrequires:\n  db:\n    interface: pgsql\n',
      }),
    );
    await harness.begin();
    const relId = await harness.addRelation('db', 'postgresql');
    const rel = harness.model.getRelation('db');
    const own = rel?.data.get(harness.model.unit);
    own?.set('key', 'value');
    const before = harness.charm.changes.length;
    await harness.updateRelationData(relId, 'my-charm/0', { new: 'other' });
    expect(Object.fromEntries(own ?? [])).toEqual({ key: 'value', new: 'other' });
    own?.set('new', 'value');
    expect(own?.get('new')).toBe('value');
    expect(harness.charm.changes.slice(before)).toEqual([]);
  });

  // Mirrors TestHarness.test_update_config_unset_boolean.
  it('restores a boolean option to its default when unset', async () => {
    const harness = track(
      new Harness(RecordingCharm, {
        meta: 'name: my-charm',
        config:
          'options:\n  a:\n    description: a config option\n    type: boolean\n    default: false\n',
      }),
    );
    await harness.begin();
    expect(harness.model.config.get('a')).toBe(false);
    await harness.updateConfig({ a: true });
    expect(harness.model.config.get('a')).toBe(true);
    await harness.updateConfig({}, ['a']);
    expect(harness.model.config.get('a')).toBe(false);
    expect(harness.charm.changes.map((c) => c.name)).toEqual(['config-changed', 'config-changed']);
  });

  // Mirrors TestHarness.test_evaluate_status.
  it('sets app (leader) and unit statuses from collect-status', async () => {
    class StatusCharm extends CharmBase {
      appStatusToAdd: StatusBase = new BlockedStatus('blocked app');
      unitStatusToAdd: StatusBase = new BlockedStatus('blocked unit');
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.collectAppStatus, this.onCollectApp);
        this.observe(this.on.collectUnitStatus, this.onCollectUnit);
      }
      onCollectApp(event: CollectStatusEvent): void {
        event.addStatus(this.appStatusToAdd);
      }
      onCollectUnit(event: CollectStatusEvent): void {
        event.addStatus(this.unitStatusToAdd);
      }
    }
    const harness = track(new Harness(StatusCharm, { meta: 'name: test-charm' }));
    await harness.setLeader(true);
    await harness.begin();
    await harness.evaluateStatus();
    expect(harness.model.app.status).toEqual(new BlockedStatus('blocked app'));
    expect(harness.model.unit.status).toEqual(new BlockedStatus('blocked unit'));
    harness.charm.appStatusToAdd = new ActiveStatus('active app');
    harness.charm.unitStatusToAdd = new ActiveStatus('active unit');
    await harness.evaluateStatus();
    expect(harness.model.app.status).toEqual(new ActiveStatus('active app'));
    expect(harness.model.unit.status).toEqual(new ActiveStatus('active unit'));
  });

  // Mirrors TestHarness.test_begin_with_initial_hooks_unknown_status.
  it('leaves both statuses unknown when the initial hooks set none', async () => {
    const harness = track(
      new Harness(RecordingCharm, {
        meta: 'name: test-app',
        config: 'options:\n  foo:\n    description: a config option\n    type: string\n',
      }),
    );
    await harness.beginWithInitialHooks();
    expect(harness.backend.statusGet(false)).toEqual({ status: 'unknown', message: '' });
    await harness.setLeader(true);
    expect(harness.backend.statusGet(true)).toEqual({ status: 'unknown', message: '' });
    expect(harness.unitStatus).toEqual(new UnknownStatus());
  });
});
