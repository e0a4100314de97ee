import type { ConfigValue } from '@opsjs/model';
import type {
  ActionEvent,
  PebbleCheckFailedEvent,
  PebbleCheckRecoveredEvent,
  PebbleCustomNoticeEvent,
  PebbleReadyEvent,
  RelationBrokenEvent,
  RelationChangedEvent,
  RelationCreatedEvent,
  RelationDepartedEvent,
  RelationJoinedEvent,
  StorageAttachedEvent,
  StorageDetachingEvent,
} from './charm-events.js';
import type { BoundEvent, EmitArgs, EventOf } from './framework.js';

/** A JSON-schema parameter of an action, as far as types are concerned. */
export interface ActionParamSpec {
  /** The JSON type (`string`, `integer`, `number`, `boolean`, `array`, `object`, or a list). */
  readonly type?: string | readonly string[];
  /** The default Juju fills in. */
  readonly default?: unknown;
  /** Free-form description. */
  readonly description?: string;
}

/** An action in metadata (`actions.yaml` / charmcraft `actions:`), as far as types are concerned. */
export interface ActionSpec {
  /** The parameters. */
  readonly params?: Readonly<Record<string, ActionParamSpec>>;
  /** Parameters that must be given. */
  readonly required?: readonly string[];
  /** Free-form description. */
  readonly description?: string;
}

/** A config option in metadata, as far as types are concerned. */
export interface ConfigOptionSpec {
  /** The option type. */
  readonly type: 'string' | 'int' | 'float' | 'boolean' | 'secret';
  /** The default value. */
  readonly default?: unknown;
  /** Free-form description. */
  readonly description?: string;
}

/**
 * The shape of charm metadata that drives typing: write the metadata as a const object (or
 * use `opsjs typegen` output) and pass its type to `CharmBase<typeof meta>`. Then
 * `this.on`, `this.config`, `this.getRelation()` and action `params` only accept the names it
 * declares, and misspelt names fail to compile. The runtime metadata still comes from the
 * charm directory; the type must describe the same charm.
 *
 * @example
 * ```ts
 * const meta = {
 *   requires: { db: { interface: 'postgresql_client' } },
 *   config: { options: { port: { type: 'int', default: 8080 } } },
 *   actions: { backup: { params: { target: { type: 'string' } } } },
 * } as const satisfies CharmMetadata;
 * class MyCharm extends CharmBase<typeof meta> {}
 * ```
 */
export interface CharmMetadata {
  /** Endpoints this charm requires. */
  readonly requires?: Readonly<Record<string, unknown>>;
  /** Endpoints this charm provides. */
  readonly provides?: Readonly<Record<string, unknown>>;
  /** Peer endpoints. */
  readonly peers?: Readonly<Record<string, unknown>>;
  /** Storage. */
  readonly storage?: Readonly<Record<string, unknown>>;
  /** Workload containers. */
  readonly containers?: Readonly<Record<string, unknown>>;
  /** Actions. */
  readonly actions?: Readonly<Record<string, ActionSpec | null>>;
  /** Config options. */
  readonly config?: { readonly options?: Readonly<Record<string, ConfigOptionSpec>> };
}

/** Metadata of unknown shape: every name is accepted. The default of `CharmBase`. */
export interface AnyCharmMetadata extends CharmMetadata {
  readonly requires: Readonly<Record<string, unknown>>;
  readonly provides: Readonly<Record<string, unknown>>;
  readonly peers: Readonly<Record<string, unknown>>;
  readonly storage: Readonly<Record<string, unknown>>;
  readonly containers: Readonly<Record<string, unknown>>;
  readonly actions: Readonly<Record<string, ActionSpec>>;
  readonly config: { readonly options: Readonly<Record<string, ConfigOptionSpec>> };
}

/** `my-db` → `myDb`, `db_2` → `db2`: how metadata names become event property names. */
export type CamelCase<S extends string> = S extends `${infer H}-${infer T}`
  ? `${H}${Capitalize<CamelCase<T>>}`
  : S extends `${infer H}_${infer T}`
    ? `${H}${Capitalize<CamelCase<T>>}`
    : S;

type KeysOf<M, P extends string> = M extends { readonly [K in P]?: infer R }
  ? R extends object
    ? keyof R & string
    : never
  : never;

/** The relation endpoint names of metadata `M`. */
export type RelationName<M> = KeysOf<M, 'requires'> | KeysOf<M, 'provides'> | KeysOf<M, 'peers'>;
/** The storage names of metadata `M`. */
export type StorageName<M> = KeysOf<M, 'storage'>;
/** The container names of metadata `M`. */
export type ContainerName<M> = KeysOf<M, 'containers'>;
/** The action names of metadata `M`. */
export type ActionName<M> = KeysOf<M, 'actions'>;
/** The config option names of metadata `M`. */
export type ConfigName<M> = M extends { readonly config?: { readonly options?: infer O } }
  ? O extends object
    ? keyof O & string
    : never
  : never;

type ConfigSpecOf<M, K extends string> = M extends {
  readonly config?: { readonly options?: infer O };
}
  ? O extends { readonly [P in K]: infer S }
    ? S
    : never
  : never;

type ConfigTypeOf<S> = S extends { readonly type: 'int' | 'float' }
  ? number
  : S extends { readonly type: 'boolean' }
    ? boolean
    : S extends { readonly type: 'string' | 'secret' }
      ? string
      : ConfigValue;

/** The value type of config option `K` of metadata `M`. */
export type ConfigValueOf<M, K extends string> = ConfigTypeOf<ConfigSpecOf<M, K>>;

/** The charm config, typed by metadata `M` (the model's `ConfigData` at run time). */
export interface TypedConfig<M> extends Iterable<[string, ConfigValue]> {
  /** The value of an option, or `undefined` when unset with no default. */
  get<K extends ConfigName<M>>(key: K): ConfigValueOf<M, K> | undefined;
  /** Whether the option has a value. */
  has(key: ConfigName<M>): boolean;
  /** The number of options with a value. */
  readonly size: number;
}

type ParamTypeOf<S> = S extends { readonly type: 'string' }
  ? string
  : S extends { readonly type: 'integer' | 'number' }
    ? number
    : S extends { readonly type: 'boolean' }
      ? boolean
      : S extends { readonly type: 'array' }
        ? unknown[]
        : S extends { readonly type: 'object' }
          ? Record<string, unknown>
          : unknown;

type RequiredOf<A> = A extends { readonly required?: infer R }
  ? R extends readonly (infer N)[]
    ? N
    : never
  : never;

// A parameter is always present when it has a default (Juju fills it in) or is required.
type Present<A, P, N> = P[N & keyof P] extends { readonly default: unknown }
  ? true
  : N extends RequiredOf<A>
    ? true
    : false;

type ParamsOfSpec<A> = A extends { readonly params?: infer P }
  ? P extends object
    ? {
        readonly [N in keyof P as Present<A, P, N> extends true ? N : never]: ParamTypeOf<P[N]>;
      } & {
        readonly [N in keyof P as Present<A, P, N> extends true ? never : N]?: ParamTypeOf<P[N]>;
      }
    : Record<string, never>
  : Record<string, never>;

/** The parameters of action `K` of metadata `M` (names as in the metadata). */
export type ActionParams<M, K extends string> = M extends { readonly actions?: infer A }
  ? A extends { readonly [P in K]: infer S }
    ? ParamsOfSpec<S>
    : Record<string, unknown>
  : Record<string, unknown>;

type Bound<T> = BoundEvent<EventOf<T>, EmitArgs<T>>;

type Suffixed<N extends string, Suffix extends string, T> = {
  readonly [K in N as `${CamelCase<K>}${Suffix}`]: Bound<T>;
};

/** The relation, storage, container and action events metadata `M` adds to `charm.on`. */
export type MetadataEvents<M> = Suffixed<
  RelationName<M>,
  'RelationCreated',
  typeof RelationCreatedEvent
> &
  Suffixed<RelationName<M>, 'RelationJoined', typeof RelationJoinedEvent> &
  Suffixed<RelationName<M>, 'RelationChanged', typeof RelationChangedEvent> &
  Suffixed<RelationName<M>, 'RelationDeparted', typeof RelationDepartedEvent> &
  Suffixed<RelationName<M>, 'RelationBroken', typeof RelationBrokenEvent> &
  Suffixed<StorageName<M>, 'StorageAttached', typeof StorageAttachedEvent> &
  Suffixed<StorageName<M>, 'StorageDetaching', typeof StorageDetachingEvent> &
  Suffixed<ContainerName<M>, 'PebbleReady', typeof PebbleReadyEvent> &
  Suffixed<ContainerName<M>, 'PebbleCustomNotice', typeof PebbleCustomNoticeEvent> &
  Suffixed<ContainerName<M>, 'PebbleCheckFailed', typeof PebbleCheckFailedEvent> &
  Suffixed<ContainerName<M>, 'PebbleCheckRecovered', typeof PebbleCheckRecoveredEvent> & {
    readonly [K in ActionName<M> as `${CamelCase<K>}Action`]: BoundEvent<
      ActionEvent<ActionParams<M, K>>,
      [id: string]
    >;
  };
