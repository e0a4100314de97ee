import type { SettableStatusName, StatusName } from './backend/types.js';
import { InvalidStatusError } from './errors.js';

/**
 * A workload status: a name and a message. Equality ({@link StatusBase.equals}) is by name and
 * message. Use the subclasses ({@link ActiveStatus}, {@link BlockedStatus}, ...).
 */
export abstract class StatusBase {
  /** The status name, e.g. `active`. */
  abstract readonly name: StatusName;
  /** The message shown with the status. */
  readonly message: string;

  constructor(message = '') {
    this.message = message;
  }

  /** Whether `other` is a status with the same name and message. */
  equals(other: unknown): boolean {
    return (
      other instanceof StatusBase && other.name === this.name && other.message === this.message
    );
  }

  /** `<name>: <message>` or just the name. */
  toString(): string {
    return this.message ? `${this.name}: ${this.message}` : this.name;
  }

  /**
   * Build the status object for a name, e.g. as read from `status-get`.
   *
   * @throws {InvalidStatusError} If `name` is not a known status.
   */
  static fromName(name: string, message = ''): StatusBase {
    switch (name) {
      case 'active':
        return new ActiveStatus(message);
      case 'blocked':
        return new BlockedStatus(message);
      case 'maintenance':
        return new MaintenanceStatus(message);
      case 'waiting':
        return new WaitingStatus(message);
      case 'error':
        return new ErrorStatus(message);
      case 'unknown':
        return new UnknownStatus();
      default:
        throw new InvalidStatusError(`Unknown status "${name}"`);
    }
  }
}

/** The unit or application is ready and working. */
export class ActiveStatus extends StatusBase {
  readonly name = 'active' as const;
}

/** The charm needs human intervention (e.g. a missing relation or bad config). */
export class BlockedStatus extends StatusBase {
  readonly name = 'blocked' as const;
}

/** The charm is doing work that needs no intervention (installing, configuring). */
export class MaintenanceStatus extends StatusBase {
  readonly name = 'maintenance' as const;
}

/** The charm waits on something outside its control (e.g. a related application). */
export class WaitingStatus extends StatusBase {
  readonly name = 'waiting' as const;
}

/** Juju put the unit in error (a hook failed). Read-only: a charm cannot set it. */
export class ErrorStatus extends StatusBase {
  readonly name = 'error' as const;
}

/** The status is not known (e.g. of a remote unit). Read-only; its message is always ''. */
export class UnknownStatus extends StatusBase {
  readonly name = 'unknown' as const;

  constructor() {
    super('');
  }
}

const SETTABLE: readonly string[] = ['active', 'blocked', 'maintenance', 'waiting'];

/** Whether a status name may be set by a charm. */
export function isSettableStatusName(name: string): name is SettableStatusName {
  return SETTABLE.includes(name);
}

/**
 * Priority used by collect-status to pick the winner: error 5 > blocked 4 > maintenance 3 >
 * waiting 2 > active 1 > unknown 0.
 */
export function statusPriority(status: StatusBase): number {
  switch (status.name) {
    case 'error':
      return 5;
    case 'blocked':
      return 4;
    case 'maintenance':
      return 3;
    case 'waiting':
      return 2;
    case 'active':
      return 1;
    default:
      return 0;
  }
}
