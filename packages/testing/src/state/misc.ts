import { randomUUID } from 'node:crypto';
import { StateValidationError } from '../errors.js';
import { deepFreeze } from './freeze.js';
import { checkJujuName } from './names.js';

let nextStorageIndexCounter = 0;

/** An attached storage instance (Scenario's `Storage`). */
export class Storage {
  /** Storage name, as declared in metadata. */
  readonly name: string;
  /** Instance index (allocated from a counter when omitted). */
  readonly index: number;

  /** @throws {StateValidationError} for a name Juju would refuse */
  constructor(init: { name: string; index?: number }) {
    checkJujuName(init.name, 'storage');
    this.name = init.name;
    this.index = init.index ?? nextStorageIndexCounter++;
    Object.freeze(this);
  }

  /** The Juju storage id, `<name>/<index>`. */
  get id(): string {
    return `${this.name}/${this.index}`;
  }
}

/** A file resource provided to the charm (Scenario's `Resource`). */
export class Resource {
  /** Resource name, as declared in metadata. */
  readonly name: string;
  /** Host path of the file `resource-get` returns. */
  readonly path: string;

  constructor(init: { name: string; path: string }) {
    this.name = init.name;
    this.path = init.path;
    Object.freeze(this);
  }
}

/** JSON-like content of a stored state. */
export type StoredContent = Readonly<Record<string, unknown>>;

/** The content of one `StoredState` attribute (Scenario's `StoredState`). */
export class StoredState {
  /** Attribute name on its owner (default `_stored`). */
  readonly name: string;
  /** Handle path of the owner; `undefined` means the charm itself. */
  readonly ownerPath: string | undefined;
  /** The stored values. */
  readonly content: StoredContent;

  constructor(init: { name?: string; ownerPath?: string; content?: StoredContent }) {
    this.name = init.name ?? '_stored';
    this.ownerPath = init.ownerPath;
    const content = init.content ?? {};
    // Frozen content cannot change under us: no copy needed.
    this.content = Object.isFrozen(content) ? content : deepFreeze(structuredClone({ ...content }));
    Object.freeze(this);
  }
}

/** Port protocol. */
export type PortProtocol = 'tcp' | 'udp' | 'icmp';

/** An opened port (Scenario's `Port`, `TCPPort`, `UDPPort`, `ICMPPort`). */
export class Port {
  /** Protocol. */
  readonly protocol: PortProtocol;
  /** Port number; `undefined` for ICMP. */
  readonly port: number | undefined;

  /** @throws {StateValidationError} for a missing TCP/UDP port or a port given for ICMP. */
  constructor(init: { protocol: PortProtocol; port?: number }) {
    if (init.protocol === 'icmp') {
      if (init.port !== undefined) {
        throw new StateValidationError('Port: icmp takes no port number');
      }
    } else if (
      init.port === undefined ||
      !Number.isInteger(init.port) ||
      init.port < 1 ||
      init.port > 65535
    ) {
      throw new StateValidationError(
        `Port: ${init.protocol} needs a port number between 1 and 65535, got ${String(init.port)}`,
      );
    }
    this.protocol = init.protocol;
    this.port = init.port;
    Object.freeze(this);
  }

  /** A TCP port. */
  static tcp(port: number): Port {
    return new Port({ protocol: 'tcp', port });
  }

  /** A UDP port. */
  static udp(port: number): Port {
    return new Port({ protocol: 'udp', port });
  }

  /** ICMP. */
  static icmp(): Port {
    return new Port({ protocol: 'icmp' });
  }
}

/** Cloud credential of a `CloudSpec`. */
export interface CloudCredential {
  /** Authentication type, e.g. `access-key`. */
  readonly authType: string;
  /** Credential attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Redacted attribute names. */
  readonly redacted?: readonly string[];
}

/** Cloud specification returned by `credential-get`. */
export interface CloudSpec {
  /** Cloud type, e.g. `ec2`, `lxd`. */
  readonly type: string;
  /** Cloud name. */
  readonly name: string;
  /** Region. */
  readonly region?: string;
  /** Endpoint. */
  readonly endpoint?: string;
  /** Identity endpoint. */
  readonly identityEndpoint?: string;
  /** Storage endpoint. */
  readonly storageEndpoint?: string;
  /** Credential. */
  readonly credential?: CloudCredential;
  /** CA certificates. */
  readonly caCertificates?: readonly string[];
  /** Skip TLS verification. */
  readonly skipTlsVerify?: boolean;
  /** Whether this is the controller's cloud. */
  readonly isControllerCloud?: boolean;
}

function randomModelName(): string {
  return `model-${randomUUID().slice(0, 8)}`;
}

/** The model the unit lives in (Scenario's `Model`). */
export class ModelInfo {
  /** Model name (random by default). */
  readonly name: string;
  /** Model UUID (random by default). */
  readonly uuid: string;
  /** `kubernetes` (default) or `lxd` (a machine model). */
  readonly type: 'kubernetes' | 'lxd';
  /** Cloud spec for `credential-get`, if the app is trusted. */
  readonly cloudSpec: CloudSpec | undefined;

  constructor(
    init: { name?: string; uuid?: string; type?: 'kubernetes' | 'lxd'; cloudSpec?: CloudSpec } = {},
  ) {
    this.name = init.name ?? randomModelName();
    this.uuid = init.uuid ?? randomUUID();
    this.type = init.type ?? 'kubernetes';
    this.cloudSpec =
      init.cloudSpec === undefined ? undefined : deepFreeze(structuredClone(init.cloudSpec));
    Object.freeze(this);
  }
}

/**
 * An event deferred by an earlier dispatch (Scenario's `DeferredEvent`): the notice the
 * framework stored and the event's snapshot.
 */
export class DeferredEvent {
  /** Handle path of the event, e.g. `MyCharm/on/config_changed[3]`. */
  readonly handlePath: string;
  /** Handle path of the observer object, e.g. `MyCharm`. */
  readonly owner: string;
  /** Name of the observer method. */
  readonly observer: string;
  /** The event's snapshot. */
  readonly snapshotData: Readonly<Record<string, unknown>>;

  constructor(init: {
    handlePath: string;
    owner: string;
    observer: string;
    snapshotData?: Readonly<Record<string, unknown>>;
  }) {
    this.handlePath = init.handlePath;
    this.owner = init.owner;
    this.observer = init.observer;
    const data = init.snapshotData ?? {};
    this.snapshotData = Object.isFrozen(data) ? data : deepFreeze(structuredClone({ ...data }));
    Object.freeze(this);
  }

  /** The event kind, e.g. `config_changed`. */
  get name(): string {
    const last = this.handlePath.split('/').at(-1) ?? '';
    const bracket = last.indexOf('[');
    return bracket >= 0 ? last.slice(0, bracket) : last;
  }
}
