import { Harness } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { GreeterCharm, PROVIDER_META } from './fixtures/greeting-charm.js';

let harness: Harness<typeof GreeterCharm> | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

describe('an interface endpoint under Harness', () => {
  it('emits ready, then changed, as the remote side updates its bags', async () => {
    harness = new Harness(GreeterCharm, { meta: PROVIDER_META });
    await harness.begin();
    await harness.setLeader(true);
    const id = await harness.addRelation('greeting', 'asker', { appData: { name: '"asker"' } });
    await harness.addRelationUnit(id, 'asker/0');
    await harness.updateRelationData(id, 'asker/0', { host: '"asker-0"' });
    expect(harness.getRelationData(id, 'greeter')).toEqual({
      message: 'hello asker',
      details: '{"lang": "en", "words": 2}',
    });
    expect(harness.charm.seen.data.events).toContain('ready:asker:');
    await harness.updateRelationData(id, 'asker/0', { host: 'not json' });
    expect(harness.charm.seen.data.events.at(-1)).toBe('invalid:custom');
    const relation = harness.charm.greeting.relation(id);
    expect(relation).not.toBeNull();
    if (relation === null) return;
    expect(harness.charm.greeting.remote(relation)).toMatchObject({ status: 'invalid' });
    expect(harness.charm.greeting.readyRelations()).toEqual([]);
  });
});
