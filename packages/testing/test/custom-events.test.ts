// `ctx.on.custom(pick, ...args)`: a charm library's own events, checked against Scenario's tests
// (canonical/operator, testing/tests/, commit 7989557d). Each test names the upstream test it
// mirrors; the code is our own.
import {
  CharmBase,
  type CollectStatusEvent,
  EventBase,
  type Framework,
  FrameworkObject,
  type Handle,
  ObjectEvents,
  RelationChangedEvent,
  type SnapshotData,
  type StartEvent,
} from '@opsjs/core';
import type {
  Container as ModelContainer,
  Relation as ModelRelation,
  Secret as ModelSecret,
  Storage as ModelStorage,
} from '@opsjs/model';
import { afterEach, describe, expect, it } from 'vitest';
import { Context } from '../src/context.js';
import { DispatchError, StateValidationError } from '../src/errors.js';
import { EventFactories } from '../src/event.js';
import { runDispatch } from '../src/run-dispatch.js';
import { Container } from '../src/state/container.js';
import { Storage } from '../src/state/misc.js';
import { Relation } from '../src/state/relation.js';
import { Secret } from '../src/state/secret.js';
import { State } from '../src/state/state.js';

class CustomEvent extends EventBase {}

class CustomEventWithArgs extends CustomEvent {
  arg0: string;
  arg1: number;
  constructor(handle: Handle, arg0 = '', arg1 = 0) {
    super(handle);
    this.arg0 = arg0;
    this.arg1 = arg1;
  }
  override snapshot(): SnapshotData {
    return { arg0: this.arg0, arg1: this.arg1 };
  }
  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.arg0 = String(snapshot.arg0);
    this.arg1 = Number(snapshot.arg1);
  }
}

class CustomRelationEvent extends RelationChangedEvent {}

/** Carries model objects, snapshotted by name as Scenario's `CustomEventWithScenarioArgs`. */
class StateObjectsEvent extends EventBase {
  relation: ModelRelation | null;
  secret: ModelSecret;
  container: ModelContainer;
  storage: ModelStorage;
  constructor(
    handle: Handle,
    relation: ModelRelation | null,
    secret: ModelSecret,
    container: ModelContainer,
    storage: ModelStorage,
  ) {
    super(handle);
    this.relation = relation;
    this.secret = secret;
    this.container = container;
    this.storage = storage;
  }
  override snapshot(): SnapshotData {
    return {
      relation: this.relation?.name ?? null,
      relation_id: this.relation?.id ?? null,
      secret: this.secret.id ?? null,
      container: this.container.name,
      storage_name: this.storage.name,
      storage_index: this.storage.index,
    };
  }
  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    const model = this.framework.model;
    this.relation = model.getRelation(String(snapshot.relation), Number(snapshot.relation_id));
    this.secret = model.getSecret({ id: String(snapshot.secret) });
    this.container = model.unit.getContainer(String(snapshot.container));
    const storage = model.storages
      .get(String(snapshot.storage_name))
      .find((s) => s.index === Number(snapshot.storage_index));
    if (storage === undefined) throw new Error('storage not attached');
    this.storage = storage;
  }
}

class CustomEvents extends ObjectEvents.define({
  fooStarted: CustomEvent,
  fooChanged: CustomEventWithArgs,
  fooRelationChanged: CustomRelationEvent,
  stateEvent: StateObjectsEvent,
}) {}

class MyConsumer extends FrameworkObject {
  readonly on = new CustomEvents(this);
  constructor(charm: CharmBase) {
    super(charm, 'my-consumer');
  }
}

class OtherEvent extends EventBase {}
class OtherEvents extends ObjectEvents.define({ fooChanged: OtherEvent }) {}
class OtherConsumer extends FrameworkObject {
  readonly on = new OtherEvents(this);
  constructor(charm: CharmBase, relationName: string) {
    super(charm, relationName);
  }
}

const META = {
  name: 'my-charm',
  requires: { endpoint: { interface: 'int1' } },
  containers: { container: {} },
  storage: { store: { type: 'filesystem' } },
};

class CustomCharm extends CharmBase {
  readonly observed: EventBase[] = [];
  readonly consumer = new MyConsumer(this);
  readonly other = new OtherConsumer(this, 'some-relation');
  static deferNext = 0;
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.consumer.on.fooStarted, this.onEvent);
    this.observe(this.consumer.on.fooChanged, this.onEvent);
    this.observe(this.consumer.on.fooRelationChanged, this.onEvent);
    this.observe(this.consumer.on.stateEvent, this.onEvent);
    this.observe(this.other.on.fooChanged, this.onEvent);
    this.observe(this.on.start, this.onEvent);
    this.observe(this.on.collectUnitStatus, this.onEvent);
  }
  onEvent(event: EventBase | StartEvent | CollectStatusEvent): void {
    this.observed.push(event);
    if (CustomCharm.deferNext > 0 && event instanceof CustomEventWithArgs) {
      CustomCharm.deferNext -= 1;
      event.defer();
    }
  }
}

const contexts: Context<typeof CustomCharm>[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.close();
  CustomCharm.deferNext = 0;
});
function context(): Context<typeof CustomCharm> {
  const ctx = new Context(CustomCharm, { meta: META });
  contexts.push(ctx);
  return ctx;
}

describe('ctx.on.custom(pick, ...args)', () => {
  // Mirrors test_context_on.py::test_custom_event_no_args.
  it("emits a library's event, then collect-status", async () => {
    const ctx = context();
    const mgr = ctx.manager(
      ctx.on.custom((charm) => charm.consumer.on.fooStarted),
      new State(),
    );
    await mgr.run();
    const [custom, collectStatus, ...rest] = mgr.charm.observed;
    expect(rest).toEqual([]);
    expect(custom).toBeInstanceOf(CustomEvent);
    expect(custom?.handle.path).toBe('CustomCharm/MyConsumer[my-consumer]/on/foo_started[1]');
    expect(collectStatus?.handle.kind).toBe('collect_unit_status');
    expect(ctx.emittedEvents.map((e) => [e.name, e.origin])).toEqual([['foo_started', 'juju']]);
    expect(ctx.jujuLog).toContainEqual({
      level: 'DEBUG',
      message: 'Emitting Juju event foo_started.',
    });
  });

  // Mirrors test_context_on.py::test_custom_event_with_args.
  it('passes the constructor arguments', async () => {
    const ctx = context();
    const mgr = ctx.manager(
      ctx.on.custom((charm) => charm.consumer.on.fooChanged, 'foo', 42),
      new State(),
    );
    await mgr.run();
    const [custom, collectStatus] = mgr.charm.observed;
    expect(collectStatus?.handle.kind).toBe('collect_unit_status');
    expect(custom).toBeInstanceOf(CustomEventWithArgs);
    expect(custom).toMatchObject({ arg0: 'foo', arg1: 42 });
  });

  // Mirrors test_context_on.py::test_custom_event_is_hookevent.
  it('refuses a Juju hook event', async () => {
    const ctx = context();
    const relation = new Relation({ endpoint: 'endpoint' });
    const event = ctx.on.custom((charm) => charm.consumer.on.fooRelationChanged, relation);
    await expect(ctx.run(event, new State({ relations: [relation] }))).rejects.toThrow(
      StateValidationError,
    );
    await expect(ctx.run(event, new State({ relations: [relation] }))).rejects.toThrow(
      'ctx.on.custom: CustomRelationEvent (CustomCharm/MyConsumer[my-consumer]/on/foo_relation_changed) is a Juju hook event',
    );
  });

  // Mirrors test_context_on.py::test_custom_event_with_scenario_args (relation, secret,
  // container and storage: the state objects ours turns into model objects).
  it('turns state objects given as arguments into model objects', async () => {
    const ctx = context();
    const relation = new Relation({ endpoint: 'endpoint' });
    const secret = new Secret({ trackedContent: { password: 'xxxx' } });
    const container = new Container({ name: 'container', canConnect: true });
    const storage = new Storage({ name: 'store' });
    const mgr = ctx.manager(
      ctx.on.custom((charm) => charm.consumer.on.stateEvent, relation, secret, container, storage),
      new State({
        relations: [relation],
        secrets: [secret],
        containers: [container],
        storages: [storage],
      }),
    );
    await mgr.run();
    const event = mgr.charm.observed[0];
    expect(event).toBeInstanceOf(StateObjectsEvent);
    if (!(event instanceof StateObjectsEvent)) return;
    expect(event.relation?.name).toBe('endpoint');
    expect(event.relation?.id).toBe(relation.id);
    expect(event.secret.id).toBe(secret.id);
    expect(event.container.name).toBe('container');
    expect(event.storage.name).toBe('store');
    expect(event.storage.index).toBe(storage.index);
  });

  // Mirrors test_context_on.py::test_custom_event_two_libraries.
  it('tells two libraries with the same event name apart', async () => {
    const ctx = context();
    const first = ctx.manager(
      ctx.on.custom((charm) => charm.consumer.on.fooChanged),
      new State(),
    );
    await first.run();
    expect(first.charm.observed[0]).toBeInstanceOf(CustomEventWithArgs);
    const second = ctx.manager(
      ctx.on.custom((charm) => charm.other.on.fooChanged),
      new State(),
    );
    await second.run();
    const [evt, collectStatus] = second.charm.observed;
    expect(evt).toBeInstanceOf(OtherEvent);
    expect(evt?.handle.path).toBe('CustomCharm/OtherConsumer[some-relation]/on/foo_changed[1]');
    expect(collectStatus?.handle.kind).toBe('collect_unit_status');
  });

  // Mirrors test_e2e/test_deferred.py::test_defer_custom_event.
  it('defers a library event and re-emits it in the next run', async () => {
    const ctx = new Context(CustomCharm, { meta: META, captureDeferredEvents: true });
    contexts.push(ctx);
    CustomCharm.deferNext = 1;
    const state1 = await ctx.run(
      ctx.on.custom((charm) => charm.consumer.on.fooChanged, 'foo', 28),
      new State(),
    );
    expect(ctx.emittedEvents.map((e) => e.event.constructor.name)).toEqual(['CustomEventWithArgs']);
    expect(ctx.emittedEvents[0]?.event.snapshot()).toEqual({ arg0: 'foo', arg1: 28 });
    expect(state1.deferred).toHaveLength(1);

    const state2 = await ctx.run(ctx.on.start(), state1);
    expect(ctx.emittedEvents.map((e) => e.event.constructor.name)).toEqual([
      'CustomEventWithArgs',
      'CustomEventWithArgs',
      'StartEvent',
    ]);
    expect(ctx.emittedEvents[1]?.event.snapshot()).toEqual({ arg0: 'foo', arg1: 28 });
    expect(state2.deferred).toEqual([]);
  });

  it('still dispatches an event of charm.on by name', async () => {
    const ctx = context();
    await expect(ctx.run(ctx.on.custom('no_such_event'), new State())).rejects.toThrow(
      'the charm does not define this event',
    );
  });

  it('runs only in a Context, not in a process-level runDispatch', async () => {
    const on = new EventFactories();
    await expect(
      runDispatch({
        entry: 'charm.js',
        meta: META,
        event: on.custom((charm: CustomCharm) => charm.consumer.on.fooStarted),
        state: new State(),
      }),
    ).rejects.toThrow(DispatchError);
  });
});
