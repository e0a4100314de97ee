// Behaviour checks against Scenario's own test suite (canonical/operator, testing/tests/,
// commit 7989557d). Each test names the upstream test it mirrors; the code is our own.
import {
  type ActionEvent,
  ActiveStatus,
  BlockedStatus,
  CharmBase,
  StoredState as CoreStoredState,
  type EventBase,
  type Framework,
  UnknownStatus,
  WaitingStatus,
} from '@opsjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../../src/context.js';
import { ActionFailed, InconsistentScenarioError } from '../../src/errors.js';
import { StoredState } from '../../src/state/misc.js';
import { Relation } from '../../src/state/relation.js';
import { Secret } from '../../src/state/secret.js';
import { State } from '../../src/state/state.js';

const contexts: Context[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.close();
});
function context<C extends ConstructorParameters<typeof Context>[0]>(
  charm: C,
  options: ConstructorParameters<typeof Context>[1],
): Context<C> {
  const ctx = new Context(charm, options);
  contexts.push(ctx as unknown as Context);
  return ctx;
}

describe('Scenario parity', () => {
  // Mirrors test_e2e/test_deferred.py::test_deferred_evt_emitted.
  it('re-emits a deferred event before the new one and keeps both deferred', async () => {
    const captured: string[] = [];
    class MyCharm extends CharmBase {
      deferNext = 2;
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.start, this.onEvent);
        this.observe(this.on.updateStatus, this.onEvent);
      }
      onEvent(event: EventBase): void {
        captured.push(event.handle.kind);
        if (this.deferNext > 0) {
          this.deferNext -= 1;
          event.defer();
        }
      }
    }
    const ctx = context(MyCharm, {
      meta: { name: 'mycharm', requires: { foo: { interface: 'bar' } } },
    });
    const deferred = ctx.on.updateStatus().deferred('onEvent', { owner: 'MyCharm' });
    const out = await ctx.run(ctx.on.start(), new State({ deferred: [deferred] }));
    // Both are still deferred, listed as Scenario lists them (by handle path: start first).
    expect(out.deferred.map((d) => d.name)).toEqual(['start', 'update_status']);
    expect(captured).toEqual(['update_status', 'start']);
  });

  // Mirrors test_e2e/test_status.py::test_status_history.
  it('records the statuses before each change, app and unit', async () => {
    class StatusCharm extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.updateStatus, this.onUpdateStatus);
      }
      onUpdateStatus(): void {
        for (const obj of [this.unit, this.app]) {
          obj.status = new ActiveStatus('1');
          obj.status = new BlockedStatus('2');
          obj.status = new WaitingStatus('3');
        }
      }
    }
    const ctx = context(StatusCharm, { meta: { name: 'local' } });
    const out = await ctx.run(ctx.on.updateStatus(), new State({ leader: true }));
    expect(out.unitStatus).toEqual(new WaitingStatus('3'));
    expect(ctx.unitStatusHistory).toEqual([
      new UnknownStatus(),
      new ActiveStatus('1'),
      new BlockedStatus('2'),
    ]);
    expect(out.appStatus).toEqual(new WaitingStatus('3'));
    expect(ctx.appStatusHistory).toEqual([
      new UnknownStatus(),
      new ActiveStatus('1'),
      new BlockedStatus('2'),
    ]);
  });

  // Mirrors test_e2e/test_secrets.py::test_get_secret_get_refresh (owner 'app' and 'unit').
  it('reads the latest revision with refresh', async () => {
    for (const owner of ['app', 'unit'] as const) {
      const ctx = context(CharmBase, { meta: { name: 'local' } });
      const secret = new Secret({ trackedContent: { a: 'b' }, latestContent: { a: 'c' }, owner });
      const mgr = ctx.manager(ctx.on.updateStatus(), new State({ secrets: [secret] }), {
        beforeEmit: (charm) => {
          expect(charm.model.getSecret({ id: secret.id }).getContent({ refresh: true }).a).toBe(
            'c',
          );
        },
      });
      await mgr.run();
    }
  });

  // Mirrors test_e2e/test_actions.py::test_action_event_outputs.
  it('reports results and logs of a failed action', async () => {
    class ActionCharm extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.get('foo_action') as never, this.onFoo);
      }
      onFoo(event: ActionEvent): void {
        event.setResults({ 'my-res': { a: 'b' } });
        event.log('log1');
        event.log('log2');
        event.fail('failed becozz');
      }
    }
    const ctx = context(ActionCharm, { meta: { name: 'foo' }, actions: { foo: {} } });
    const error = await ctx.run(ctx.on.action('foo'), new State()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionFailed);
    expect((error as ActionFailed).failureMessage).toBe('failed becozz');
    expect(ctx.actionResults).toEqual({ 'my-res': { a: 'b' } });
    expect(ctx.actionLogs).toEqual(['log1', 'log2']);
  });

  // Mirrors test_consistency_checker.py::test_relation_not_in_state and
  // ::test_config_key_missing_from_meta.
  it('rejects a relation event for a relation not in the state, and unknown config keys', async () => {
    const ctx = context(CharmBase, {
      meta: { name: 'local', requires: { foo: { interface: 'bar' } } },
    });
    const relation = new Relation({ endpoint: 'foo' });
    await expect(ctx.run(ctx.on.relationCreated(relation), new State())).rejects.toThrow(
      InconsistentScenarioError,
    );
    await expect(
      ctx.run(ctx.on.relationCreated(relation), new State({ relations: [relation] })),
    ).resolves.toBeInstanceOf(State);
    await expect(ctx.run(ctx.on.start(), new State({ config: { foo: 'bar' } }))).rejects.toThrow(
      "config option 'foo' is in State.config but not declared in config.yaml or charmcraft.yaml.",
    );
  });

  // Mirrors test_e2e/test_stored_state.py::test_stored_state_initialized.
  it('starts stored state from the input and fills the defaults', async () => {
    class Charm extends CharmBase {
      readonly stored = new CoreStoredState(this, '_stored', { foo: 'bar', baz: { '12': 142 } });
      readonly stored2 = new CoreStoredState(this, '_stored2', { foo: 'bar', baz: { '12': 142 } });
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.start, this.onStart);
      }
      onStart(): void {
        void this.stored.data.foo;
        void this.stored2.data.foo;
      }
    }
    const ctx = context(Charm, { meta: { name: 'mycharm' } });
    const out = await ctx.run(
      ctx.on.start(),
      new State({
        storedStates: [
          new StoredState({ ownerPath: 'Charm', name: '_stored', content: { foo: 'FOOX' } }),
        ],
      }),
    );
    expect(out.getStoredState('_stored', 'Charm').content).toEqual({
      foo: 'FOOX',
      baz: { '12': 142 },
    });
    expect(out.getStoredState('_stored2', 'Charm').content).toEqual({
      foo: 'bar',
      baz: { '12': 142 },
    });
  });
});
