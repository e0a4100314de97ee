import { describe, expectTypeOf, it } from 'vitest';
import { Context, type Manager } from '../src/context.js';
import { Harness } from '../src/harness.js';
import { State } from '../src/state/state.js';
import { SampleCharm } from './fixtures/sample-charm.js';

describe('types', () => {
  it('type the live charm of a Harness and of a Manager by the charm class', () => {
    const harness = new Harness(SampleCharm);
    expectTypeOf(harness.charm).toEqualTypeOf<SampleCharm>();
    const ctx = new Context(SampleCharm);
    const mgr = ctx.manager(ctx.on.install(), new State());
    expectTypeOf(mgr).toEqualTypeOf<Manager<typeof SampleCharm>>();
    expectTypeOf(mgr.charm).toEqualTypeOf<SampleCharm>();
    expectTypeOf(ctx.run).returns.resolves.toEqualTypeOf<State>();
  });

  it('keep State read-only', () => {
    const state = new State();
    // @ts-expect-error State fields are read-only: derive a new state with with().
    state.leader = true;
    // @ts-expect-error config is a read-only record.
    state.config.port = 1;
    expectTypeOf(state.with({ leader: true })).toEqualTypeOf<State>();
  });
});
