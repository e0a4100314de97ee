import { InvalidArgumentError } from './errors.js';

/** A port protocol. */
export type PortProtocol = 'tcp' | 'udp' | 'icmp';

/** An opened port: a protocol and a port number (`null` for icmp). */
export class Port {
  /** `tcp`, `udp` or `icmp`. */
  readonly protocol: PortProtocol;
  /** The port number, `null` for icmp. */
  readonly port: number | null;

  /**
   * @throws {InvalidArgumentError} If the port is not an integer in 0..65535.
   */
  constructor(protocol: PortProtocol, port: number | null) {
    if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new InvalidArgumentError(`port must be an integer in 0..65535, got ${port}`);
    }
    this.protocol = protocol;
    this.port = port;
  }

  /** Whether `other` is the same protocol and port. */
  equals(other: Port): boolean {
    return this.protocol === other.protocol && this.port === other.port;
  }

  /** `8080/tcp` or `icmp`, as Juju writes it. */
  toString(): string {
    return this.port === null ? this.protocol : `${this.port}/${this.protocol}`;
  }
}
