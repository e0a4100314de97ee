import {
  CharmBase,
  EventBase,
  type Framework,
  FrameworkObject,
  type Handle,
  ObjectEvents,
} from '@opsjs/core';
import type { Relation as ModelRelation } from '@opsjs/model';
import { describe, expectTypeOf, it } from 'vitest';
import { Context } from '../src/context.js';
import type { ScenarioEvent } from '../src/event.js';
import { Relation } from '../src/state/relation.js';

class ReadyEvent extends EventBase {
  readonly url: string;
  readonly relation: ModelRelation | null;
  constructor(handle: Handle, url: string, relation: ModelRelation | null = null) {
    super(handle);
    this.url = url;
    this.relation = relation;
  }
}
class DbEvents extends ObjectEvents.define({ ready: ReadyEvent }) {}
class Db extends FrameworkObject {
  readonly on = new DbEvents(this);
}
class DbCharm extends CharmBase {
  readonly db: Db;
  constructor(framework: Framework) {
    super(framework);
    this.db = new Db(this, 'db');
  }
}

describe('ctx.on.custom types', () => {
  it("types the picker's charm and checks the arguments against the event's constructor", () => {
    const ctx = new Context(DbCharm);
    expectTypeOf(
      ctx.on.custom((charm) => charm.db.on.ready, 'pg://'),
    ).toEqualTypeOf<ScenarioEvent>();
    expectTypeOf(
      ctx.on.custom((charm) => charm.db.on.ready, 'pg://', null),
    ).toEqualTypeOf<ScenarioEvent>();
    // A state relation stands for the model relation the constructor takes.
    ctx.on.custom((charm) => charm.db.on.ready, 'pg://', new Relation({ endpoint: 'db' }));
    // @ts-expect-error the url is required.
    ctx.on.custom((charm) => charm.db.on.ready);
    // @ts-expect-error the url is a string.
    ctx.on.custom((charm) => charm.db.on.ready, 42);
    // @ts-expect-error one argument too many.
    ctx.on.custom((charm) => charm.db.on.ready, 'pg://', null, 'extra');
    // @ts-expect-error the charm has no such library.
    ctx.on.custom((charm) => charm.cache.on.ready, 'pg://');
    expectTypeOf(ctx.on.custom('db_ready')).toEqualTypeOf<ScenarioEvent>();
  });
});
