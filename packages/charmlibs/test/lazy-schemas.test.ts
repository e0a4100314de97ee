import { ActiveStatus, CharmBase, type Framework } from '@opsjs/core';
import { Context, Relation, State } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { int, object, optional, string } from 'zod/mini';
import type { RemoteDataEvent, RemoteDataOf } from '../src/index.js';
import { defineInterface } from '../src/interface-definition.js';
import { jsonField } from '../src/json-field.js';
import { greetingV0 } from './fixtures/greeting.js';

let built = 0;
/** The greeting interface with its schemas built on first use, counting the builds. */
const lazyGreeting = defineInterface({
  name: 'greeting',
  version: 0,
  summary: 'A greeting for each requirer.',
  schemas: () => {
    built += 1;
    return {
      provider: {
        app: {
          message: string(),
          details: optional(jsonField(object({ lang: string(), words: int() }))),
        },
      },
      requirer: {
        app: { name: jsonField(string()) },
        unit: { host: jsonField(string()) },
      },
    };
  },
});

const META = { name: 'asker', requires: { greeting: { interface: 'greeting' } } } as const;

class LazyAsker extends CharmBase<typeof META> {
  readonly greeting = new lazyGreeting.Requirer(this, 'greeting');

  constructor(framework: Framework) {
    super(framework);
    this.observe(this.greeting.on.ready, this.onReady);
  }

  onReady(event: RemoteDataEvent<RemoteDataOf<typeof lazyGreeting, 'requirer'>>): void {
    this.unit.status = new ActiveStatus(event.data.app.message);
  }
}

let ctx: Context | undefined;
afterEach(() => {
  ctx?.close();
  ctx = undefined;
});

describe('an interface defined with lazy schemas', () => {
  it('builds them on first use: not for a dispatch that reads no data, once after', async () => {
    expect(built).toBe(0);
    ctx = new Context(LazyAsker, { meta: META });
    await ctx.run(ctx.on.install(), new State());
    await ctx.run(ctx.on.configChanged(), new State());
    expect(built).toBe(0);
    const rel = new Relation({
      endpoint: 'greeting',
      remoteAppName: 'greeter',
      remoteAppData: { message: 'hi' },
    });
    const out = await ctx.run(ctx.on.relationChanged(rel), new State({ relations: [rel] }));
    expect(out.unitStatus.message).toBe('hi');
    await ctx.run(ctx.on.relationChanged(rel), new State({ relations: [rel] }));
    expect(built).toBe(1);
  });

  it('behaves as the same interface defined eagerly', () => {
    expect(lazyGreeting.jsonSchemas()).toEqual(greetingV0.jsonSchemas());
    const bag = { message: 'hi', details: '{"lang": 1}' };
    expect(lazyGreeting.provider.app.parse(bag)).toEqual(greetingV0.provider.app.parse(bag));
    expect(lazyGreeting.requirer.unit.encode({ host: 'h' })).toEqual({ host: '"h"' });
    expect(Object.keys(lazyGreeting.provider.app.shape)).toEqual(['message', 'details']);
  });
});
