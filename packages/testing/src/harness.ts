import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP, isIPv4 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateStatus, Framework, logger, MemoryStateStore } from '@opsjs/core';
import { type CharmMeta, Model, StatusBase as Status, type StatusBase } from '@opsjs/model';
import type { Layer } from '@opsjs/pebble';
import { type FakeExecContext, FakePebbleServer } from '@opsjs/pebble/fake';
import { stringify as toYaml } from 'yaml';
import { type CharmSpecOptions, resolveMeta } from './charm-spec.js';
import type { CharmType } from './charm-type.js';
import { ActionFailed, HarnessError } from './errors.js';
import { MemoryBackend } from './memory-backend.js';
import { ModelInfo } from './state/misc.js';
import { generateSecretId } from './state/secret.js';
import { State } from './state/state.js';
import { stateToWorld } from './state-world.js';
import { appOf, World, type WorldNetwork, type WorldRelation, type WorldSecret } from './world.js';

/** Options of a {@link Harness}. */
export interface HarnessOptions extends CharmSpecOptions {
  /** `JUJU_VERSION` the model sees (default `$JUJU_VERSION`, else `0.0.0`, as ops). */
  jujuVersion?: string;
}

/** The arguments an exec handler of {@link Harness.handleExec} receives (ops' `ExecArgs`). */
export interface ExecArgs {
  /** The full command line. */
  readonly command: readonly string[];
  /** Environment variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** Working directory. */
  readonly workingDir: string;
  /** User, if given. */
  readonly user: string | undefined;
  /** Group, if given. */
  readonly group: string | undefined;
  /** Standard input as the charm writes it (a stream; it ends when the charm closes it). */
  readonly stdin: NodeJS.ReadableStream;
}

/** What a simulated exec returns (ops' `ExecResult`). */
export interface ExecResult {
  /** Exit code (default 0). */
  readonly exitCode?: number;
  /** Standard output. */
  readonly stdout?: string;
  /** Standard error. */
  readonly stderr?: string;
}

/** What an action run produced (ops' `ActionOutput`). */
export interface ActionOutput {
  /** Messages the action logged. */
  readonly logs: readonly string[];
  /** Results the action set (nested as set). */
  readonly results: Readonly<Record<string, unknown>>;
}

/** Options of {@link Harness.addNetwork}. */
export interface AddNetworkOptions {
  /** Binding (endpoint or extra binding); default: the default binding, which every binding without its own network falls back to. */
  endpoint?: string;
  /** Relation id, for a relation-specific network. */
  relationId?: number;
  /** CIDR (default: the address as a /24). */
  cidr?: string;
  /** Interface name (default `eth0`). */
  interface?: string;
  /** Ingress addresses (default: the address). */
  ingressAddresses?: readonly string[];
  /** Egress subnets (default: the CIDR). */
  egressSubnets?: readonly string[];
}

function appOrUnitName(value: string | { readonly name: string }): string {
  return typeof value === 'string' ? value : value.name;
}

/**
 * The imperative, ops-compatible test harness: construct the charm once, change the
 * simulated model, and let each change emit the event Juju would (ops' `Harness`, deprecated
 * upstream in favour of state-transition tests, kept for porting existing tests).
 *
 * Every method that emits an event is async (charm handlers may be); `await` it. Containers
 * are served by a {@link FakePebbleServer} each, on a real unix socket, so charm code runs the
 * real Pebble client.
 *
 * @example
 * ```ts
 * const harness = new Harness(MyCharm, { meta: CHARMCRAFT_YAML });
 * await harness.begin();
 * await harness.updateConfig({ port: 80 });
 * expect(harness.model.unit.status).toEqual(new ActiveStatus());
 * await harness.cleanup();
 * ```
 */
export class Harness<C extends CharmType = CharmType> {
  /** The charm's metadata. */
  readonly meta: CharmMeta;
  /** The in-memory backend the model runs on (its `calls` records every operation). */
  readonly backend: MemoryBackend;
  readonly #charmClass: C;
  readonly #world: World;
  #model: Model;
  #framework: Framework;
  readonly #jujuVersion: string;
  readonly #charmDir: string;
  readonly #tempDir: string;
  readonly #servers = new Map<string, FakePebbleServer>();
  readonly #pendingExec: { container: string; register: (server: FakePebbleServer) => void }[] = [];
  /** `setCanConnect` calls made before begin(), applied when the servers start. */
  readonly #canConnectBeforeBegin = new Map<string, boolean>();
  /** Every exec prefix registered per container (the longest matching one answers, as ops). */
  readonly #execPrefixes = new Map<string, (readonly string[])[]>();
  #charm: InstanceType<C> | undefined;
  #hooksEnabled = true;
  #nextRelationId = 0;
  #nextActionId = 0;
  #nextStorageIndex = 0;
  #plannedUnits: number | undefined;
  #rebootCount = 0;
  readonly #removeLogSink: () => void;

  /**
   * @param charmClass - the charm under test
   * @param options - metadata (default: read from `charmRoot` or the working directory)
   * @throws {MetadataNotFoundError} when no metadata is given or found
   */
  constructor(charmClass: C, options: HarnessOptions = {}) {
    this.#charmClass = charmClass;
    this.meta = resolveMeta(options);
    this.#tempDir = mkdtempSync(join(tmpdir(), 'opsjs-harness-'));
    const jujuVersion = options.jujuVersion ?? process.env.JUJU_VERSION ?? '0.0.0';
    const unitName = `${this.meta.name}/0`;
    const data = stateToWorld(
      new State({ model: new ModelInfo({ name: '', uuid: randomUUID() }) }),
      this.meta,
      { unitName, jujuVersion },
      undefined,
      () => '',
    );
    data.plannedUnits = 1;
    this.#world = new World(data);
    this.backend = new MemoryBackend(this.#world);
    const originalReboot = this.backend.reboot.bind(this.backend);
    this.backend.reboot = (now: boolean) => {
      originalReboot(now);
      this.#rebootCount += 1;
    };
    this.#jujuVersion = jujuVersion;
    this.#charmDir = options.charmRoot ?? this.#tempDir;
    [this.#model, this.#framework] = this.#buildModel();
    // The process-wide logger, as under main(), so records a charm sends to core's `logger`
    // reach juju-log too; the sink is removed by cleanup().
    this.#removeLogSink = logger.addSink((level, message) => this.backend.jujuLog(level, message));
  }

  /** The model (named as the world says) and the framework on it. */
  #buildModel(): [Model, Framework] {
    const data = this.#world.data;
    const model = new Model({
      meta: this.meta,
      backend: this.backend,
      unitName: data.unitName,
      modelName: data.modelName,
      modelUuid: data.modelUuid,
      jujuVersion: this.#jujuVersion,
      containerSocketPath: (name) => this.#socketPath(name),
    });
    const framework = new Framework({
      store: new MemoryStateStore(),
      model,
      meta: this.meta,
      charmDir: this.#charmDir,
      logger,
      skipDuplicateEvents: false,
    });
    return [model, framework];
  }

  #socketPath(container: string): string {
    return join(this.#tempDir, 'sockets', `${container}.socket`);
  }

  /** The charm instance. @throws {HarnessError} before {@link Harness.begin}. */
  get charm(): InstanceType<C> {
    if (this.#charm === undefined)
      throw new HarnessError('the charm is not built yet: call begin() first');
    return this.#charm;
  }

  /** The model the charm sees. */
  get model(): Model {
    return this.#model;
  }

  /** The framework driving the charm. */
  get framework(): Framework {
    return this.#framework;
  }

  /** Every `juju-log` record so far. */
  get jujuLog(): readonly { readonly level: string; readonly message: string }[] {
    return this.#world.data.jujuLog;
  }

  /** How many times the charm asked for a reboot (`juju-reboot`). */
  get rebootCount(): number {
    return this.#rebootCount;
  }

  /**
   * Builds the charm (once) and starts a fake Pebble server per container (not yet
   * connectable; see {@link Harness.setCanConnect}). Model changes before this emit nothing.
   * @throws {HarnessError} when called twice
   */
  async begin(): Promise<void> {
    if (this.#charm !== undefined) throw new HarnessError('cannot call begin() more than once');
    mkdirSync(join(this.#tempDir, 'sockets'), { recursive: true });
    for (const name of Object.keys(this.meta.containers)) {
      mkdirSync(join(this.#tempDir, 'containers', name), { recursive: true });
      const server = await FakePebbleServer.start({
        socketPath: this.#socketPath(name),
        root: join(this.#tempDir, 'containers', name),
      });
      await server.setAvailable(this.#canConnectBeforeBegin.get(name) ?? false);
      this.#servers.set(name, server);
    }
    for (const pending of this.#pendingExec.splice(0)) {
      const server = this.#servers.get(pending.container);
      if (server !== undefined) pending.register(server);
    }
    const previous = this.#model.hookRunning;
    this.#model.hookRunning = '__init__';
    try {
      this.#charm = new this.#charmClass(this.#framework) as InstanceType<C>;
    } finally {
      this.#model.hookRunning = previous;
    }
  }

  /**
   * Begins and emits the events Juju sends a new unit, with the relations, leadership,
   * config and storage set up beforehand (juju-contract §3.4): storage-attached, install,
   * relation-created (peer relations are added if missing), leader-elected or
   * leader-settings-changed, config-changed, start, pebble-ready per container (which also
   * makes it connectable), then per relation: relation-changed for remote app data, and
   * relation-joined + relation-changed per remote unit in sorted order. A bare maintenance
   * status left at the end becomes unknown, as Juju shows it.
   */
  async beginWithInitialHooks(): Promise<void> {
    await this.begin();
    // As ops: storage names in metadata order, then indices in order.
    const order = Object.keys(this.meta.storages);
    const storages = [...this.#world.data.storages].sort(
      (a, b) => order.indexOf(a.name) - order.indexOf(b.name) || a.index - b.index,
    );
    for (const storage of storages) {
      if (!storage.attached) storage.attached = true;
      await this.#emit(`${storage.name.replaceAll('-', '_')}_storage_attached`, [
        this.#storageObject(storage.name, storage.index),
      ]);
    }
    await this.#emit('install', []);
    for (const [name, rmeta] of Object.entries(this.meta.relations)) {
      const ids = this.#world.relationIds(name);
      if (rmeta.role === 'peer' && ids.length === 0) {
        await this.addRelation(name, this.#world.appName);
        continue;
      }
      for (const id of ids) await this.#emitRelation('created', id, null);
    }
    await this.#emit(this.#world.data.leader ? 'leader_elected' : 'leader_settings_changed', []);
    await this.#emit('config_changed', []);
    await this.#emit('start', []);
    for (const name of Object.keys(this.meta.containers)) await this.containerPebbleReady(name);
    const status = this.#world.data.unitStatus;
    if (status.status === 'maintenance' && status.message === '') {
      this.#world.data.unitStatus = { status: 'unknown', message: '' };
      this.#model.unit.invalidate();
    }
    for (const rel of [...this.#world.data.relations]) {
      // As ops: relation-changed for the app bag when the related app (own app for peers) has data.
      if (Object.keys(rel.bags[rel.remoteApp] ?? {}).length > 0) {
        await this.#emitRelation('changed', rel.id, rel.remoteApp);
      }
      for (const unit of [...rel.units].sort()) {
        await this.#emitRelation('joined', rel.id, unit);
        await this.#emitRelation('changed', rel.id, unit);
      }
    }
  }

  /** Stops the fake Pebble servers and removes the temporary directory. */
  async cleanup(): Promise<void> {
    this.#removeLogSink();
    for (const server of this.#servers.values()) await server.close();
    this.#servers.clear();
    rmSync(this.#tempDir, { recursive: true, force: true });
  }

  /** Stops model changes from emitting events. */
  disableHooks(): void {
    this.#hooksEnabled = false;
  }

  /** Lets model changes emit events again. */
  enableHooks(): void {
    this.#hooksEnabled = true;
  }

  /** Runs `fn` with hooks disabled, then restores the previous setting. */
  async hooksDisabled<T>(fn: () => T | Promise<T>): Promise<T> {
    const previous = this.#hooksEnabled;
    this.#hooksEnabled = false;
    try {
      return await fn();
    } finally {
      this.#hooksEnabled = previous;
    }
  }

  // --- emission -----------------------------------------------------------------------------

  /** Makes the model re-read what the harness may have changed (not the relations). */
  #sync(): void {
    const model = this.#model;
    model.config.invalidate();
    model.unit.invalidate();
    model.app.invalidate();
    this.#world.data.plannedUnits = this.#plannedUnits ?? this.#guessPlannedUnits();
  }

  /** Everything, including the relations and storage (their membership changed). */
  #invalidate(): void {
    this.#sync();
    for (const name of Object.keys(this.meta.relations)) this.#model.relations.invalidate(name);
    for (const name of Object.keys(this.meta.storages)) this.#model.storages.invalidate(name);
  }

  #guessPlannedUnits(): number {
    // As ops: distinct peer units over every peer relation, plus this unit.
    const peers = new Set<string>();
    for (const rel of this.#world.data.relations)
      if (rel.kind === 'peer') for (const unit of rel.units) peers.add(unit);
    return peers.size + 1;
  }

  /**
   * Emits `kind` on the charm. `always`: emit even with hooks disabled, as ops does for the
   * methods that emit directly (pebble-ready, notices, secrets, actions).
   */
  async #emit(kind: string, args: readonly unknown[], always = false): Promise<void> {
    this.#sync();
    if (this.#charm === undefined || (!this.#hooksEnabled && !always)) return;
    const bound = this.#charm.on.get(kind);
    if (bound === undefined) return;
    const previous = this.#model.hookRunning;
    this.#model.hookRunning = kind;
    try {
      // The arguments are those the event class's constructor takes, built above as
      // runDispatch builds them (core types a looked-up event as taking none).
      await (bound as unknown as { emit(...a: readonly unknown[]): Promise<void> }).emit(...args);
    } finally {
      this.#model.hookRunning = previous;
      this.#sync();
    }
  }

  async #emitRelation(
    suffix: 'created' | 'joined' | 'changed' | 'departed' | 'broken',
    id: number,
    appOrUnit: string | null,
    departing?: string,
  ): Promise<void> {
    const rel = this.#relation(id);
    this.#sync();
    const relation = this.#model.getRelation(rel.endpoint, id);
    const appName = appOrUnit === null ? rel.remoteApp : appOf(appOrUnit);
    const app = this.#model.getApp(appName);
    const unit = appOrUnit?.includes('/') === true ? this.#model.getUnit(appOrUnit) : null;
    const args: unknown[] = [relation, app, unit];
    if (suffix === 'departed') args.push(departing ?? null);
    await this.#emit(`${rel.endpoint.replaceAll('-', '_')}_relation_${suffix}`, args);
  }

  // --- config, leadership, model ----------------------------------------------------------

  /**
   * Changes config values and emits config-changed. `unset` restores defaults (or removes
   * options without one).
   * @throws {HarnessError} for an option not in the metadata or a value of the wrong type
   */
  async updateConfig(
    keyValues: Readonly<Record<string, string | number | boolean>> = {},
    unset: readonly string[] = [],
  ): Promise<void> {
    const config = this.#world.data.config;
    for (const [key, value] of Object.entries(keyValues)) {
      const option = this.meta.config[key];
      if (option === undefined) throw new HarnessError(`unknown config option: '${key}'`);
      // As ops: the value must have the option's declared type (checked before any change).
      if (!configValueFits(option.type, value)) {
        throw new HarnessError(
          `config option '${key}' is supposed to be of type ${option.type}, not ${typeof value === 'number' ? 'a non-integer number' : typeof value}`,
        );
      }
    }
    for (const [key, value] of Object.entries(keyValues)) config[key] = value;
    for (const key of unset) {
      const def = this.meta.config[key]?.default;
      if (def === undefined) delete config[key];
      else config[key] = def;
    }
    await this.#emit('config_changed', []);
  }

  /** Sets leadership; becoming leader emits leader-elected. */
  async setLeader(isLeader = true): Promise<void> {
    this.#world.data.leader = isLeader;
    if (isLeader) await this.#emit('leader_elected', []);
    else this.#invalidate();
  }

  /** Sets what `app.plannedUnits()` returns. @throws {HarnessError} for a negative number */
  setPlannedUnits(count: number): void {
    if (count < 0 || !Number.isInteger(count)) {
      throw new HarnessError('planned units must be 0 or a positive integer');
    }
    this.#plannedUnits = count;
    this.#invalidate();
  }

  /** Goes back to guessing planned units from the peer relation (1 + peers). */
  resetPlannedUnits(): void {
    this.#plannedUnits = undefined;
    this.#invalidate();
  }

  /**
   * Sets the model name and/or uuid (`harness.model` and `harness.framework` are rebuilt, so
   * read them again afterwards).
   * @throws {HarnessError} after {@link Harness.begin} (the model already has them, as ops)
   */
  setModelInfo(info: { name?: string; uuid?: string }): void {
    if (this.#charm !== undefined) {
      throw new HarnessError('cannot set the model name or uuid after begin()');
    }
    if (info.name !== undefined) this.#world.data.modelName = info.name;
    if (info.uuid !== undefined) this.#world.data.modelUuid = info.uuid;
    // The model holds its name and uuid: rebuild it (nothing observes it before begin()).
    [this.#model, this.#framework] = this.#buildModel();
  }

  /** Sets the cloud spec `credential-get` returns (Juju's JSON shape, e.g. `{type, name, credential: {'auth-type': ...}}`). */
  setCloudSpec(spec: Readonly<Record<string, unknown>>): void {
    this.#world.data.cloudSpec = structuredClone({ ...spec });
  }

  /** The workload version the charm set. */
  getWorkloadVersion(): string {
    return this.#world.data.workloadVersion;
  }

  /** Runs collect-status (app status only when leader) and sets the statuses. */
  async evaluateStatus(): Promise<void> {
    this.#invalidate();
    await evaluateStatus(this.charm);
  }

  /** The unit status as the backend holds it. */
  get unitStatus(): StatusBase {
    const s = this.#world.data.unitStatus;
    return Status.fromName(s.status, s.message);
  }

  // --- relations ---------------------------------------------------------------------------

  #relation(id: number): WorldRelation {
    const rel = this.#world.data.relations.find((r) => r.id === id);
    if (rel === undefined) throw new HarnessError(`relation ${id} does not exist`);
    return rel;
  }

  /**
   * Adds a relation with `remoteApp` on endpoint `name` and emits relation-created. With
   * `appData` or `unitData`, also adds `<remoteApp>/0` (relation-joined) and sets that data
   * (relation-changed). Also gives the relation a default network, as Juju does.
   * @returns the relation id
   * @throws {HarnessError} for an endpoint not in the metadata
   */
  async addRelation(
    name: string,
    remoteApp: string,
    options: {
      appData?: Readonly<Record<string, string>>;
      unitData?: Readonly<Record<string, string>>;
    } = {},
  ): Promise<number> {
    const rmeta = this.meta.relations[name];
    if (rmeta === undefined)
      throw new HarnessError(`relation '${name}' is not declared in metadata`);
    const id = this.#nextRelationId++;
    const own = this.#world.appName;
    this.#world.data.relations.push({
      id,
      endpoint: name,
      interface: rmeta.interfaceName,
      kind:
        rmeta.role === 'peer' ? 'peer' : rmeta.scope === 'container' ? 'subordinate' : 'regular',
      remoteApp,
      units: [],
      bags: { [remoteApp]: {}, [own]: {}, [this.#world.data.unitName]: {} },
    });
    this.#model.relations.invalidate(name);
    await this.#emitRelation('created', id, null);
    if (options.appData !== undefined || options.unitData !== undefined) {
      const unit = `${remoteApp}/0`;
      await this.addRelationUnit(id, unit);
      if (options.appData !== undefined)
        await this.updateRelationData(id, remoteApp, options.appData);
      if (options.unitData !== undefined) await this.updateRelationData(id, unit, options.unitData);
    }
    // As ops: the default networks are added once the relation's events have run.
    if (this.#world.data.networks[''] === undefined) {
      this.#world.data.networks[`${name}:${id}`] ??= networkFor('10.0.0.10');
      this.#world.data.networks[name] ??= networkFor('192.0.2.0');
    }
    return id;
  }

  /** Adds a remote unit to a relation and emits relation-joined. */
  async addRelationUnit(relationId: number, unitName: string): Promise<void> {
    const rel = this.#relation(relationId);
    if (!rel.units.includes(unitName)) rel.units.push(unitName);
    rel.bags[unitName] ??= {};
    this.#model.relations.invalidate(rel.endpoint);
    await this.#emitRelation('joined', relationId, unitName);
  }

  /** Emits relation-departed for a remote unit, then removes it and its data. */
  async removeRelationUnit(relationId: number, unitName: string): Promise<void> {
    const rel = this.#relation(relationId);
    if (!rel.units.includes(unitName)) {
      throw new HarnessError(`unit ${unitName} is not in relation ${relationId}`);
    }
    rel.units = rel.units.filter((u) => u !== unitName);
    this.#model.relations.invalidate(rel.endpoint);
    await this.#emitRelation('departed', relationId, unitName, unitName);
    delete rel.bags[unitName];
    this.#invalidate();
  }

  /**
   * Removes a relation: relation-departed for each remote unit, then relation-broken (the
   * relation is hidden from `model.relations` while it runs), then drops it and its grants.
   */
  async removeRelation(relationId: number): Promise<void> {
    const rel = this.#relation(relationId);
    for (const unit of [...rel.units]) await this.removeRelationUnit(relationId, unit);
    // As ops: while relation-broken runs, the relation is left out of `model.relations` but
    // its data can still be read through the event's relation.
    this.#world.hiddenRelations.add(relationId);
    try {
      this.#invalidate();
      const relation = this.#model.getRelation(rel.endpoint, relationId);
      const app = this.#model.getApp(rel.remoteApp);
      await this.#emit(`${rel.endpoint.replaceAll('-', '_')}_relation_broken`, [
        relation,
        app,
        null,
      ]);
    } finally {
      this.#world.hiddenRelations.delete(relationId);
    }
    this.#world.data.relations = this.#world.data.relations.filter((r) => r !== rel);
    for (const secret of this.#world.data.secrets) {
      delete secret.grants[String(relationId)];
      // Grants of a remote app's secret rode on the relation with that app (as ops).
      const ownerApp = appOf(secret.ownerName ?? '');
      if (secret.owner === null && ownerApp === rel.remoteApp && rel.kind !== 'peer') {
        secret.observers = [];
      }
    }
    this.#invalidate();
  }

  /** A copy of one bag of a relation. @throws {HarnessError} for an unknown relation */
  getRelationData(
    relationId: number,
    appOrUnit: string | { readonly name: string },
  ): Record<string, string> {
    const rel = this.#relation(relationId);
    return { ...(rel.bags[appOrUnitName(appOrUnit)] ?? {}) };
  }

  /**
   * Changes any bag of a relation (`''` deletes a key). Emits relation-changed when a value
   * changed and the bag is remote, or is this app's bag of a peer relation while not leader.
   */
  async updateRelationData(
    relationId: number,
    appOrUnit: string | { readonly name: string },
    keyValues: Readonly<Record<string, string>>,
  ): Promise<void> {
    const rel = this.#relation(relationId);
    const name = appOrUnitName(appOrUnit);
    const bag = rel.bags[name] ?? {};
    let changed = false;
    for (const [key, value] of Object.entries(keyValues)) {
      if (typeof value !== 'string') {
        throw new HarnessError(
          `relation ${relationId} ${name}: value of '${key}' must be a string`,
        );
      }
      if (value === '') {
        if (key in bag) {
          delete bag[key];
          changed = true;
        }
      } else if (bag[key] !== value) {
        bag[key] = value;
        changed = true;
      }
    }
    rel.bags[name] = bag;
    // Objects the test or charm holds see the new data, as in ops.
    const entity = name.includes('/') ? this.#model.getUnit(name) : this.#model.getApp(name);
    const relation = this.#model.getRelation(rel.endpoint, relationId);
    if (relation?.data.has(entity) === true) relation.data.get(entity).invalidate();
    this.#sync();
    if (!changed || name === this.#world.data.unitName) return;
    if (name === this.#world.appName && (rel.kind !== 'peer' || this.#world.data.leader)) return;
    await this.#emitRelation('changed', relationId, name);
  }

  // --- storage -----------------------------------------------------------------------------

  #storageObject(name: string, index: number): unknown {
    this.#invalidate();
    const found = this.#model.storages.get(name).find((s) => s.index === index);
    if (found === undefined) throw new HarnessError(`storage ${name}/${index} is not attached`);
    return found;
  }

  /**
   * Adds `count` instances of storage `name` (mounted under the harness's temporary
   * directory); with `attach` also attaches them (emitting storage-attached after begin).
   * @returns the storage ids, e.g. `['data/0']`
   */
  async addStorage(name: string, count = 1, options: { attach?: boolean } = {}): Promise<string[]> {
    const smeta = this.meta.storages[name];
    if (smeta === undefined)
      throw new HarnessError(`storage '${name}' is not declared in metadata`);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      // As ops: one index counter across every storage name.
      const index = this.#nextStorageIndex++;
      const location = join(this.#tempDir, 'storage', `${name}${index}`);
      mkdirSync(location, { recursive: true });
      this.#world.data.storages.push({ name, index, kind: smeta.type, location, attached: false });
      ids.push(`${name}/${index}`);
    }
    if (options.attach === true) for (const id of ids) await this.attachStorage(id);
    return ids;
  }

  #storage(id: string) {
    const found = this.#world.data.storages.find((s) => `${s.name}/${s.index}` === id);
    if (found === undefined) throw new HarnessError(`storage ${id} does not exist`);
    return found;
  }

  /** Attaches a storage instance and emits storage-attached (after begin). */
  async attachStorage(id: string): Promise<void> {
    const storage = this.#storage(id);
    if (storage.attached) return;
    storage.attached = true;
    if (this.#charm === undefined) return;
    await this.#emit(`${storage.name.replaceAll('-', '_')}_storage_attached`, [
      this.#storageObject(storage.name, storage.index),
    ]);
  }

  /**
   * Emits storage-detaching and detaches the instance (nothing happens for one that is not
   * attached, as ops).
   * @throws {HarnessError} before {@link Harness.begin}, or for an unknown storage id
   */
  async detachStorage(id: string): Promise<void> {
    if (this.#charm === undefined) {
      throw new HarnessError('cannot detach storage before the harness has begun');
    }
    const storage = this.#storage(id);
    if (!storage.attached) return;
    await this.#emit(`${storage.name.replaceAll('-', '_')}_storage_detaching`, [
      this.#storageObject(storage.name, storage.index),
    ]);
    storage.attached = false;
    this.#invalidate();
  }

  /** Detaches (if attached; storage-detaching after begin) and forgets a storage instance. */
  async removeStorage(id: string): Promise<void> {
    const storage = this.#storage(id);
    if (storage.attached) {
      if (this.#charm === undefined) storage.attached = false;
      else await this.detachStorage(id);
    }
    this.#world.data.storages = this.#world.data.storages.filter(
      (s) => `${s.name}/${s.index}` !== id,
    );
  }

  // --- resources, networks -------------------------------------------------------------------

  /** Provides a file resource with `content`; `resources.fetch(name)` returns its path. */
  addResource(name: string, content: string | Uint8Array): void {
    const rmeta = this.meta.resources[name];
    if (rmeta === undefined)
      throw new HarnessError(`resource '${name}' is not declared in metadata`);
    if (rmeta.type !== 'file') throw new HarnessError(`resource '${name}' is not a file resource`);
    const dir = join(this.#tempDir, 'resources', name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, rmeta.filename ?? name);
    writeFileSync(file, content);
    this.#world.data.resources[name] = file;
  }

  /**
   * Provides an OCI-image resource: `resources.fetch(name)` returns a `contents.yaml` with
   * `registrypath`, `username` and `password` (placeholders by default, as ops).
   * @throws {HarnessError} for a resource that is not a declared OCI image
   */
  addOciResource(name: string, contents: Readonly<Record<string, string>> = {}): void {
    const rmeta = this.meta.resources[name];
    if (rmeta === undefined)
      throw new HarnessError(`resource '${name}' is not declared in metadata`);
    if (rmeta.type !== 'oci-image')
      throw new HarnessError(`resource '${name}' is not an OCI image`);
    const values = {
      registrypath: 'registrypath',
      username: 'username',
      password: 'password',
      ...contents,
    };
    const dir = join(this.#tempDir, 'resources', name);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'contents.yaml');
    writeFileSync(file, toYaml(values));
    this.#world.data.resources[name] = file;
  }

  /** Provides every OCI-image resource of the metadata with placeholder contents. */
  populateOciResources(): void {
    for (const [name, rmeta] of Object.entries(this.meta.resources)) {
      if (rmeta.type === 'oci-image') this.addOciResource(name);
    }
  }

  /**
   * Runs `fn` as if hook `eventName` were running, so the model applies the relation-data
   * access rules (ops' `_event_context`); `''` lifts them.
   */
  async eventContext<T>(eventName: string, fn: () => T | Promise<T>): Promise<T> {
    const previous = this.#model.hookRunning;
    this.#model.hookRunning = eventName;
    try {
      return await fn();
    } finally {
      this.#model.hookRunning = previous;
    }
  }

  /**
   * Sets the `network-get` answer of a binding (or of every binding without `endpoint`, or
   * of one relation with `relationId`).
   * @throws {HarnessError} for an unknown binding or a relation not on that endpoint
   */
  addNetwork(address: string, options: AddNetworkOptions = {}): void {
    if (isIP(address) === 0) throw new HarnessError(`'${address}' is not an IPv4 or IPv6 address`);
    const { endpoint, relationId } = options;
    if (endpoint !== undefined && !this.#world.data.bindings.includes(endpoint)) {
      throw new HarnessError(`'${endpoint}' is not a known endpoint or extra binding`);
    }
    if (relationId !== undefined) {
      if (endpoint === undefined) throw new HarnessError('relationId needs an endpoint');
      if (this.#relation(relationId).endpoint !== endpoint) {
        throw new HarnessError(`relation ${relationId} is not on endpoint '${endpoint}'`);
      }
    }
    const net = networkFor(address, options);
    if (endpoint === undefined) {
      // As ops: the default binding, which bindings without their own network fall back to.
      this.#world.data.networks[''] = net;
    } else {
      this.#world.data.networks[relationId === undefined ? endpoint : `${endpoint}:${relationId}`] =
        net;
    }
  }

  // --- secrets -------------------------------------------------------------------------------

  #secret(id: string): WorldSecret {
    return this.#world.findSecret('secret-get', id, undefined);
  }

  /** Adds a secret owned by a remote app or unit; grant it to this app to let the charm read it. */
  addModelSecret(
    owner: string | { readonly name: string },
    content: Readonly<Record<string, string>>,
  ): string {
    return this.#addSecret(appOrUnitName(owner), content, []);
  }

  /** Adds a user secret (`juju add-secret`); grant it with {@link Harness.grantSecret}. */
  addUserSecret(content: Readonly<Record<string, string>>): string {
    return this.#addSecret(this.#world.data.modelUuid, content, []);
  }

  #addSecret(
    ownerName: string,
    content: Readonly<Record<string, string>>,
    observers: string[],
  ): string {
    checkSecretContent(content);
    const id = generateSecretId();
    this.#world.data.secrets.push({
      id,
      owner: null,
      ownerName,
      observers,
      revisions: [{ revision: 1, content: { ...content } }],
      trackedRevision: 1,
      grants: {},
      removedRevisions: [],
    });
    return id;
  }

  /** Publishes a new revision of a secret the charm observes and emits secret-changed. */
  async setSecretContent(id: string, content: Readonly<Record<string, string>>): Promise<void> {
    checkSecretContent(content);
    this.#requireBegun();
    const secret = this.#secret(id);
    if (secret.owner !== null)
      throw new HarnessError(`secret ${id} is owned by the charm under test`);
    const latest = secret.revisions.at(-1)?.revision ?? 0;
    secret.revisions.push({ revision: latest + 1, content: { ...content } });
    await this.#emit('secret_changed', [secret.id, secret.label ?? null], true);
  }

  /**
   * Grants a secret to an app or unit (this charm's, for secrets it observes). As ops, a
   * model secret is granted over the relation with its owner's app, which must exist; the
   * grant goes when that relation is removed.
   * @throws {HarnessError} for a charm-owned secret, or a model secret without such a relation
   */
  grantSecret(id: string, observer: string | { readonly name: string }): void {
    const secret = this.#observedSecret(id);
    const name = appOrUnitName(observer);
    const observers = secret.observers ?? [];
    if (!observers.includes(name)) observers.push(name);
    secret.observers = observers;
  }

  /** A secret the charm observes; a model secret needs a relation with its owner's app (as ops). */
  #observedSecret(id: string): WorldSecret {
    const secret = this.#secret(id);
    if (secret.owner !== null)
      throw new HarnessError(`secret ${id} is owned by the charm under test`);
    const ownerApp = appOf(secret.ownerName ?? '');
    if (
      secret.ownerName !== this.#world.data.modelUuid &&
      !this.#world.data.relations.some((r) => r.remoteApp === ownerApp)
    ) {
      throw new HarnessError(
        `no relation between this charm (${this.#world.appName}) and secret owner (${ownerApp})`,
      );
    }
    return secret;
  }

  /**
   * Revokes a grant made with {@link Harness.grantSecret}.
   * @throws {HarnessError} as {@link Harness.grantSecret}
   */
  revokeSecret(id: string, observer: string | { readonly name: string }): void {
    const secret = this.#observedSecret(id);
    const name = appOrUnitName(observer);
    secret.observers = (secret.observers ?? []).filter((o) => o !== name);
  }

  /**
   * Names a secret is granted to on a relation: for a charm-owned secret, the charm's grants;
   * for a remote app's secret, the {@link Harness.grantSecret} grants, which ride on the first
   * relation with the owner's app (as ops).
   */
  getSecretGrants(id: string, relationId: number): string[] {
    const secret = this.#secret(id);
    if (secret.owner === null && secret.ownerName !== this.#world.data.modelUuid) {
      const ownerApp = appOf(secret.ownerName ?? '');
      const via = this.#world.data.relations.find((r) => r.remoteApp === ownerApp);
      return via?.id === relationId ? [...(secret.observers ?? [])] : [];
    }
    return [...(secret.grants[String(relationId)] ?? [])];
  }

  /** Revision numbers of a secret. */
  getSecretRevisions(id: string): number[] {
    return this.#secret(id).revisions.map((r) => r.revision);
  }

  /** As ops (its `self.charm`): these methods need the charm. */
  #requireBegun(): void {
    if (this.#charm === undefined) throw new HarnessError('call begin() first');
  }

  #notUserSecret(id: string, event: string): WorldSecret {
    const secret = this.#secret(id);
    if (secret.owner === null && secret.ownerName === this.#world.data.modelUuid) {
      throw new HarnessError(`cannot trigger ${event} for user secret ${id}`);
    }
    return secret;
  }

  /**
   * Emits secret-rotate for a secret (as ops, any secret but a user secret).
   * @throws {HarnessError} for a user secret or an unknown id
   */
  async triggerSecretRotation(id: string, options: { label?: string } = {}): Promise<void> {
    this.#requireBegun();
    const secret = this.#notUserSecret(id, 'secret-rotate');
    await this.#emit('secret_rotate', [secret.id, options.label ?? secret.label ?? null], true);
  }

  /** Emits secret-remove for a revision of a secret (as ops, no ownership check). */
  async triggerSecretRemoval(
    id: string,
    revision: number,
    options: { label?: string } = {},
  ): Promise<void> {
    this.#requireBegun();
    const secret = this.#secret(id);
    await this.#emit(
      'secret_remove',
      [secret.id, options.label ?? secret.label ?? null, revision],
      true,
    );
  }

  /**
   * Emits secret-expired for a revision of a secret (as ops, any secret but a user secret).
   * @throws {HarnessError} for a user secret or an unknown id
   */
  async triggerSecretExpiration(
    id: string,
    revision: number,
    options: { label?: string } = {},
  ): Promise<void> {
    this.#requireBegun();
    const secret = this.#notUserSecret(id, 'secret-expired');
    await this.#emit(
      'secret_expired',
      [secret.id, options.label ?? secret.label ?? null, revision],
      true,
    );
  }

  // --- containers ---------------------------------------------------------------------------

  #server(container: string | { readonly name: string }): FakePebbleServer {
    const name = appOrUnitName(container);
    const server = this.#servers.get(name);
    if (server === undefined) {
      if (this.meta.containers[name] === undefined) {
        throw new HarnessError(`container '${name}' is not declared in metadata`);
      }
      throw new HarnessError(`container '${name}' has no Pebble yet: call begin() first`);
    }
    return server;
  }

  /** The fake Pebble server of a container (for test-side control: checks, services, logs). */
  pebbleServer(container: string | { readonly name: string }): FakePebbleServer {
    return this.#server(container);
  }

  /**
   * Makes a container's Pebble reachable or not (`container.canConnect()`). Before
   * {@link Harness.begin} the setting is kept and applied when the server starts, as ops.
   * @throws {HarnessError} for a container not in the metadata
   */
  async setCanConnect(
    container: string | { readonly name: string },
    value: boolean,
  ): Promise<void> {
    const name = appOrUnitName(container);
    if (this.#charm === undefined && !this.#servers.has(name)) {
      if (this.meta.containers[name] === undefined) {
        throw new HarnessError(`container '${name}' is not declared in metadata`);
      }
      this.#canConnectBeforeBegin.set(name, value);
      return;
    }
    await this.#server(container).setAvailable(value);
  }

  /**
   * Makes the container connectable and emits `<container>-pebble-ready`; does nothing
   * before {@link Harness.begin}, as ops.
   */
  async containerPebbleReady(name: string): Promise<void> {
    if (this.#charm === undefined) return;
    await this.setCanConnect(name, true);
    await this.#emit(
      `${name.replaceAll('-', '_')}_pebble_ready`,
      [this.#model.unit.getContainer(name)],
      true,
    );
  }

  /**
   * Records a custom notice in a container's Pebble and emits `<container>-pebble-custom-notice`.
   * @returns the notice id
   */
  async pebbleCustomNotice(
    container: string,
    key: string,
    options: { data?: Readonly<Record<string, string>> } = {},
  ): Promise<string> {
    const server = this.#server(container);
    const id = server.addNotice({
      key,
      type: 'custom',
      ...(options.data === undefined ? {} : { data: { ...options.data } }),
    });
    await this.#emit(
      `${container.replaceAll('-', '_')}_pebble_custom_notice`,
      [this.#model.unit.getContainer(container), id, 'custom', key],
      true,
    );
    return id;
  }

  /**
   * Records a custom notice in a container's Pebble (ops' `pebble_notify`) and, once begun,
   * emits `<container>-pebble-custom-notice` when the notice is new or repeats: a notice seen
   * before repeats always, or with `repeatAfterMs` only once that long has passed since it
   * last repeated.
   * @returns the notice id
   * @throws {HarnessError} before {@link Harness.begin} or for a container not in the metadata
   */
  async pebbleNotify(
    container: string,
    key: string,
    options: { data?: Readonly<Record<string, string>>; repeatAfterMs?: number } = {},
  ): Promise<string> {
    const server = this.#server(container);
    const before = server.notices.find(
      (n) => n.type === 'custom' && n.key === key && n.userId === null,
    );
    const lastRepeated = before?.lastRepeated.getTime();
    const now = Date.now();
    const emits =
      lastRepeated === undefined ||
      options.repeatAfterMs === undefined ||
      now > lastRepeated + options.repeatAfterMs;
    const id = server.addNotice({
      key,
      type: 'custom',
      ...(options.data === undefined ? {} : { data: { ...options.data } }),
      ...(options.repeatAfterMs === undefined ? {} : { repeatAfterMs: options.repeatAfterMs }),
    });
    if (emits) {
      await this.#emit(
        `${container.replaceAll('-', '_')}_pebble_custom_notice`,
        [this.#model.unit.getContainer(container), id, 'custom', key],
        true,
      );
    }
    return id;
  }

  /**
   * The merged plan of a container's Pebble (empty before {@link Harness.begin}, as ops).
   * @throws {HarnessError} for a container not in the metadata
   */
  getContainerPebblePlan(container: string): Layer {
    if (!this.#servers.has(container) && this.meta.containers[container] !== undefined) return {};
    return this.#server(container).plan;
  }

  /**
   * The directory standing for the container's `/` (also before {@link Harness.begin}, so a
   * test can seed files first, as ops).
   * @throws {HarnessError} for a container not in the metadata
   */
  getFilesystemRoot(container: string | { readonly name: string }): string {
    const name = appOrUnitName(container);
    const server = this.#servers.get(name);
    if (server !== undefined) return server.root;
    if (this.meta.containers[name] === undefined) {
      throw new HarnessError(`container '${name}' is not declared in metadata`);
    }
    const root = join(this.#tempDir, 'containers', name);
    mkdirSync(root, { recursive: true });
    return root;
  }

  /**
   * Registers the outcome of commands starting with `commandPrefix` in a container: a
   * handler (gets {@link ExecArgs}, returns an {@link ExecResult}) or a fixed result (an exit
   * code, a stdout text, or an `ExecResult`). As ops, the registration with the longest
   * matching prefix answers (`[]` matches every command); registering a prefix again replaces it.
   * May be called before {@link Harness.begin}.
   * @throws {HarnessError} for a container not in the metadata
   */
  handleExec(
    container: string | { readonly name: string },
    commandPrefix: readonly string[],
    outcome:
      | { handler: (args: ExecArgs) => ExecResult | undefined | Promise<ExecResult | undefined> }
      | { result: number | string | ExecResult },
  ): void {
    const name = appOrUnitName(container);
    if (this.meta.containers[name] === undefined) {
      throw new HarnessError(`container '${name}' is not declared in metadata`);
    }
    const prefix = [...commandPrefix];
    const prefixes = this.#execPrefixes.get(name) ?? [];
    prefixes.push(prefix);
    this.#execPrefixes.set(name, prefixes);
    const register = (server: FakePebbleServer): void => {
      this.#registerExec(server, prefix, prefixes, outcome);
    };
    const server = this.#servers.get(name);
    if (server === undefined) this.#pendingExec.push({ container: name, register });
    else register(server);
  }

  #registerExec(
    server: FakePebbleServer,
    prefix: readonly string[],
    prefixes: readonly (readonly string[])[],
    outcome:
      | { handler: (args: ExecArgs) => ExecResult | undefined | Promise<ExecResult | undefined> }
      | { result: number | string | ExecResult },
  ): void {
    const startsWith = (command: readonly string[], p: readonly string[]): boolean =>
      p.length <= command.length && p.every((part, i) => command[i] === part);
    // The server asks the latest registration first: this one answers when no longer
    // registered prefix also matches (the same prefix registered later is asked before it).
    server.handleExec(
      (command) =>
        startsWith(command, prefix) &&
        !prefixes.some((p) => p.length > prefix.length && startsWith(command, p)),
      async (ctx: FakeExecContext) => {
        let result: ExecResult | undefined;
        if ('handler' in outcome) {
          result = await outcome.handler({
            command: [...ctx.command],
            environment: { ...ctx.environment },
            workingDir: ctx.workingDir,
            user: ctx.user,
            group: ctx.group,
            stdin: ctx.stdin,
          });
        } else if (typeof outcome.result === 'number') {
          result = { exitCode: outcome.result };
        } else if (typeof outcome.result === 'string') {
          result = { stdout: outcome.result };
        } else {
          result = outcome.result;
        }
        if (result?.stdout !== undefined) ctx.stdout.write(result.stdout);
        if (result?.stderr !== undefined) ctx.stderr.write(result.stderr);
        return result?.exitCode ?? 0;
      },
    );
  }

  // --- actions -------------------------------------------------------------------------------

  /**
   * Runs action `name` with `params` (required and unknown parameters are checked, not
   * types, as ops does) and returns its logs and results.
   * @throws {ActionFailed} when the handler called `fail()`
   * @throws {HarnessError} for an undeclared action or bad parameters
   */
  async runAction(
    name: string,
    params: Readonly<Record<string, unknown>> = {},
  ): Promise<ActionOutput> {
    if (this.#charm === undefined) throw new HarnessError('cannot run an action before begin()');
    const ameta = this.meta.actions[name];
    if (ameta === undefined) throw new HarnessError(`action '${name}' is not declared in metadata`);
    for (const required of ameta.required) {
      if (!(required in params))
        throw new HarnessError(`action '${name}' needs param '${required}'`);
    }
    if (!ameta.additionalProperties) {
      for (const key of Object.keys(params)) {
        if (ameta.params[key] === undefined) {
          throw new HarnessError(`param '${key}' is not a parameter of action '${name}'`);
        }
      }
    }
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(ameta.params)) {
      if ('default' in schema) defaults[key] = structuredClone(schema.default);
    }
    // As ops: the first action run has id "1".
    this.#nextActionId += 1;
    const id = String(this.#nextActionId);
    this.#world.data.action = {
      name,
      id,
      params: { ...defaults, ...structuredClone({ ...params }) },
      results: {},
      logs: [],
      failed: false,
    };
    this.backend.actionResults = {};
    try {
      await this.#emit(`${name.replaceAll('-', '_')}_action`, [id], true);
      const action = this.#world.data.action;
      const output = {
        logs: [...action.logs],
        results: structuredClone(this.backend.actionResults),
      };
      if (action.failed) throw new ActionFailed(action.failureMessage ?? '', output);
      return output;
    } finally {
      delete this.#world.data.action;
    }
  }
}

/** The /24 (IPv4) or /64 (IPv6) network of `address`, host bits cleared (as ops). */
function defaultCidr(address: string): string {
  if (isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}

function networkFor(address: string, options: AddNetworkOptions = {}): WorldNetwork {
  const cidr = options.cidr ?? defaultCidr(address);
  return {
    'bind-addresses': [
      {
        'mac-address': '',
        'interface-name': options.interface ?? 'eth0',
        addresses: [{ hostname: '', value: address, cidr }],
      },
    ],
    'egress-subnets': [...(options.egressSubnets ?? [cidr])],
    'ingress-addresses': [...(options.ingressAddresses ?? [address])],
  };
}

/** Whether `value` has config type `type` (ops' Harness check; JS numbers stand for float). */
function configValueFits(type: string, value: unknown): boolean {
  switch (type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return typeof value === 'string';
  }
}

/**
 * As ops (`Secret._validate_content`): non-empty, keys of 3+ lowercase letters, digits and
 * single inner hyphens starting with a letter, string values. Values never reach the message.
 */
function checkSecretContent(content: Readonly<Record<string, unknown>>): void {
  const entries = Object.entries(content);
  if (entries.length === 0) throw new HarnessError('secret content must not be empty');
  const badKeys = entries.map(([k]) => k).filter((k) => !/^[a-z](?:-?[a-z0-9]){2,}$/.test(k));
  if (badKeys.length > 0) {
    throw new HarnessError(
      `invalid secret keys: ${badKeys.join(', ')} (3+ lowercase letters and digits, starting with a letter, single inner hyphens)`,
    );
  }
  const badValues = entries.filter(([, v]) => typeof v !== 'string').map(([k]) => k);
  if (badValues.length > 0) {
    throw new HarnessError(`secret values must be strings (keys: ${badValues.join(', ')})`);
  }
}
