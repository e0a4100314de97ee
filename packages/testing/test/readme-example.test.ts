import { ActiveStatus, CharmBase, type ConfigChangedEvent, type Framework } from '@opsjs/core';
import { Context, Harness, Relation, State } from '@opsjs/testing';
import { expect, it } from 'vitest';

const meta = {
  name: 'demo',
  requires: { db: { interface: 'postgresql_client' } },
  config: { options: { port: { type: 'int', default: 8080 } } },
};

class DemoCharm extends CharmBase {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.configChanged, this.onConfigChanged);
  }

  onConfigChanged(_event: ConfigChangedEvent): void {
    const port = String(this.config.get('port'));
    for (const relation of this.model.relations.get('db')) {
      relation.data.get(this.unit).set('port', port);
    }
    this.unit.status = new ActiveStatus(`listening on ${port}`);
  }
}

it('publishes the port and goes active (state-transition test)', async () => {
  const ctx = new Context(DemoCharm, { meta });
  const db = new Relation({ endpoint: 'db', remoteAppName: 'postgresql' });
  const state = new State({ config: { port: 9000 }, relations: [db] });

  const out = await ctx.run(ctx.on.configChanged(), state);

  expect(out.unitStatus).toEqual(new ActiveStatus('listening on 9000'));
  expect(out.getRelation(db.id).localUnitData.port).toBe('9000');
  ctx.close();
});

it('publishes the port and goes active (Harness)', async () => {
  const harness = new Harness(DemoCharm, { meta });
  const dbId = await harness.addRelation('db', 'postgresql');
  await harness.begin();

  await harness.updateConfig({ port: 9000 });

  expect(harness.model.unit.status).toEqual(new ActiveStatus('listening on 9000'));
  expect(harness.getRelationData(dbId, 'demo/0').port).toBe('9000');
  await harness.cleanup();
});
