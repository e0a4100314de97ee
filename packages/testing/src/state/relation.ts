import { StateValidationError } from '../errors.js';
import { copyBag } from './freeze.js';
import { checkJujuName } from './names.js';

/** A relation data bag: string keys to string values. */
export type DataBag = Readonly<Record<string, string>>;

/** The address Scenario and Harness use for defaulted networks and unit bags. */
export const DEFAULT_IP = '192.0.2.0';

/** The keys Juju puts in every unit bag of a relation, with the default address. */
export const DEFAULT_JUJU_DATABAG: DataBag = Object.freeze({
  'egress-subnets': DEFAULT_IP,
  'ingress-address': DEFAULT_IP,
  'private-address': DEFAULT_IP,
});

let nextRelationIdCounter = 1;

/**
 * Returns the id the next relation created without an explicit `id` gets.
 * @param update - also advance the counter (default `true`)
 */
export function nextRelationId(update = true): number {
  const id = nextRelationIdCounter;
  if (update) nextRelationIdCounter += 1;
  return id;
}

const bagError = (message: string) => new StateValidationError(message);

/** Fields shared by every relation shape. */
export interface RelationBaseInit {
  /** Endpoint name, as declared in the charm metadata. */
  endpoint: string;
  /** Interface name; defaults to the metadata's. */
  interface?: string;
  /** Relation id; allocated from a global counter when omitted. */
  id?: number;
  /** This application's bag. */
  localAppData?: DataBag;
  /** This unit's bag; defaults to Juju's address keys. */
  localUnitData?: DataBag;
}

abstract class RelationBase {
  /** Endpoint name. */
  readonly endpoint: string;
  /** Interface name, when given. */
  readonly interface: string | undefined;
  /** Relation id. */
  readonly id: number;
  /** This application's bag. */
  readonly localAppData: DataBag;
  /** This unit's bag. */
  readonly localUnitData: DataBag;

  protected constructor(init: RelationBaseInit) {
    if (typeof init.endpoint !== 'string' || init.endpoint === '') {
      throw new StateValidationError('Relation.endpoint must be a non-empty string');
    }
    checkJujuName(init.endpoint, 'relation endpoint');
    this.endpoint = init.endpoint;
    this.interface = init.interface;
    this.id = init.id ?? nextRelationId();
    this.localAppData = copyBag(init.localAppData, `relation ${this.id} localAppData`, bagError);
    this.localUnitData = copyBag(
      init.localUnitData ?? DEFAULT_JUJU_DATABAG,
      `relation ${this.id} localUnitData`,
      bagError,
    );
  }

  /** Ids of the units on the other side (for peers: the other units of this app). */
  abstract get remoteUnitIds(): readonly number[];
  /** The bag of remote unit `unitId`, if it exists. */
  abstract getRemoteUnitData(unitId: number): DataBag | undefined;
}

/** Init of a regular (non-peer, non-subordinate) relation. */
export interface RelationInit extends RelationBaseInit {
  /** Name of the remote application (default `remote`). */
  remoteAppName?: string;
  /** Endpoint limit (default 1). */
  limit?: number;
  /** The remote application's bag. */
  remoteAppData?: DataBag;
  /** Bags of the remote units, by unit number; default `{0: <Juju address keys>}`. */
  remoteUnitsData?: Readonly<Record<number, DataBag>>;
  /** UUID of the remote model (cross-model relations). */
  remoteModelUuid?: string;
}

/** A relation with another application (Scenario's `Relation`). Immutable. */
export class Relation extends RelationBase {
  /** Discriminator. */
  readonly kind = 'regular' as const;
  /** Remote application name. */
  readonly remoteAppName: string;
  /** Endpoint limit. */
  readonly limit: number;
  /** The remote application's bag. */
  readonly remoteAppData: DataBag;
  /** Remote unit bags by unit number. */
  readonly remoteUnitsData: Readonly<Record<number, DataBag>>;
  /** UUID of the remote model, when cross-model. */
  readonly remoteModelUuid: string | undefined;

  /** @throws {StateValidationError} for non-string bag values. */
  constructor(init: RelationInit) {
    super(init);
    this.remoteAppName = init.remoteAppName ?? 'remote';
    this.limit = init.limit ?? 1;
    this.remoteAppData = copyBag(init.remoteAppData, `relation ${this.id} remoteAppData`, bagError);
    const units: Record<number, DataBag> = {};
    for (const [k, v] of Object.entries(init.remoteUnitsData ?? { 0: DEFAULT_JUJU_DATABAG })) {
      units[Number(k)] = copyBag(v, `relation ${this.id} remoteUnitsData[${k}]`, bagError);
    }
    this.remoteUnitsData = Object.freeze(units);
    this.remoteModelUuid = init.remoteModelUuid;
    Object.freeze(this);
  }

  get remoteUnitIds(): readonly number[] {
    return Object.keys(this.remoteUnitsData).map(Number);
  }

  getRemoteUnitData(unitId: number): DataBag | undefined {
    return this.remoteUnitsData[unitId];
  }
}

/** Init of a peer relation. */
export interface PeerRelationInit extends RelationBaseInit {
  /** Bags of the other units of this application, by unit number (never this unit's). */
  peersData?: Readonly<Record<number, DataBag>>;
}

/** A peer relation between the units of this application (Scenario's `PeerRelation`). */
export class PeerRelation extends RelationBase {
  /** Discriminator. */
  readonly kind = 'peer' as const;
  /** Bags of the other units of this application. */
  readonly peersData: Readonly<Record<number, DataBag>>;

  /** @throws {StateValidationError} for non-string bag values. */
  constructor(init: PeerRelationInit) {
    super(init);
    const peers: Record<number, DataBag> = {};
    for (const [k, v] of Object.entries(init.peersData ?? {})) {
      peers[Number(k)] = copyBag(v, `relation ${this.id} peersData[${k}]`, bagError);
    }
    this.peersData = Object.freeze(peers);
    Object.freeze(this);
  }

  get remoteUnitIds(): readonly number[] {
    return Object.keys(this.peersData).map(Number);
  }

  getRemoteUnitData(unitId: number): DataBag | undefined {
    return this.peersData[unitId];
  }
}

/** Init of a subordinate (container-scoped) relation. */
export interface SubordinateRelationInit extends RelationBaseInit {
  /** The principal application's bag. */
  remoteAppData?: DataBag;
  /** The principal unit's bag. */
  remoteUnitData?: DataBag;
  /** Principal application name (default `remote`). */
  remoteAppName?: string;
  /** Principal unit number (default 0). */
  remoteUnitId?: number;
}

/** A container-scoped relation with one principal unit (Scenario's `SubordinateRelation`). */
export class SubordinateRelation extends RelationBase {
  /** Discriminator. */
  readonly kind = 'subordinate' as const;
  /** The principal application's bag. */
  readonly remoteAppData: DataBag;
  /** The principal unit's bag. */
  readonly remoteUnitData: DataBag;
  /** Principal application name. */
  readonly remoteAppName: string;
  /** Principal unit number. */
  readonly remoteUnitId: number;

  /** @throws {StateValidationError} for non-string bag values. */
  constructor(init: SubordinateRelationInit) {
    super(init);
    this.remoteAppData = copyBag(init.remoteAppData, `relation ${this.id} remoteAppData`, bagError);
    this.remoteUnitData = copyBag(
      init.remoteUnitData ?? DEFAULT_JUJU_DATABAG,
      `relation ${this.id} remoteUnitData`,
      bagError,
    );
    this.remoteAppName = init.remoteAppName ?? 'remote';
    this.remoteUnitId = init.remoteUnitId ?? 0;
    Object.freeze(this);
  }

  /** The principal unit's name, `<remoteAppName>/<remoteUnitId>`. */
  get remoteUnitName(): string {
    return `${this.remoteAppName}/${this.remoteUnitId}`;
  }

  get remoteUnitIds(): readonly number[] {
    return [this.remoteUnitId];
  }

  getRemoteUnitData(unitId: number): DataBag | undefined {
    return unitId === this.remoteUnitId ? this.remoteUnitData : undefined;
  }
}

/** Any relation shape in a `State`. */
export type AnyRelation = Relation | PeerRelation | SubordinateRelation;
