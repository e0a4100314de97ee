import type { SettableStatusName } from './backend/types.js';
import { Container } from './container.js';
import {
  InvalidArgumentError,
  InvalidStatusError,
  ModelAccessError,
  UnknownNameError,
} from './errors.js';
import type { ModelContext } from './model-context.js';
import { Port, type PortProtocol } from './port.js';
import {
  calculateExpiry,
  checkRotate,
  Secret,
  type SecretMetadataOptions,
  validateSecretContent,
} from './secret.js';
import { pyRepr, securityEventLine } from './security-log.js';
import { isSettableStatusName, StatusBase, UnknownStatus } from './status.js';

function addSecret(
  ctx: ModelContext,
  owner: 'application' | 'unit',
  content: Readonly<Record<string, string>>,
  options: SecretMetadataOptions,
): Secret {
  const valid = validateSecretContent(content);
  const expire = calculateExpiry(options.expire);
  const rotate = checkRotate(options.rotate);
  const id = ctx.backend.secretAdd(valid, {
    label: options.label,
    description: options.description,
    expire,
    rotate,
    owner,
  });
  return new Secret(
    ctx.backend,
    ctx.modelUuid,
    { id, label: options.label, content: valid },
    ctx.onSecretContent,
  );
}

function checkStatusType(value: unknown, what: string): StatusBase {
  if (!(value instanceof StatusBase)) {
    throw new InvalidStatusError(`invalid value provided for ${what} status: ${String(value)}`);
  }
  return value;
}

function settableName(status: StatusBase): SettableStatusName {
  if (!isSettableStatusName(status.name)) {
    throw new InvalidStatusError(
      `status must be in ('active', 'blocked', 'maintenance', 'waiting'), not ${pyRepr(status.name)}`,
    );
  }
  return status.name;
}

/**
 * An application: this charm's own, or a remote one seen through a relation.
 *
 * Only the leader may read or set the own application's status; remote applications read as
 * {@link UnknownStatus}.
 */
export class Application {
  /** The application name. */
  readonly name: string;
  readonly #ctx: ModelContext;
  #status: StatusBase | undefined;

  /** @internal Use `model.app` or `model.getApp()`. */
  constructor(ctx: ModelContext, name: string) {
    this.#ctx = ctx;
    this.name = name;
  }

  #isOurs(): boolean {
    return this.name === this.#ctx.appName;
  }

  /** Log ops' `authz_fail` security event through juju-log (failures to log are ignored). */
  #authzFail(tool: string, description: string): void {
    try {
      this.#ctx.backend.jujuLog(
        'TRACE',
        securityEventLine({
          level: 'CRITICAL',
          modelUuid: this.#ctx.modelUuid,
          unitName: this.#ctx.unitName,
          event: `authz_fail:${tool}`,
          description,
        }),
      );
    } catch {
      // As in ops, a failing log handler does not replace the access error.
    }
  }

  /** `<Application name>`. */
  toString(): string {
    return `<Application ${this.name}>`;
  }

  /**
   * The application status (leader only; cached after the first read or write).
   *
   * @throws {ModelAccessError} If read by a non-leader unit (before any tool call).
   */
  get status(): StatusBase {
    if (!this.#isOurs()) return new UnknownStatus();
    if (!this.#ctx.backend.isLeader()) {
      this.#authzFail('status-get', 'Attempted to get application status when not leader');
      throw new ModelAccessError('cannot get application status as a non-leader unit');
    }
    if (this.#status !== undefined) return this.#status;
    const s = this.#ctx.backend.statusGet(true);
    this.#status = StatusBase.fromName(s.status, s.message);
    return this.#status;
  }

  /**
   * Set the application status at once (leader only).
   *
   * @throws {InvalidStatusError} If the status is `error`/`unknown` or not a status.
   * @throws {ModelAccessError} For a remote application or a non-leader unit.
   */
  set status(value: StatusBase) {
    const status = checkStatusType(value, `application ${this}`);
    if (!this.#isOurs()) {
      throw new ModelAccessError(`cannot set status for a remote application ${this}`);
    }
    if (!this.#ctx.backend.isLeader()) {
      this.#authzFail('status-set', 'Attempted to set application status when not leader.');
      throw new ModelAccessError('cannot set application status as a non-leader unit');
    }
    this.#ctx.backend.statusSet(settableName(status), status.message, true);
    this.#status = status;
  }

  /**
   * How many units Juju plans for this application (from `goal-state`, excluding dying units).
   *
   * @throws {ModelAccessError} For a remote application.
   */
  plannedUnits(): number {
    if (!this.#isOurs()) {
      throw new ModelAccessError(`cannot get planned units for a remote application ${this}.`);
    }
    const goal = this.#ctx.backend.goalState();
    return Object.values(goal.units).filter((u) => u.status !== 'dying').length;
  }

  /**
   * Create an application-owned secret (the leader manages it).
   *
   * @throws {SecretContentError} If the content is invalid (nothing is sent).
   */
  addSecret(
    content: Readonly<Record<string, string>>,
    options: SecretMetadataOptions = {},
  ): Secret {
    return addSecret(this.#ctx, 'application', content, options);
  }

  /** @internal Forget the cached status. */
  invalidate(): void {
    this.#status = undefined;
  }
}

/** A unit: this one, or a remote/peer unit seen through a relation. */
export class Unit {
  /** The unit name, e.g. `myapp/0`. */
  readonly name: string;
  /** The unit's application. */
  readonly app: Application;
  readonly #ctx: ModelContext;
  #status: StatusBase | undefined;
  #containers: Map<string, Container> | undefined;

  /** @internal Use `model.unit` or `model.getUnit()`. */
  constructor(ctx: ModelContext, name: string) {
    this.#ctx = ctx;
    this.name = name;
    this.app = ctx.getApp(name.split('/')[0] ?? name);
  }

  #isOurs(): boolean {
    return this.name === this.#ctx.unitName;
  }

  #log(level: string, message: string): void {
    try {
      this.#ctx.backend.jujuLog(level, message);
    } catch {
      // As in ops (a logging handler), a failing log line does not fail the operation.
    }
  }

  #requireOurs(what: string): void {
    if (!this.#isOurs()) throw new ModelAccessError(`cannot ${what} for a remote unit ${this}`);
  }

  /** `<Unit name>`. */
  toString(): string {
    return `<Unit ${this.name}>`;
  }

  /** The unit status (own unit; remote units read as unknown). Cached after first use. */
  get status(): StatusBase {
    if (!this.#isOurs()) return new UnknownStatus();
    if (this.#status !== undefined) return this.#status;
    const s = this.#ctx.backend.statusGet(false);
    this.#status = StatusBase.fromName(s.status, s.message);
    return this.#status;
  }

  /**
   * Set this unit's status at once.
   *
   * @throws {InvalidStatusError} If the status is `error`/`unknown` or not a status.
   * @throws {ModelAccessError} For a remote unit.
   */
  set status(value: StatusBase) {
    const status = checkStatusType(value, `unit ${this}`);
    this.#requireOurs('set status');
    this.#ctx.backend.statusSet(settableName(status), status.message, false);
    this.#status = status;
  }

  /**
   * Whether this unit is the leader (`is-leader`, cached by the backend).
   *
   * @throws {ModelAccessError} For a remote unit.
   */
  isLeader(): boolean {
    if (!this.#isOurs()) {
      throw new ModelAccessError(
        `leadership status of remote units (${this}) is not visible to other applications`,
      );
    }
    return this.#ctx.backend.isLeader();
  }

  /**
   * Set the workload version shown by `juju status`.
   *
   * @throws {InvalidArgumentError} If `version` is not a string.
   */
  setWorkloadVersion(version: string): void {
    if (typeof version !== 'string') {
      throw new InvalidArgumentError(`workload version must be a string, not ${typeof version}`);
    }
    this.#ctx.backend.applicationVersionSet(version);
  }

  /**
   * Create a unit-owned secret.
   *
   * @throws {SecretContentError} If the content is invalid (nothing is sent).
   */
  addSecret(
    content: Readonly<Record<string, string>>,
    options: SecretMetadataOptions = {},
  ): Secret {
    return addSecret(this.#ctx, 'unit', content, options);
  }

  /** Open a port (`icmp` takes none). The protocol is lower-cased. */
  openPort(protocol: PortProtocol, port?: number): void {
    this.#ctx.backend.openPort(protocol.toLowerCase(), port);
  }

  /** Close a port opened with {@link Unit.openPort}. */
  closePort(protocol: PortProtocol, port?: number): void {
    this.#ctx.backend.closePort(protocol.toLowerCase(), port);
  }

  /**
   * The ports this unit has opened (not those opened in this same hook). Ranges count as
   * their first port; unknown protocols are skipped.
   */
  openedPorts(): Port[] {
    const out: Port[] = [];
    for (const p of this.#ctx.backend.openedPorts()) {
      if (p.protocol !== 'tcp' && p.protocol !== 'udp' && p.protocol !== 'icmp') {
        this.#log('WARNING', `Unexpected opened-ports protocol: ${p.protocol}`);
        continue;
      }
      if (p.toPort !== null) {
        this.#log(
          'WARNING',
          `Ignoring opened-ports port range: Port(protocol=${pyRepr(p.protocol)}, port=${p.port}, to_port=${p.toPort}, endpoints=None)`,
        );
      }
      if (out.some((q) => q.protocol === p.protocol && q.port === p.port)) continue;
      out.push(new Port(p.protocol, p.port));
    }
    return out;
  }

  /**
   * Make exactly these ports open: close the others, then open the missing ones. Bare numbers
   * mean TCP.
   */
  setPorts(...ports: (number | Port)[]): void {
    const existing = this.openedPorts();
    const desired: Port[] = [];
    for (const p of ports) {
      const port = typeof p === 'number' ? new Port('tcp', p) : p;
      if (!desired.some((d) => d.equals(port))) desired.push(port);
    }
    for (const p of existing) {
      if (!desired.some((d) => d.equals(p))) {
        this.#ctx.backend.closePort(p.protocol, p.port ?? undefined);
      }
    }
    for (const p of desired) {
      if (!existing.some((e) => e.equals(p))) {
        this.#ctx.backend.openPort(p.protocol, p.port ?? undefined);
      }
    }
  }

  /**
   * Ask Juju to reboot the machine after this hook, or at once (`now`: Juju kills this
   * process and re-runs the hook after the reboot). Machine charms only.
   *
   * @throws {ModelAccessError} For a remote unit.
   */
  reboot(options: { readonly now?: boolean } = {}): void {
    this.#requireOurs('reboot');
    this.#ctx.backend.reboot(options.now ?? false);
  }

  /**
   * This unit's workload containers, by name (from metadata).
   *
   * @throws {ModelAccessError} For a remote unit.
   */
  get containers(): ReadonlyMap<string, Container> {
    this.#requireOurs('get containers');
    if (this.#containers === undefined) {
      this.#containers = new Map(
        Object.keys(this.#ctx.meta.containers).map((name) => [
          name,
          new Container(this.#ctx, name, this.#ctx.socketPath(name)),
        ]),
      );
    }
    return this.#containers;
  }

  /**
   * One workload container.
   *
   * @throws {UnknownNameError} If the container is not in the metadata.
   * @throws {ModelAccessError} For a remote unit.
   */
  getContainer(name: string): Container {
    const container = this.containers.get(name);
    if (container === undefined) throw new UnknownNameError(`container '${name}' not found`);
    return container;
  }

  /** @internal Forget the cached status. */
  invalidate(): void {
    this.#status = undefined;
  }

  /** @internal Close the Pebble clients of the containers used so far. */
  async closeContainers(): Promise<void> {
    for (const container of this.#containers?.values() ?? []) await container.close();
  }
}
