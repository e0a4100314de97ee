import type { Framework } from '@opsjs/core';
import { describe, expectTypeOf, it } from 'vitest';
import { DemoCharm } from './fixtures/demo-charm/demo-charm.js';

// The README charm with its names misspelt: each line below must fail to compile.
class MisspeltDemoCharm extends DemoCharm {
  constructor(framework: Framework) {
    super(framework);
    // @ts-expect-error -- `configChange` is not an event
    this.observe(this.on.configChange, this.onConfigChanged);
    // @ts-expect-error -- the action is `greet`
    this.observe(this.on.greetingAction, this.onGreet);
    // @ts-expect-error -- the relation is `db`
    this.observe(this.on.databaseRelationChanged, this.onConfigChanged);
    // @ts-expect-error -- the option is `port`
    this.config.get('prot');
    // @ts-expect-error -- the endpoint is `db`
    this.getRelation('dbs');
  }
}

describe('the README charm, misspelt', () => {
  it('does not compile (see the @ts-expect-error lines)', () => {
    expectTypeOf<MisspeltDemoCharm>().toHaveProperty('state');
  });
});
