import { DEFAULT_IP } from './relation.js';

/** One address of a bound interface. */
export interface Address {
  /** The address. */
  readonly value: string;
  /** Host name (default empty). */
  readonly hostname?: string;
  /** CIDR of the subnet (default empty). */
  readonly cidr?: string;
}

/** A network interface a binding is bound to. */
export interface BindAddress {
  /** Interface name (default `eth0`... or empty). */
  readonly interfaceName?: string;
  /** MAC address. */
  readonly macAddress?: string;
  /** Addresses on the interface. */
  readonly addresses: readonly Address[];
}

/** Network data for one binding (Scenario's `Network`). */
export interface NetworkInit {
  /** Binding name: a relation endpoint, an extra binding, or `juju-info`. */
  bindingName: string;
  /** Bound interfaces (default one `eth0` with `192.0.2.0`). */
  bindAddresses?: readonly BindAddress[];
  /** Ingress addresses (default `['192.0.2.0']`). */
  ingressAddresses?: readonly string[];
  /** Egress subnets (default `['192.0.2.0/24']`). */
  egressSubnets?: readonly string[];
}

/** `network-get` data for a binding. Immutable. */
export class Network {
  /** Binding name. */
  readonly bindingName: string;
  /** Bound interfaces. */
  readonly bindAddresses: readonly BindAddress[];
  /** Ingress addresses. */
  readonly ingressAddresses: readonly string[];
  /** Egress subnets. */
  readonly egressSubnets: readonly string[];

  constructor(init: NetworkInit) {
    this.bindingName = init.bindingName;
    this.bindAddresses = Object.freeze(
      (
        init.bindAddresses ?? [
          {
            interfaceName: '',
            addresses: [{ hostname: '', value: DEFAULT_IP, cidr: '192.0.2.0/24' }],
          },
        ]
      ).map((b) =>
        Object.freeze({
          ...b,
          addresses: Object.freeze(b.addresses.map((a) => Object.freeze({ ...a }))),
        }),
      ),
    );
    this.ingressAddresses = Object.freeze([...(init.ingressAddresses ?? [DEFAULT_IP])]);
    this.egressSubnets = Object.freeze([...(init.egressSubnets ?? ['192.0.2.0/24'])]);
    Object.freeze(this);
  }

  /** The default network Scenario gives a binding without an explicit `Network`. */
  static default(bindingName: string): Network {
    return new Network({ bindingName });
  }
}
