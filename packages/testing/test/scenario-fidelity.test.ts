// Behaviours checked against Scenario's sources (testing/src/scenario/*) where opsjs once
// differed; each test names the Scenario behaviour it pins.
import { type ActionEvent, CharmBase, type Framework } from '@opsjs/core';
import { ErrorStatus, ModelError, type StatusBase, UnknownStatus } from '@opsjs/model';
import { ExecError } from '@opsjs/pebble';
import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../src/context.js';
import { UncaughtCharmError } from '../src/errors.js';
import { Container } from '../src/state/container.js';
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

let wanted: StatusBase = new UnknownStatus();
class StatusSetter extends CharmBase {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.updateStatus, this.onUpdate);
  }
  onUpdate(): void {
    this.unit.status = wanted;
  }
}

const execOutcomes: string[] = [];
class Execer extends CharmBase {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.get('workload_pebble_ready') as never, this.onReady);
  }
  async onReady(): Promise<void> {
    try {
      await (await this.unit.getContainer('workload').exec(['nope'])).waitOutput();
      execOutcomes.push('ran');
    } catch (e) {
      execOutcomes.push(e instanceof ExecError ? `exit ${e.exitCode}` : String(e));
    }
  }
}

let ctx:
  | Context<typeof SecretSetter>
  | Context<typeof Actions>
  | Context<typeof StatusSetter>
  | Context<typeof Execer>;
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

  it('refuses error and unknown statuses from the charm (test_status.py::test_status_error)', async () => {
    const sctx = new Context(StatusSetter, { meta: { name: 'st' } });
    ctx = sctx;
    for (const status of [new ErrorStatus('fiz'), new UnknownStatus()]) {
      wanted = status;
      const error = await sctx.run(sctx.on.updateStatus(), new State()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UncaughtCharmError);
      const cause = (error as Error).cause;
      expect(cause).toBeInstanceOf(ModelError);
      // The production backend refuses it before status-set runs, as ops' real backend does
      // ("status must be in ..."); Scenario's mock answers as the hook tool would.
      expect(String((cause as Error).message)).toContain(`'${status.name}'`);
    }
  });

  it('fails a command with no matching Exec with exit code 127 (mocking exec)', async () => {
    const ectx = new Context(Execer, {
      meta: { name: 'ex', containers: { workload: { resource: 'img' } } },
    });
    ctx = ectx;
    const workload = new Container({ name: 'workload', canConnect: true });
    await ectx.run(ectx.on.pebbleReady(workload), new State({ containers: [workload] }));
    expect(execOutcomes).toEqual(['exit 127']);
    expect(ectx.execHistory.workload).toEqual([]);
  });
});
