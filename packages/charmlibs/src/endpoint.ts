import {
  type AnyCharm,
  type BoundEvent,
  type EventBase,
  FrameworkObject,
  Handle,
  ObjectEvents,
  type Relation,
  RelationBrokenEvent,
  RelationEvent,
  StoredState,
} from '@opsjs/core';
import type {
  BagCodec,
  BagData,
  BagIssue,
  BagParseResult,
  BagShape,
  BagValue,
} from './bag-codec.js';
import { RemoteDataEvent, RemoteGoneEvent, RemoteInvalidEvent } from './endpoint-events.js';
import { CharmLibError, EndpointError, NotLeaderError } from './errors.js';

/** The keys Juju itself writes into every unit databag; they do not count as data. */
export const JUJU_UNIT_BAG_KEYS: readonly string[] = [
  'egress-subnets',
  'ingress-address',
  'private-address',
];

/** The remote side's validated data on one relation. */
export interface RemoteData<RA extends BagShape, RU extends BagShape> {
  /** The remote application's bag. */
  readonly app: BagData<RA>;
  /** The bags of the remote units that wrote data, by unit name. */
  readonly units: ReadonlyMap<string, BagData<RU>>;
}

/** What the endpoint knows about the remote side of one relation. */
export type RemoteState<D> =
  | { readonly status: 'ready'; readonly data: D }
  | { readonly status: 'pending'; readonly reason: string }
  | { readonly status: 'invalid'; readonly issues: readonly BagIssue[] };

/** Options of an interface endpoint object. */
export interface EndpointOptions {
  /** Remote values longer than this many UTF-8 bytes are rejected (default 1 MiB). */
  readonly maxValueBytes?: number;
}

/** The codecs an endpoint uses: its own side's bags and the remote side's. */
export interface EndpointCodecs<
  LA extends BagShape,
  LU extends BagShape,
  RA extends BagShape,
  RU extends BagShape,
> {
  /** The interface name, e.g. `ingress`. */
  readonly interfaceName: string;
  /** `provides` for a provider, `requires` for a requirer. */
  readonly role: 'provides' | 'requires';
  /** This side's application bag. */
  readonly localApp: BagCodec<LA>;
  /** This side's unit bags. */
  readonly localUnit: BagCodec<LU>;
  /** The remote side's application bag. */
  readonly remoteApp: BagCodec<RA>;
  /** The remote side's unit bags. */
  readonly remoteUnit: BagCodec<RU>;
}

/** The custom events of an interface endpoint. */
export type EndpointEvents<D> = ObjectEvents & {
  /** The remote data of a relation became valid for the first time (or again after invalid). */
  readonly ready: BoundEvent<RemoteDataEvent<D>, [Relation, D]>;
  /** The remote data of a relation that was ready changed and is still valid. */
  readonly changed: BoundEvent<RemoteDataEvent<D>, [Relation, D]>;
  /** The remote data of a relation is invalid. */
  readonly invalid: BoundEvent<RemoteInvalidEvent, [Relation, readonly BagIssue[]]>;
  /** A relation is going away (`relation-broken`). */
  readonly gone: BoundEvent<RemoteGoneEvent, [string, number]>;
};

/**
 * One endpoint of a relation interface, seen from this charm: it observes the endpoint's
 * relation events, validates the remote side's bags, emits `ready`, `changed`, `invalid`
 * and `gone`, and writes this side's bags. Create one per endpoint in the charm's
 * constructor, through an interface's `Provider` or `Requirer` class.
 *
 * Handle path: `<charm>/<Kind>[<endpoint>]`; one object per endpoint.
 */
export class InterfaceEndpoint<
  LA extends BagShape,
  LU extends BagShape,
  RA extends BagShape,
  RU extends BagShape,
> extends FrameworkObject {
  static override handleKind = 'InterfaceEndpoint';
  /** The endpoint name (the relation name in the charm's metadata). */
  readonly endpoint: string;
  /** The custom events (observe them with `this.observe(db.on.ready, this.onDbReady)`). */
  readonly on: EndpointEvents<RemoteData<RA, RU>>;
  /** The bag codecs of both sides. */
  readonly codecs: EndpointCodecs<LA, LU, RA, RU>;
  readonly #options: EndpointOptions;
  readonly #state: StoredState<{ ready: number[] }>;

  /**
   * @param charm - the charm (its `on` carries the endpoint's relation events)
   * @param endpoint - the endpoint name in the charm's metadata
   * @param codecs - the interface's bag codecs for this role
   * @param options - limits
   * @throws {EndpointError} when the endpoint is not in the metadata, has the wrong role or
   *   interface, or already has an interface object
   */
  constructor(
    charm: AnyCharm,
    endpoint: string,
    codecs: EndpointCodecs<LA, LU, RA, RU>,
    options: EndpointOptions = {},
  ) {
    super(charm, checkEndpoint(charm, endpoint, codecs, new.target));
    this.endpoint = endpoint;
    this.codecs = codecs;
    this.#options = options;
    this.#state = new StoredState(this, 'state', { ready: [] as number[] });
    const reload = (relation: Relation): RemoteData<RA, RU> => this.#reload(relation);
    class Ready extends RemoteDataEvent<RemoteData<RA, RU>> {
      protected override reload(relation: Relation): RemoteData<RA, RU> {
        return reload(relation);
      }
    }
    class Changed extends Ready {}
    const events = new ObjectEvents(this);
    events.defineEvent('ready', Ready);
    events.defineEvent('changed', Changed);
    events.defineEvent('invalid', RemoteInvalidEvent);
    events.defineEvent('gone', RemoteGoneEvent);
    this.on = events as EndpointEvents<RemoteData<RA, RU>>;
    const charmEvents = charm.on.prefixed(endpoint);
    for (const kind of ['relation_joined', 'relation_changed', 'relation_departed']) {
      const bound = charmEvents.get(kind);
      if (bound !== undefined) this.observe(bound, this._onRelationEvent);
    }
    const broken = charmEvents.get('relation_broken');
    if (broken !== undefined) this.observe(broken, this._onRelationBroken);
  }

  /** The relations of this endpoint, oldest first. */
  get relations(): Relation[] {
    return [...this.model.relations.get(this.endpoint)].sort((a, b) => a.id - b.id);
  }

  /** The relation with `id`, or the only relation when `id` is omitted (null when none). */
  relation(id?: number): Relation | null {
    const relations = this.relations;
    if (id !== undefined) return relations.find((r) => r.id === id) ?? null;
    return relations[0] ?? null;
  }

  /**
   * Read and validate the remote side's bags of `relation`. Never throws for bad data.
   * `pending` means the remote side has not written its data yet.
   */
  remote(relation: Relation): RemoteState<RemoteData<RA, RU>> {
    const limit = this.framework.meta.relations[this.endpoint]?.limit;
    if (typeof limit === 'number') {
      const position = this.relations.findIndex((r) => r.id === relation.id);
      if (position >= limit) {
        return {
          status: 'invalid',
          issues: [
            {
              bag: 'relation',
              path: '',
              code: 'too_many_relations',
              message: `endpoint ${this.endpoint} allows ${limit} relation(s); ${relation.name}:${relation.id} is one too many`,
            },
          ],
        };
      }
    }
    const issues: BagIssue[] = [];
    const remoteApp = relation.app;
    if (remoteApp === null)
      return { status: 'pending', reason: 'the remote application is unknown' };
    const appRaw = relation.data.get(remoteApp).toObject();
    if (Object.keys(appRaw).length === 0 && !this.codecs.remoteApp.allOptional) {
      return { status: 'pending', reason: `${remoteApp.name} has not written its data yet` };
    }
    const app = this.codecs.remoteApp.parse(appRaw, this.#parseOptions(`app ${remoteApp.name}`));
    if (!app.ok) issues.push(...app.issues);
    const units = new Map<string, BagData<RU>>();
    const unitCodec = this.codecs.remoteUnit;
    for (const unit of [...relation.units].sort((a, b) => a.name.localeCompare(b.name))) {
      const raw = relation.data.get(unit).toObject();
      const own = Object.keys(raw).filter((k) => !JUJU_UNIT_BAG_KEYS.includes(k));
      if (own.length === 0 && !unitCodec.allOptional) continue;
      const parsed = unitCodec.parse(raw, this.#parseOptions(`unit ${unit.name}`));
      if (parsed.ok) units.set(unit.name, parsed.data);
      else issues.push(...parsed.issues);
    }
    if (issues.length > 0 || !app.ok) return { status: 'invalid', issues };
    return { status: 'ready', data: { app: app.data, units } };
  }

  /** The remote data of every relation whose remote side is ready. */
  readyRelations(): { readonly relation: Relation; readonly data: RemoteData<RA, RU> }[] {
    const out: { relation: Relation; data: RemoteData<RA, RU> }[] = [];
    for (const relation of this.relations) {
      const state = this.remote(relation);
      if (state.status === 'ready') out.push({ relation, data: state.data });
    }
    return out;
  }

  /**
   * Write this application's bag of `relation` (leader only). Declared fields left out of
   * `value` are removed from the bag; fields the interface does not declare are untouched.
   *
   * @throws {NotLeaderError} when this unit is not the leader (nothing is written)
   * @throws {BagEncodeError} when `value` does not satisfy the interface schema
   */
  writeApp(relation: Relation, value: BagValue<LA>): void {
    if (!this.model.unit.isLeader()) {
      throw new NotLeaderError(this.endpoint, relation.id, this.model.unit.name);
    }
    const encoded = this.codecs.localApp.encode(value);
    relation.data.get(this.model.app).update(encoded);
  }

  /**
   * Write this unit's bag of `relation`. Declared fields left out of `value` are removed.
   *
   * @throws {BagEncodeError} when `value` does not satisfy the interface schema
   */
  writeUnit(relation: Relation, value: BagValue<LU>): void {
    const encoded = this.codecs.localUnit.encode(value);
    relation.data.get(this.model.unit).update(encoded);
  }

  /** Read back and validate this application's bag of `relation` (leader only in Juju). */
  localApp(relation: Relation): BagParseResult<BagData<LA>> {
    return this.codecs.localApp.parse(relation.data.get(this.model.app).toObject(), {
      owner: `app ${this.model.app.name}`,
    });
  }

  /** Read back and validate this unit's bag of `relation`. */
  localUnit(relation: Relation): BagParseResult<BagData<LU>> {
    return this.codecs.localUnit.parse(relation.data.get(this.model.unit).toObject(), {
      owner: `unit ${this.model.unit.name}`,
    });
  }

  /** @internal observes the endpoint's joined, changed and departed events */
  async _onRelationEvent(event: EventBase): Promise<void> {
    if (!(event instanceof RelationEvent)) return;
    const relation = event.relation;
    const state = this.remote(relation);
    const ready = this.#state.data.ready;
    if (state.status === 'ready') {
      if (ready.includes(relation.id)) {
        await this.on.changed.emit(relation, state.data);
      } else {
        ready.push(relation.id);
        await this.on.ready.emit(relation, state.data);
      }
    } else if (state.status === 'invalid') {
      this.#state.data.ready = ready.filter((id) => id !== relation.id);
      await this.on.invalid.emit(relation, state.issues);
    }
  }

  /** @internal observes the endpoint's broken event */
  async _onRelationBroken(event: EventBase): Promise<void> {
    if (!(event instanceof RelationBrokenEvent)) return;
    const id = event.relation.id;
    this.#state.data.ready = this.#state.data.ready.filter((r) => r !== id);
    await this.on.gone.emit(this.endpoint, id);
  }

  #parseOptions(owner: string): { owner: string; maxValueBytes?: number } {
    return this.#options.maxValueBytes === undefined
      ? { owner }
      : { owner, maxValueBytes: this.#options.maxValueBytes };
  }

  #reload(relation: Relation): RemoteData<RA, RU> {
    const state = this.remote(relation);
    if (state.status !== 'ready') {
      throw new CharmLibError(
        `the remote data of ${relation.name}:${relation.id} is no longer valid (${state.status})`,
      );
    }
    return state.data;
  }
}

function checkEndpoint(
  charm: AnyCharm,
  endpoint: string,
  codecs: { readonly interfaceName: string; readonly role: 'provides' | 'requires' },
  ctor: { handleKind?: string },
): string {
  const meta = charm.framework.meta.relations[endpoint];
  if (meta === undefined) {
    throw new EndpointError(endpoint, 'is not a relation in the charm metadata');
  }
  if (meta.role !== codecs.role) {
    throw new EndpointError(
      endpoint,
      `is a ${meta.role} endpoint; a ${codecs.interfaceName} ${codecs.role === 'provides' ? 'provider' : 'requirer'} needs a ${codecs.role} endpoint`,
    );
  }
  if (meta.interfaceName !== codecs.interfaceName) {
    throw new EndpointError(
      endpoint,
      `declares interface ${meta.interfaceName}, not ${codecs.interfaceName}`,
    );
  }
  const kind = ctor.handleKind ?? 'InterfaceEndpoint';
  for (const k of ['InterfaceEndpoint', 'InterfaceProvider', 'InterfaceRequirer', kind]) {
    if (charm.framework.objectAt(new Handle(charm.handle, k, endpoint).path) !== undefined) {
      throw new EndpointError(endpoint, 'already has an interface object; create one per endpoint');
    }
  }
  return endpoint;
}
