// Behaviours checked against Scenario's sources (testing/src/scenario/*) where opsjs once
// differed; each test names the Scenario behaviour it pins.
import { CharmBase, type Framework } from '@opsjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../src/context.js';
import { Secret } from '../src/state/secret.js';
import { State } from '../src/state/state.js';

const META = {
  name: 'fid',
  config: { options: { id: { type: 'string' } } },
} as const;

class SecretSetter extends CharmBase {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.configChanged, this.onConfigChanged);
  }
  onConfigChanged(): void {
    const id = this.config.get('id');
    if (typeof id !== 'string') return;
    const secret = this.model.getSecret({ id });
    // Same content, then metadata only: Scenario's secret_set bumps the revision both times.
    secret.setContent({ key: 'one' });
    secret.setInfo({ description: 'described' });
  }
}

let ctx: Context<typeof SecretSetter>;
afterEach(() => ctx.close());

describe('Scenario fidelity', () => {
  it('makes a new secret revision on every secret-set (mocking.secret_set)', async () => {
    ctx = new Context(SecretSetter, { meta: META });
    const owned = new Secret({ trackedContent: { key: 'one' }, owner: 'unit' });
    const out = await ctx.run(
      ctx.on.configChanged(),
      new State({ secrets: [owned], config: { id: owned.id ?? '' } }),
    );
    const after = out.getSecret({ id: owned.id });
    expect(after.latestRevision).toBe(3);
    expect(after.latestContent).toEqual({ key: 'one' });
    expect(after.description).toBe('described');
  });
});
