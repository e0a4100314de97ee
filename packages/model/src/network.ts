import type { ModelBackend } from './backend/model-backend.js';
import type { NetworkData } from './backend/types.js';
import { RelationNotFoundError } from './errors.js';

/**
 * `net.isIP`, with `node:net` loaded on first use: importing it makes every hook evaluate Node's
 * socket and stream modules (≈ 2.5 ms), and only network data needs it.
 */
function isIP(address: string): number {
  return process.getBuiltinModule('node:net').isIP(address);
}

function withPrefix(address: string): string {
  return isIP(address) === 6 ? `${address}/128` : `${address}/32`;
}

/** One address of a network interface. */
export class NetworkInterface {
  /** The interface name, e.g. `eth0`. */
  readonly name: string;
  /** The address (an IP, or a hostname Juju could not resolve), or `null`. */
  readonly address: string | null;
  /** The subnet in CIDR form (a single address gets /32 or /128), or `null`. */
  readonly subnet: string | null;

  /** @internal Built by {@link Network}. */
  constructor(name: string, address: { value: string; cidr: string }) {
    this.name = name;
    this.address = address.value === '' ? null : address.value;
    if (address.cidr !== '') this.subnet = address.cidr;
    else if (address.value !== '' && isIP(address.value) !== 0)
      this.subnet = withPrefix(address.value);
    else this.subnet = null;
  }
}

/** Network details of a binding, from `network-get`. */
export class Network {
  /** One entry per address of each bound interface. */
  readonly interfaces: readonly NetworkInterface[];
  /** Addresses other units should use to reach this unit. */
  readonly ingressAddresses: readonly string[];
  /** Subnets (CIDR) other units see this unit's traffic come from. */
  readonly egressSubnets: readonly string[];

  /** @internal Built by {@link Binding}. */
  constructor(data: NetworkData) {
    const interfaces: NetworkInterface[] = [];
    for (const b of data.bindAddresses) {
      for (const a of b.addresses) interfaces.push(new NetworkInterface(b.interfaceName, a));
    }
    this.interfaces = interfaces;
    this.ingressAddresses = data.ingressAddresses;
    this.egressSubnets = data.egressSubnets.map((s) => (s.includes('/') ? s : withPrefix(s)));
  }

  /** The address to bind to: the first interface's address, or `null`. */
  get bindAddress(): string | null {
    return this.interfaces[0]?.address ?? null;
  }

  /** The address others connect to: the first ingress address, or `null`. */
  get ingressAddress(): string | null {
    return this.ingressAddresses[0] ?? null;
  }
}

/** A binding of an endpoint (or extra binding) to a network space. */
export class Binding {
  /** The endpoint or extra-binding name. */
  readonly name: string;
  readonly #relationId: number | undefined;
  readonly #backend: ModelBackend;
  #network: Network | undefined;

  /** @internal Use `model.getBinding()`. */
  constructor(backend: ModelBackend, name: string, relationId: number | undefined) {
    this.#backend = backend;
    this.name = name;
    this.#relationId = relationId;
  }

  /**
   * The network of this binding (`network-get`, once). For a relation that no longer exists,
   * falls back to the endpoint-level binding.
   *
   * @throws {ModelError} If Juju has no network config for the binding.
   */
  get network(): Network {
    if (this.#network === undefined) {
      let data: NetworkData;
      try {
        data = this.#backend.networkGet(this.name, this.#relationId);
      } catch (err) {
        if (!(err instanceof RelationNotFoundError) || this.#relationId === undefined) throw err;
        data = this.#backend.networkGet(this.name);
      }
      // As ops, log each address that is not an IP (interfaces first, then ingress).
      const addresses = [
        ...data.bindAddresses.flatMap((b) => b.addresses.map((a) => a.value)),
        ...data.ingressAddresses,
      ];
      for (const address of addresses) {
        if (address !== '' && isIP(address) === 0) {
          try {
            this.#backend.jujuLog('DEBUG', `could not cast ${address} to IPv4/v6 address`);
          } catch {
            // A failing log line does not fail the lookup.
          }
        }
      }
      this.#network = new Network(data);
    }
    return this.#network;
  }
}
