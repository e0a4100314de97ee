import { describe, expect, it } from 'vitest';
import { Context } from '../src/context.js';
import { Container, Exec } from '../src/state/container.js';
import { State } from '../src/state/state.js';
import { SampleCharm } from './fixtures/sample-charm.js';
import { SAMPLE_META } from './fixtures/sample-meta.js';

describe('Context resources', () => {
  it('leaves no sockets, servers or timers behind after runs with a connectable container', async () => {
    const ctx = new Context(SampleCharm, { meta: SAMPLE_META });
    const workload = new Container({
      name: 'workload',
      canConnect: true,
      execs: [new Exec({ commandPrefix: ['hostname'] })],
    });
    const state = new State({ containers: [workload] });
    await ctx.run(ctx.on.pebbleReady(workload), state);
    await new Promise((resolve) => setImmediate(resolve));
    const before = process.getActiveResourcesInfo().length;
    for (let i = 0; i < 10; i++) await ctx.run(ctx.on.pebbleReady(workload), state);
    await new Promise((resolve) => setImmediate(resolve));
    const after = process.getActiveResourcesInfo().length;
    expect(after - before).toBeLessThanOrEqual(1);
    ctx.close();
  });
});
