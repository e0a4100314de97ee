import {
  ModelError,
  RelationDataAccessError,
  RelationDataTypeError,
  RelationNotFoundError,
  TooManyRelatedAppsError,
  UnknownNameError,
} from './errors.js';
import type { ModelContext } from './model-context.js';
import { Application, type Unit } from './unit.js';

/** A unit or an application: whose databag. */
export type RelationEntity = Unit | Application;

/**
 * One databag of a relation: a Map-like view of string keys and string values.
 *
 * Loaded with one `relation-get` on first access and cached for the dispatch. Writes send only
 * real changes with one `relation-set`; writing `''` (or deleting) removes a key. While a hook
 * runs, ops' access rules apply: a unit writes its own bag, and its application's bag when
 * leader; remote bags are read-only; a non-leader cannot read its own application's bag except
 * in a peer relation.
 */
export class RelationDataContent implements Iterable<[string, string]> {
  readonly #ctx: ModelContext;
  readonly #relation: Relation;
  /** Whose databag this is. */
  readonly entity: RelationEntity;
  readonly #isApp: boolean;
  #data: Map<string, string> | undefined;

  /** @internal Built by {@link Relation}. */
  constructor(ctx: ModelContext, relation: Relation, entity: RelationEntity) {
    this.#ctx = ctx;
    this.#relation = relation;
    this.entity = entity;
    this.#isApp = entity instanceof Application;
  }

  #load(): Map<string, string> {
    if (this.#data === undefined) {
      let raw: Record<string, string>;
      try {
        raw = this.#ctx.backend.relationGet(
          this.#relation.id,
          this.entity.name,
          this.#isApp,
          this.#relation.name,
        );
      } catch (err) {
        if (!(err instanceof RelationNotFoundError)) throw err;
        raw = {};
      }
      this.#data = new Map(Object.entries(raw));
    }
    return this.#data;
  }

  #validateRead(): void {
    if (!this.#ctx.hookRunning()) return;
    if (!this.#isApp) return;
    if (this.#ctx.backend.isLeader()) return;
    const app = this.#relation.app;
    if (app === null) {
      throw new RelationDataAccessError(
        `Remote application instance cannot be retrieved for ${this.#relation}.`,
      );
    }
    if (app.name === this.entity.name) return;
    if (this.#ctx.appName === this.entity.name) {
      throw new RelationDataAccessError(
        `${this.#ctx.unitName} is not leader and cannot read its own application databag`,
      );
    }
  }

  #validateWriteAccess(): void {
    if (!this.#ctx.hookRunning()) return;
    if (this.#isApp) {
      if (this.#ctx.appName !== this.entity.name) {
        throw new RelationDataAccessError(
          `${this.#ctx.appName} cannot write the data of remote application ${this.entity.name}`,
        );
      }
      if (this.#ctx.backend.isLeader()) return;
      throw new RelationDataAccessError(
        `${this.#ctx.unitName} is not leader and cannot write application data.`,
      );
    }
    if (this.#ctx.unitName !== this.entity.name) {
      throw new RelationDataAccessError(
        `${this.#ctx.unitName} cannot write databag of ${this.entity.name}: not the same unit.`,
      );
    }
  }

  /**
   * The value of a key, or `undefined`.
   *
   * @throws {RelationDataAccessError} If this unit may not read this bag.
   */
  get(key: string): string | undefined {
    this.#validateRead();
    return this.#load().get(key);
  }

  /** Whether the bag has a key. */
  has(key: string): boolean {
    return this.#load().has(key);
  }

  /** The number of keys. */
  get size(): number {
    return this.#load().size;
  }

  /** The keys. */
  keys(): IterableIterator<string> {
    return this.#load().keys();
  }

  /** The values. */
  values(): IterableIterator<string> {
    this.#validateRead();
    return this.#load().values();
  }

  /** The `[key, value]` pairs. */
  entries(): IterableIterator<[string, string]> {
    this.#validateRead();
    return this.#load().entries();
  }

  /** Iterate over `[key, value]` pairs. */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** A plain-object copy of the bag. */
  toObject(): Record<string, string> {
    return Object.fromEntries(this.entries());
  }

  /** The bag as JSON text, or `<n/a>` when this unit may not read it (as ops' `repr`). */
  toString(): string {
    try {
      this.#validateRead();
    } catch (err) {
      if (err instanceof RelationDataAccessError) return '<n/a>';
      throw err;
    }
    return JSON.stringify(this.toObject());
  }

  /**
   * Set one key (`''` deletes it).
   *
   * @throws {RelationDataTypeError} If key or value is not a string (nothing is written).
   * @throws {RelationDataAccessError} If this unit may not write this bag.
   */
  set(key: string, value: string): this {
    this.update({ [key]: value });
    return this;
  }

  /** Delete a key (writes `''`). */
  delete(key: string): boolean {
    const had = this.has(key);
    this.update({ [key]: '' });
    return had;
  }

  /**
   * Write several keys in one `relation-set`, sending only the keys that change.
   *
   * @throws {RelationDataTypeError} If a key or value is not a string (nothing is written).
   * @throws {RelationDataAccessError} If this unit may not write this bag.
   */
  update(data: Readonly<Record<string, string>> | Iterable<readonly [string, string]>): void {
    const raw: (readonly [unknown, unknown])[] = isIterable(data)
      ? [...data]
      : Object.entries(data);
    // Same order as ops: load the bag, keep the real changes (reading an existing key checks
    // read access), check their types, then check write access. No tool runs on failure.
    const current = this.#load();
    const changes = new Map<unknown, unknown>();
    let readChecked = false;
    for (const [k, v] of raw) {
      const key = typeof k === 'string' ? k : undefined;
      const has = key !== undefined && current.has(key);
      if (has && !readChecked) {
        this.#validateRead();
        readChecked = true;
      }
      if (key === undefined || !has) {
        if (v !== '') changes.set(k, v);
      } else if (current.get(key) !== v) {
        changes.set(k, v);
      }
    }
    const valid: Record<string, string> = {};
    for (const [k, v] of changes) {
      if (typeof k !== 'string') {
        throw new RelationDataTypeError(`relation data keys must be strings, not ${typeof k}`);
      }
      if (typeof v !== 'string') {
        throw new RelationDataTypeError(
          `relation data values must be strings, not ${v === null ? 'null' : typeof v} (key "${k}" of ${this.entity.name} in ${this.#relation})`,
        );
      }
      valid[k] = v;
    }
    this.#validateWriteAccess();
    if (changes.size === 0) return;
    this.#ctx.backend.relationSet(this.#relation.id, valid, this.#isApp, this.#relation.name);
    for (const [k, v] of Object.entries(valid)) {
      if (v === '') current.delete(k);
      else current.set(k, v);
    }
  }

  /** @internal Drop the cache so the next read runs `relation-get` again. */
  invalidate(): void {
    this.#data = undefined;
  }
}

function isIterable(value: unknown): value is Iterable<readonly [string, string]> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

/**
 * The databags of a relation: own unit, own app, remote units, remote app, and (during
 * `-departed`/`-broken`) the departing remote unit.
 */
export class RelationData implements Iterable<[RelationEntity, RelationDataContent]> {
  readonly #bags = new Map<RelationEntity, RelationDataContent>();

  /** @internal Built by {@link Relation}. */
  constructor(ctx: ModelContext, relation: Relation, remoteUnit: Unit | undefined) {
    const ours = ctx.getUnit(ctx.unitName);
    const add = (e: RelationEntity): void => {
      if (!this.#bags.has(e)) this.#bags.set(e, new RelationDataContent(ctx, relation, e));
    };
    add(ours);
    add(ours.app);
    for (const u of relation.units) add(u);
    if (relation.app !== null) add(relation.app);
    if (remoteUnit !== undefined) add(remoteUnit);
  }

  /**
   * The databag of a unit or application (or its name).
   *
   * @throws {ModelError} If the entity is not part of this relation.
   */
  get(entity: RelationEntity | string): RelationDataContent {
    for (const [e, bag] of this.#bags) {
      if (e === entity || e.name === entity) return bag;
    }
    const name = typeof entity === 'string' ? entity : entity.name;
    throw new ModelError(`${name} is not part of this relation`);
  }

  /** Whether the entity (or name) has a databag here. */
  has(entity: RelationEntity | string): boolean {
    for (const e of this.#bags.keys()) if (e === entity || e.name === entity) return true;
    return false;
  }

  /** The entities with a databag. */
  keys(): IterableIterator<RelationEntity> {
    return this.#bags.keys();
  }

  /** The number of databags. */
  get size(): number {
    return this.#bags.size;
  }

  /** Iterate over `[entity, databag]`. */
  [Symbol.iterator](): IterableIterator<[RelationEntity, RelationDataContent]> {
    return this.#bags.entries();
  }
}

/**
 * A relation between this application and another (or its peers).
 *
 * `units` are the remote units from `relation-list`; `app` is the remote application (the own
 * application for peers), or `null` when it cannot be determined.
 */
export class Relation {
  /** The endpoint name, e.g. `db`. */
  readonly name: string;
  /** The relation id. */
  readonly id: number;
  /** The remote application (own application for peer relations), or `null`. */
  readonly app: Application | null;
  /** Remote units in the relation (for subordinates: the principal). */
  readonly units: ReadonlySet<Unit>;
  /** The databags. */
  readonly data: RelationData;
  /** `false` in its `-broken` hook or when Juju no longer knows the relation. */
  readonly active: boolean;
  readonly #ctx: ModelContext;
  #remoteModelUuid: string | undefined;

  /** @internal Use `model.getRelation()` or `model.relations`. */
  constructor(
    ctx: ModelContext,
    name: string,
    id: number,
    options: { isPeer: boolean; active?: boolean; remoteUnit?: Unit | undefined },
  ) {
    this.#ctx = ctx;
    this.name = name;
    this.id = id;
    let active = options.active ?? true;
    const units = new Set<Unit>();
    let app: Application | null = options.isPeer ? ctx.getApp(ctx.appName) : null;
    try {
      for (const unitName of ctx.backend.relationList(id, name)) {
        const unit = ctx.getUnit(unitName);
        units.add(unit);
        if (app === null) app = unit.app;
      }
    } catch (err) {
      if (!(err instanceof RelationNotFoundError)) throw err;
      active = false;
    }
    if (app === null) {
      const appName =
        ctx.eventRelationId === id && ctx.eventRemoteApp !== undefined
          ? ctx.eventRemoteApp
          : ctx.backend.relationRemoteApp(id, name);
      if (appName !== null) app = ctx.getApp(appName);
    }
    this.app = app;
    this.units = units;
    this.active = active;
    const remote = options.remoteUnit;
    const keepRemote =
      remote !== undefined &&
      !options.isPeer &&
      app !== null &&
      remote.name.startsWith(`${app.name}/`);
    this.data = new RelationData(ctx, this, keepRemote ? remote : undefined);
  }

  /** `<Relation db:7>`. */
  toString(): string {
    return `<Relation ${this.name}:${this.id}>`;
  }

  /** The model on the other side (`relation-model-get`, Juju >= 3.6.2). */
  get remoteModel(): { readonly uuid: string } {
    if (this.#remoteModelUuid === undefined) {
      this.#remoteModelUuid = this.#ctx.backend.relationModelGet(this.id, this.name).uuid;
    }
    return { uuid: this.#remoteModelUuid };
  }
}

/**
 * The relations of each endpoint, loaded lazily with `relation-ids` and cached for the
 * dispatch. In a `-broken` hook the broken relation is left out.
 */
export class RelationMapping implements Iterable<[string, Relation[]]> {
  readonly #ctx: ModelContext;
  readonly #cache = new Map<string, Relation[]>();
  readonly #brokenRelationId: number | undefined;
  readonly #remoteUnit: Unit | undefined;

  /** @internal Built by {@link Model}. */
  constructor(
    ctx: ModelContext,
    brokenRelationId: number | undefined,
    remoteUnit: Unit | undefined,
  ) {
    this.#ctx = ctx;
    this.#brokenRelationId = brokenRelationId;
    this.#remoteUnit = remoteUnit;
  }

  #isPeer(name: string): boolean {
    return this.#ctx.meta.relations[name]?.role === 'peer';
  }

  /**
   * The relations of an endpoint.
   *
   * @throws {UnknownNameError} If the endpoint is not in the metadata.
   */
  get(name: string): Relation[] {
    if (!(name in this.#ctx.meta.relations)) {
      throw new UnknownNameError(`relation endpoint "${name}" is not in the charm metadata`);
    }
    let list = this.#cache.get(name);
    if (list === undefined) {
      list = [];
      for (const rid of this.#ctx.backend.relationIds(name)) {
        if (rid === this.#brokenRelationId) continue;
        list.push(
          new Relation(this.#ctx, name, rid, {
            isPeer: this.#isPeer(name),
            remoteUnit: this.#remoteUnit,
          }),
        );
      }
      this.#cache.set(name, list);
    }
    return list;
  }

  /** Whether the endpoint is declared in metadata. */
  has(name: string): boolean {
    return name in this.#ctx.meta.relations;
  }

  /** The endpoint names. */
  keys(): string[] {
    return Object.keys(this.#ctx.meta.relations);
  }

  /** Iterate over `[endpoint, relations]` (loads every endpoint). */
  *[Symbol.iterator](): IterableIterator<[string, Relation[]]> {
    for (const name of this.keys()) yield [name, this.get(name)];
  }

  /**
   * The single relation of an endpoint, or by id.
   *
   * Without an id: `null` when none, the relation when one, an error when several. With an id
   * that is not currently listed: an inactive relation, so dead relations stay addressable.
   *
   * @throws {TooManyRelatedAppsError} If several relations exist and no id is given.
   * @throws {UnknownNameError} If the endpoint is not in the metadata.
   */
  getUnique(name: string, id?: number): Relation | null {
    if (id !== undefined) {
      const found = this.get(name).find((r) => r.id === id);
      if (found !== undefined) return found;
      return new Relation(this.#ctx, name, id, {
        isPeer: this.#isPeer(name),
        active: false,
        remoteUnit: this.#remoteUnit,
      });
    }
    const list = this.get(name);
    if (list.length === 0) return null;
    if (list.length === 1) return list[0] ?? null;
    throw new TooManyRelatedAppsError(name, list.length, 1);
  }

  /** @internal Forget the cached relations of an endpoint. */
  invalidate(name: string): void {
    this.#cache.delete(name);
  }
}
