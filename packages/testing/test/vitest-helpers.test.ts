import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { State } from '../src/state/state.js';
import { autoCleanup, useContext, useHarness } from '../src/vitest.js';
import { SampleCharm } from './fixtures/sample-charm.js';
import { SAMPLE_META } from './fixtures/sample-meta.js';

const dirs: string[] = [];
let closed = false;

describe('vitest helpers', () => {
  it('clean up harnesses, contexts and anything closable when the test finishes', async () => {
    const harness = useHarness(SampleCharm, { meta: SAMPLE_META });
    await harness.begin();
    dirs.push(harness.getFilesystemRoot('workload'));
    const ctx = useContext(SampleCharm, { meta: SAMPLE_META });
    await ctx.run(ctx.on.install(), new State());
    dirs.push(ctx.tempDir);
    autoCleanup({
      close: () => {
        closed = true;
      },
    });
    expect(dirs.every((d) => existsSync(d))).toBe(true);
  });

  it('(checks the previous test cleaned up)', () => {
    expect(dirs).toHaveLength(2);
    expect(dirs.some((d) => existsSync(d))).toBe(false);
    expect(closed).toBe(true);
  });
});
