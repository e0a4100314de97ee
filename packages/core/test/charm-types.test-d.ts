import { describe, expectTypeOf, it } from 'vitest';
import { CharmBase, evaluateStatus } from '../src/charm.js';
import type {
  ActionEvent,
  ConfigChangedEvent,
  InstallEvent,
  RelationChangedEvent,
  StopEvent,
} from '../src/charm-events.js';
import { runDispatch } from '../src/dispatch.js';
import type { BoundEvent, Framework } from '../src/framework.js';
import { main } from '../src/main.js';
import { StoredState } from '../src/stored-state.js';
import { charmMetadata } from './fixtures/demo-charm/charm-metadata.js';

const meta = {
  ...charmMetadata,
  peers: { 'demo-peers': { interface: 'demo_peers' } },
  containers: { 'web-server': { resource: 'web-image' } },
  storage: { data: { type: 'filesystem' } },
  actions: {
    greet: { params: { name: { type: 'string' } } },
    backup: {
      params: {
        target: { type: 'string' },
        level: { type: 'integer', default: 1 },
        'dry-run': { type: 'boolean' },
      },
      required: ['target'],
    },
  },
} as const;

class TypedCharm extends CharmBase<typeof meta> {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.configChanged, this.onConfigChanged);
    this.observe(this.on.dbRelationChanged, this.onDb);
    this.observe(this.on.backupAction, this.onBackup);
    // @ts-expect-error -- misspelt event name
    this.observe(this.on.confgChanged, this.onConfigChanged);
    // @ts-expect-error -- misspelt relation name in an event
    this.observe(this.on.dbsRelationChanged, this.onDb);
    // @ts-expect-error -- a handler for another event type
    this.observe(this.on.install, this.onConfigChanged);
    // @ts-expect-error -- a handler for another event type
    this.observe(this.on.stop, this.onInstall);
  }
  onConfigChanged(_event: ConfigChangedEvent): void {
    const port = this.config.get('port');
    expectTypeOf(port).toEqualTypeOf<number | undefined>();
    expectTypeOf(this.config.get('mode')).toEqualTypeOf<string | undefined>();
    // @ts-expect-error -- misspelt config option
    this.config.get('prot');
    this.getRelation('db');
    this.getRelation('demo-peers');
    // @ts-expect-error -- misspelt relation name
    this.getRelation('dbb');
  }
  onInstall(_event: InstallEvent): void {}
  onDb(event: RelationChangedEvent): void {
    expectTypeOf(event.unit?.name).toEqualTypeOf<string | undefined>();
  }
  onBackup(event: ActionEvent<{ readonly target: string }>): void {
    expectTypeOf(event.params.target).toEqualTypeOf<string>();
  }
}

describe('typed metadata', () => {
  it('types metadata-derived events', () => {
    expectTypeOf<TypedCharm['on']['demoPeersRelationJoined']>().toMatchTypeOf<BoundEvent>();
    expectTypeOf<TypedCharm['on']['webServerPebbleReady']>().toMatchTypeOf<BoundEvent>();
    expectTypeOf<TypedCharm['on']['dataStorageDetaching']>().toMatchTypeOf<BoundEvent>();
    expectTypeOf<TypedCharm['on']>().not.toHaveProperty('webserverPebbleReady');
    expectTypeOf<TypedCharm['on']>().not.toHaveProperty('greetingAction');
    expectTypeOf<TypedCharm['on']['stop']>().toEqualTypeOf<BoundEvent<StopEvent, []>>();
  });

  it('types action parameters: required and defaulted ones are present', () => {
    type Params =
      TypedCharm['on']['backupAction'] extends BoundEvent<ActionEvent<infer P>, [id: string]>
        ? P
        : never;
    expectTypeOf<Params['target']>().toEqualTypeOf<string>();
    expectTypeOf<Params['level']>().toEqualTypeOf<number>();
    expectTypeOf<Params['dry-run']>().toEqualTypeOf<boolean | undefined>();
    // @ts-expect-error -- misspelt action parameter
    expectTypeOf<Params['targte']>().toBeString();
  });

  it('accepts any name when the metadata is untyped', () => {
    class Untyped extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.anythingRelationChanged, this.onAny);
        this.getRelation('whatever');
      }
      onAny(_event: RelationChangedEvent): void {}
    }
    type FooParams =
      Untyped['on']['fooAction'] extends BoundEvent<ActionEvent<infer P>, [id: string]> ? P : never;
    expectTypeOf<FooParams['any-name']>().toBeUnknown();
  });

  it('types stored state from its defaults', () => {
    class WithState extends CharmBase {
      readonly state = new StoredState(this, 'state', {
        count: 0,
        ready: false,
        tags: [] as string[],
      });
    }
    expectTypeOf<WithState['state']['data']>().toEqualTypeOf<{
      count: number;
      ready: boolean;
      tags: string[];
    }>();
  });
});

describe('entry points', () => {
  it('accept charms with typed metadata', () => {
    class Typed extends CharmBase<typeof meta> {}
    expectTypeOf(main).toBeCallableWith(Typed, { exit: false });
    expectTypeOf(runDispatch).parameter(0).toMatchTypeOf<typeof Typed>();
    expectTypeOf(evaluateStatus).toBeCallableWith(new Typed({} as Framework));
  });
});
