import { type CharmMeta, type StatusBase, UnknownStatus } from '@opsjs/model';
import { StateValidationError } from '../errors.js';
import { Container } from './container.js';
import {
  type DeferredEvent,
  ModelInfo,
  type Port,
  type Resource,
  Storage,
  type StoredState,
} from './misc.js';
import { Network } from './network.js';
import { type AnyRelation, PeerRelation, Relation, SubordinateRelation } from './relation.js';
import { type Secret, secretUniqueId } from './secret.js';

/** A config value: the JS type of a config option's Juju type. */
export type ConfigValue = string | number | boolean;

/** Everything a `State` holds; every field is optional in `new State({...})`. */
export interface StateInit {
  /** Config values set by the user (defaults from metadata are added by the context). */
  config?: Readonly<Record<string, ConfigValue>>;
  /** Relations. */
  relations?: readonly AnyRelation[];
  /** Network overrides by binding. */
  networks?: readonly Network[];
  /** Containers. */
  containers?: readonly Container[];
  /** Attached storage instances. */
  storages?: readonly Storage[];
  /** Ports open before the event. */
  openedPorts?: readonly Port[];
  /** Whether this unit is the leader (default `false`). */
  leader?: boolean;
  /** The model. */
  model?: ModelInfo;
  /** Secrets this charm owns or can read. */
  secrets?: readonly Secret[];
  /** Resources. */
  resources?: readonly Resource[];
  /** Number of planned units of the app (default 1). */
  plannedUnits?: number;
  /** Events deferred by earlier dispatches, oldest first. */
  deferred?: readonly DeferredEvent[];
  /** StoredState contents. */
  storedStates?: readonly StoredState[];
  /** Application status (default unknown). */
  appStatus?: StatusBase;
  /** Unit status (default unknown). */
  unitStatus?: StatusBase;
  /** Workload version (default empty). */
  workloadVersion?: string;
}

/**
 * The Juju-owned state of one unit: the input of `Context.run` and its output (Scenario's
 * `State`). Immutable: derive a changed copy with {@link State.with}.
 *
 * @example
 * ```ts
 * const state = new State({ leader: true, config: { port: 8080 } });
 * const next = state.with({ leader: false });
 * ```
 */
export class State {
  /** Config values. */
  readonly config: Readonly<Record<string, ConfigValue>>;
  /** Relations. */
  readonly relations: readonly AnyRelation[];
  /** Network overrides. */
  readonly networks: readonly Network[];
  /** Containers. */
  readonly containers: readonly Container[];
  /** Attached storage. */
  readonly storages: readonly Storage[];
  /** Opened ports. */
  readonly openedPorts: readonly Port[];
  /** Leadership. */
  readonly leader: boolean;
  /** The model. */
  readonly model: ModelInfo;
  /** Secrets. */
  readonly secrets: readonly Secret[];
  /** Resources. */
  readonly resources: readonly Resource[];
  /** Planned units. */
  readonly plannedUnits: number;
  /** Deferred events, oldest first. */
  readonly deferred: readonly DeferredEvent[];
  /** StoredState contents. */
  readonly storedStates: readonly StoredState[];
  /** Application status. */
  readonly appStatus: StatusBase;
  /** Unit status. */
  readonly unitStatus: StatusBase;
  /** Workload version. */
  readonly workloadVersion: string;

  /** @throws {StateValidationError} for config values that are not string, number or boolean. */
  constructor(init: StateInit = {}) {
    const config: Record<string, ConfigValue> = {};
    for (const [key, value] of Object.entries(init.config ?? {})) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        throw new StateValidationError(
          `State.config['${key}'] must be a string, number or boolean, got ${typeof value}`,
        );
      }
      config[key] = value;
    }
    this.config = Object.freeze(config);
    this.relations = Object.freeze([...(init.relations ?? [])]);
    this.networks = Object.freeze([...(init.networks ?? [])]);
    this.containers = Object.freeze([...(init.containers ?? [])]);
    this.storages = Object.freeze([...(init.storages ?? [])]);
    this.openedPorts = Object.freeze([...(init.openedPorts ?? [])]);
    this.leader = init.leader ?? false;
    this.model = init.model ?? new ModelInfo();
    this.secrets = Object.freeze([...(init.secrets ?? [])]);
    this.resources = Object.freeze([...(init.resources ?? [])]);
    this.plannedUnits = init.plannedUnits ?? 1;
    this.deferred = Object.freeze([...(init.deferred ?? [])]);
    this.storedStates = Object.freeze([...(init.storedStates ?? [])]);
    this.appStatus = init.appStatus ?? new UnknownStatus();
    this.unitStatus = init.unitStatus ?? new UnknownStatus();
    this.workloadVersion = init.workloadVersion ?? '';
    Object.freeze(this);
  }

  /**
   * A plausible state for a charm (Scenario's `State.from_context`): config defaults, one
   * relation per endpoint (peer, subordinate or regular as declared, no data), one connectable
   * container per declared container and one instance per storage; `init` overrides or adds
   * (a relation, container or storage given for a name replaces the generated one).
   *
   * @param ctx - anything with the charm's metadata, e.g. a `Context`
   */
  static fromContext(ctx: { readonly meta: CharmMeta }, init: StateInit = {}): State {
    const meta = ctx.meta;
    const config: Record<string, ConfigValue> = {};
    for (const [name, option] of Object.entries(meta.config)) {
      if (option.default !== undefined) config[name] = option.default;
    }
    const relations = [...(init.relations ?? [])];
    for (const [endpoint, rmeta] of Object.entries(meta.relations)) {
      if (relations.some((r) => r.endpoint === endpoint)) continue;
      const base = { endpoint, interface: rmeta.interfaceName };
      relations.push(
        rmeta.role === 'peer'
          ? new PeerRelation(base)
          : rmeta.scope === 'container'
            ? new SubordinateRelation(base)
            : new Relation(base),
      );
    }
    const containers = [...(init.containers ?? [])];
    for (const name of Object.keys(meta.containers)) {
      if (!containers.some((c) => c.name === name))
        containers.push(new Container({ name, canConnect: true }));
    }
    const storages = [...(init.storages ?? [])];
    for (const name of Object.keys(meta.storages)) {
      if (!storages.some((st) => st.name === name)) storages.push(new Storage({ name }));
    }
    return new State({
      ...init,
      config: { ...config, ...(init.config ?? {}) },
      relations,
      containers,
      storages,
    });
  }

  /** A copy of this state with `changes` applied (the `dataclasses.replace` of Scenario). */
  with(changes: StateInit): State {
    return new State({ ...this.toInit(), ...changes });
  }

  /** The fields of this state as a `StateInit`. */
  toInit(): StateInit {
    return {
      config: this.config,
      relations: this.relations,
      networks: this.networks,
      containers: this.containers,
      storages: this.storages,
      openedPorts: this.openedPorts,
      leader: this.leader,
      model: this.model,
      secrets: this.secrets,
      resources: this.resources,
      plannedUnits: this.plannedUnits,
      deferred: this.deferred,
      storedStates: this.storedStates,
      appStatus: this.appStatus,
      unitStatus: this.unitStatus,
      workloadVersion: this.workloadVersion,
    };
  }

  /** The relation with id `id`. @throws {StateValidationError} when absent. */
  getRelation(id: number): AnyRelation {
    const found = this.relations.find((r) => r.id === id);
    if (found === undefined) throw new StateValidationError(`State has no relation with id ${id}`);
    return found;
  }

  /** The relations on endpoint `endpoint` (possibly none). */
  getRelations(endpoint: string): readonly AnyRelation[] {
    return this.relations.filter((r) => r.endpoint === endpoint);
  }

  /** The container named `name`. @throws {StateValidationError} when absent. */
  getContainer(name: string): Container {
    const found = this.containers.find((c) => c.name === name);
    if (found === undefined) throw new StateValidationError(`State has no container '${name}'`);
    return found;
  }

  /**
   * The secret with this id (any form of it) or label.
   * @throws {StateValidationError} when absent or when neither is given.
   */
  getSecret(query: { id?: string; label?: string }): Secret {
    if (query.id === undefined && query.label === undefined) {
      throw new StateValidationError('State.getSecret needs an id or a label');
    }
    const found = this.secrets.find(
      (s) =>
        (query.id !== undefined && secretUniqueId(s.id) === secretUniqueId(query.id)) ||
        (query.id === undefined && s.label === query.label),
    );
    if (found === undefined) {
      throw new StateValidationError(
        `State has no secret with ${query.id !== undefined ? `id ${query.id}` : `label '${query.label}'`}`,
      );
    }
    return found;
  }

  /** The storage instance `name`/`index`. @throws {StateValidationError} when absent. */
  getStorage(name: string, index = 0): Storage {
    const found = this.storages.find((s) => s.name === name && s.index === index);
    if (found === undefined)
      throw new StateValidationError(`State has no storage ${name}/${index}`);
    return found;
  }

  /** The network of binding `bindingName`; a default one when not overridden. */
  getNetwork(bindingName: string): Network {
    return this.networks.find((n) => n.bindingName === bindingName) ?? Network.default(bindingName);
  }

  /**
   * The stored state `name` of owner `ownerPath` (the charm when omitted).
   * @throws {StateValidationError} when absent.
   */
  getStoredState(name = '_stored', ownerPath?: string): StoredState {
    const found = this.storedStates.find(
      (s) => s.name === name && (ownerPath === undefined || s.ownerPath === ownerPath),
    );
    if (found === undefined) {
      throw new StateValidationError(
        `State has no stored state '${name}'${ownerPath === undefined ? '' : ` of ${ownerPath}`}`,
      );
    }
    return found;
  }
}
