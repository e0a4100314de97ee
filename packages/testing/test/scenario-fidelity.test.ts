// Behaviours checked against Scenario's sources (testing/src/scenario/*) where opsjs once
// differed; each test names the Scenario behaviour it pins.
import { type ActionEvent, CharmBase, type Framework } from '@opsjs/core';
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

class Actions extends CharmBase {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.get('quiet_action') as never, this.onQuiet);
    this.observe(this.on.get('loud_action') as never, this.onLoud);
  }
  onQuiet(): void {}
  onLoud(event: ActionEvent): void {
    event.setResults({ out: 'yes' });
  }
}

let ctx: Context<typeof SecretSetter> | Context<typeof Actions>;
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

  it('leaves action results unset until an action sets some (context.action_results)', async () => {
    const actx = new Context(Actions, {
      meta: { name: 'acts', actions: { quiet: {}, loud: {} } },
    });
    ctx = actx;
    await actx.run(actx.on.action('quiet'), new State());
    expect(actx.actionResults).toBeUndefined();
    await actx.run(actx.on.action('loud'), new State());
    expect(actx.actionResults).toEqual({ out: 'yes' });
    await actx.run(actx.on.action('quiet'), new State());
    expect(actx.actionResults).toEqual({});
  });
});
