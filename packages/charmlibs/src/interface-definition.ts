import type { AnyCharm } from '@opsjs/core';
import { BagCodec, type BagShape, type EmptyShape, type JsonSchema } from './bag-codec.js';
import { type EndpointOptions, InterfaceEndpoint, type RemoteData } from './endpoint.js';
import { InterfaceDefinitionError } from './errors.js';

/** The bags one side of an interface writes: its application bag and its unit bags. */
export interface SideSpec {
  /** Fields of the application bag (written by the leader). */
  readonly app?: BagShape;
  /** Fields of each unit's bag. */
  readonly unit?: BagShape;
}

/** The app-bag shape of a side (empty when not declared). */
export type AppShape<S extends SideSpec> = S extends { readonly app: infer A extends BagShape }
  ? A
  : EmptyShape;
/** The unit-bag shape of a side (empty when not declared). */
export type UnitShape<S extends SideSpec> = S extends { readonly unit: infer U extends BagShape }
  ? U
  : EmptyShape;

/** What `defineInterface()` takes. */
export interface InterfaceSpec<P extends SideSpec, R extends SideSpec> {
  /** The interface name as in charm metadata (`interface: ingress`). */
  readonly name: string;
  /** The major version (the `vN` of charm-relation-interfaces). */
  readonly version: number;
  /** One sentence on what the interface is for. */
  readonly summary?: string;
  /** What the provider writes. */
  readonly provider: P;
  /** What the requirer writes. */
  readonly requirer: R;
}

/**
 * What `defineInterface()` takes when the bag schemas are built on first use: `schemas`
 * returns both sides' fields. A charm then builds no schema in a dispatch that reads and
 * writes no data of the interface (the endpoint objects do not need them to exist).
 */
export interface LazyInterfaceSpec<P extends SideSpec, R extends SideSpec> {
  /** The interface name as in charm metadata (`interface: ingress`). */
  readonly name: string;
  /** The major version (the `vN` of charm-relation-interfaces). */
  readonly version: number;
  /** One sentence on what the interface is for. */
  readonly summary?: string;
  /** Build what the provider and the requirer write; called once, on first use. */
  readonly schemas: () => { readonly provider: P; readonly requirer: R };
}

/** The provider side of an interface, as seen from a providing charm. */
export class InterfaceProvider<P extends SideSpec, R extends SideSpec> extends InterfaceEndpoint<
  AppShape<P>,
  UnitShape<P>,
  AppShape<R>,
  UnitShape<R>
> {
  static override handleKind = 'InterfaceProvider';
}

/** The requirer side of an interface, as seen from a requiring charm. */
export class InterfaceRequirer<P extends SideSpec, R extends SideSpec> extends InterfaceEndpoint<
  AppShape<R>,
  UnitShape<R>,
  AppShape<P>,
  UnitShape<P>
> {
  static override handleKind = 'InterfaceRequirer';
}

/** A constructor of an interface's endpoint objects (`new ingress.Requirer(this, 'ingress')`). */
export type EndpointClass<T> = new (
  charm: AnyCharm,
  endpoint: string,
  options?: EndpointOptions,
) => T;

/** The bag codecs of one side. */
export interface SideCodecs<S extends SideSpec> {
  /** The application bag. */
  readonly app: BagCodec<AppShape<S>>;
  /** Each unit's bag. */
  readonly unit: BagCodec<UnitShape<S>>;
}

/** A relation interface: its bag schemas, JSON Schema export and endpoint classes. */
export interface InterfaceDefinition<P extends SideSpec, R extends SideSpec> {
  /** The interface name. */
  readonly name: string;
  /** The major version. */
  readonly version: number;
  /** The summary, or `''`. */
  readonly summary: string;
  /** The provider's bags. */
  readonly provider: SideCodecs<P>;
  /** The requirer's bags. */
  readonly requirer: SideCodecs<R>;
  /** Create the provider object of an endpoint; subclass it to add interface helpers. */
  readonly Provider: EndpointClass<InterfaceProvider<P, R>>;
  /** Create the requirer object of an endpoint; subclass it to add interface helpers. */
  readonly Requirer: EndpointClass<InterfaceRequirer<P, R>>;
  /**
   * The JSON Schema of one side's bags, shaped as charm-relation-interfaces publishes them:
   * an object with `app` and `unit` properties, each the bag's schema.
   */
  jsonSchema(side: 'provider' | 'requirer'): JsonSchema;
  /** Both sides' JSON Schemas. */
  jsonSchemas(): { provider: JsonSchema; requirer: JsonSchema };
}

const NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * Define a relation interface once: its name, major version and the zod schemas of the
 * provider's and requirer's app and unit bags. Returns typed bag codecs, JSON Schema export
 * and `Provider`/`Requirer` classes that a charm creates for one endpoint.
 *
 * Field schemas may be any zod v4 schema, from `zod/mini` or zod classic (`zod`), mixed
 * freely; types are inferred from either. Write interface libraries with `zod/mini` named
 * imports: a charm bundles them, and zod classic costs several times the load time at every
 * dispatch. Give `schemas` (a {@link LazyInterfaceSpec}) instead of `provider` and
 * `requirer` to build the field schemas on first use rather than when the charm loads.
 *
 * @example
 * ```ts
 * import { int, string } from 'zod/mini';
 * const greeting = defineInterface({
 *   name: 'greeting',
 *   version: 0,
 *   schemas: () => ({
 *     provider: { app: { message: string() } },
 *     requirer: { unit: { port: jsonField(int()) } },
 *   }),
 * });
 * // in a charm constructor:
 * this.greeting = new greeting.Requirer(this, 'greeting');
 * this.observe(this.greeting.on.ready, this.onGreetingReady);
 * ```
 * @throws {InterfaceDefinitionError} for a bad name or version
 */
export function defineInterface<P extends SideSpec, R extends SideSpec>(
  spec: InterfaceSpec<P, R>,
): InterfaceDefinition<P, R>;
export function defineInterface<P extends SideSpec, R extends SideSpec>(
  spec: LazyInterfaceSpec<P, R>,
): InterfaceDefinition<P, R>;
export function defineInterface<P extends SideSpec, R extends SideSpec>(
  spec: InterfaceSpec<P, R> | LazyInterfaceSpec<P, R>,
): InterfaceDefinition<P, R> {
  if (typeof spec.name !== 'string' || !NAME.test(spec.name)) {
    throw new InterfaceDefinitionError(
      `interface name ${JSON.stringify(spec.name)}: use lower-case letters, digits, '_' and '-'`,
    );
  }
  if (!Number.isInteger(spec.version) || spec.version < 0) {
    throw new InterfaceDefinitionError(
      `interface ${spec.name}: version must be a non-negative integer, got ${spec.version}`,
    );
  }
  const label = `${spec.name} v${spec.version}`;
  let sides: { readonly provider: P; readonly requirer: R } | undefined;
  const built = (): { readonly provider: P; readonly requirer: R } => {
    if (sides === undefined) sides = 'schemas' in spec ? spec.schemas() : spec;
    return sides;
  };
  const side = <S extends SideSpec>(name: string, get: () => S): SideCodecs<S> => ({
    app: new BagCodec(`${label} ${name} app`, () => (get().app ?? {}) as AppShape<S>),
    unit: new BagCodec(`${label} ${name} unit`, () => (get().unit ?? {}) as UnitShape<S>),
  });
  const provider = side('provider', () => built().provider);
  const requirer = side('requirer', () => built().requirer);
  const interfaceName = spec.name;

  class Provider extends InterfaceProvider<P, R> {
    constructor(charm: AnyCharm, endpoint: string, options: EndpointOptions = {}) {
      super(
        charm,
        endpoint,
        {
          interfaceName,
          role: 'provides',
          localApp: provider.app,
          localUnit: provider.unit,
          remoteApp: requirer.app,
          remoteUnit: requirer.unit,
        },
        options,
      );
    }
  }
  class Requirer extends InterfaceRequirer<P, R> {
    constructor(charm: AnyCharm, endpoint: string, options: EndpointOptions = {}) {
      super(
        charm,
        endpoint,
        {
          interfaceName,
          role: 'requires',
          localApp: requirer.app,
          localUnit: requirer.unit,
          remoteApp: provider.app,
          remoteUnit: provider.unit,
        },
        options,
      );
    }
  }

  const sideSchema = (name: 'provider' | 'requirer'): JsonSchema => {
    const codecs = name === 'provider' ? provider : requirer;
    const required = (['app', 'unit'] as const).filter((k) => !codecs[k].allOptional);
    return {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: `${label} ${name}`,
      description: `The databags the ${name} of the ${spec.name} interface (v${spec.version}) writes.`,
      type: 'object',
      properties: { app: codecs.app.jsonSchema(), unit: codecs.unit.jsonSchema() },
      required,
    };
  };

  return {
    name: spec.name,
    version: spec.version,
    summary: spec.summary ?? '',
    provider,
    requirer,
    Provider,
    Requirer,
    jsonSchema: sideSchema,
    jsonSchemas: () => ({ provider: sideSchema('provider'), requirer: sideSchema('requirer') }),
  };
}

/**
 * The remote data an endpoint of `D` sees when this charm has `role`: a requirer sees the
 * provider's bags, a provider sees the requirer's.
 *
 * @example
 * ```ts
 * onReady(event: RemoteDataEvent<RemoteDataOf<typeof ingressV2, 'requirer'>>) {}
 * ```
 */
export type RemoteDataOf<D, Role extends 'provider' | 'requirer'> =
  D extends InterfaceDefinition<infer P, infer R>
    ? Role extends 'requirer'
      ? RemoteData<AppShape<P>, UnitShape<P>>
      : RemoteData<AppShape<R>, UnitShape<R>>
    : never;
