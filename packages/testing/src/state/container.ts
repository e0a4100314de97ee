import type { Layer } from '@opsjs/pebble';
import { StateValidationError } from '../errors.js';
import { deepFreeze } from './freeze.js';
import { checkJujuName } from './names.js';

/** What an exec of a matching command returns (Scenario's `Exec`). */
export interface ExecInit {
  /** Command prefix this result answers, e.g. `['ls', '-l']`. The longest match wins. */
  commandPrefix: readonly string[];
  /** Exit code (default 0). */
  returnCode?: number;
  /** Standard output (default empty). */
  stdout?: string;
  /** Standard error (default empty). */
  stderr?: string;
}

/** A simulated command result in a container. Immutable. */
export class Exec {
  /** Command prefix this result answers. */
  readonly commandPrefix: readonly string[];
  /** Exit code. */
  readonly returnCode: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;

  constructor(init: ExecInit) {
    this.commandPrefix = Object.freeze([...init.commandPrefix]);
    this.returnCode = init.returnCode ?? 0;
    this.stdout = init.stdout ?? '';
    this.stderr = init.stderr ?? '';
    Object.freeze(this);
  }
}

/** A host directory or file mounted into the simulated container at `location`. */
export interface Mount {
  /** Absolute path in the container. */
  readonly location: string;
  /** Host path whose contents appear at `location` (copied in before the run). */
  readonly source: string;
}

let nextNoticeIdCounter = 1;

/** A Pebble notice (Scenario's `Notice`). */
export interface NoticeInit {
  /** Notice key, e.g. `example.com/db-ready`. */
  key: string;
  /** Notice id; allocated from a counter when omitted. */
  id?: string;
  /** Notice type (default `custom`). */
  type?: string;
  /** User id, if the notice is user-specific. */
  userId?: number;
  /** Occurrence count (default 1). */
  occurrences?: number;
  /** Data of the last occurrence. */
  lastData?: Readonly<Record<string, string>>;
  /** First occurrence (default: now). */
  firstOccurred?: Date;
  /** Last occurrence (default: now). */
  lastOccurred?: Date;
  /** Last repeat (default: now). */
  lastRepeated?: Date;
}

/** A Pebble notice in a container. Immutable. */
export class Notice {
  /** Notice key. */
  readonly key: string;
  /** Notice id. */
  readonly id: string;
  /** Notice type. */
  readonly type: string;
  /** User id, if any. */
  readonly userId: number | undefined;
  /** Occurrence count. */
  readonly occurrences: number;
  /** Data of the last occurrence. */
  readonly lastData: Readonly<Record<string, string>>;
  /** First occurrence. */
  readonly firstOccurred: Date;
  /** Last occurrence. */
  readonly lastOccurred: Date;
  /** Last repeat. */
  readonly lastRepeated: Date;

  constructor(init: NoticeInit) {
    const now = new Date();
    this.key = init.key;
    this.id = init.id ?? String(nextNoticeIdCounter++);
    this.type = init.type ?? 'custom';
    this.userId = init.userId;
    this.occurrences = init.occurrences ?? 1;
    this.lastData = Object.freeze({ ...(init.lastData ?? {}) });
    this.firstOccurred = init.firstOccurred ?? now;
    this.lastOccurred = init.lastOccurred ?? now;
    this.lastRepeated = init.lastRepeated ?? now;
    Object.freeze(this);
  }
}

/** Status of a Pebble check. */
export type CheckStatus = 'up' | 'down' | 'inactive';

/** A Pebble check's state (Scenario's `CheckInfo`). */
export interface CheckInfoInit {
  /** Check name, as in the plan. */
  name: string;
  /** `alive`, `ready`, or unset. */
  level?: 'alive' | 'ready';
  /** `enabled` (default) or `disabled`. */
  startup?: 'enabled' | 'disabled';
  /** `up` (default), `down` or `inactive`. */
  status?: CheckStatus;
  /** Consecutive successes. */
  successes?: number;
  /** Consecutive failures (default 0). */
  failures?: number;
  /** Failure threshold (default 3). */
  threshold?: number;
}

/** A Pebble check's state in a container. Immutable. */
export class CheckInfo {
  /** Check name. */
  readonly name: string;
  /** Level, if set. */
  readonly level: 'alive' | 'ready' | undefined;
  /** Startup mode. */
  readonly startup: 'enabled' | 'disabled';
  /** Status. */
  readonly status: CheckStatus;
  /** Consecutive successes. */
  readonly successes: number;
  /** Consecutive failures. */
  readonly failures: number;
  /** Failure threshold. */
  readonly threshold: number;

  constructor(init: CheckInfoInit) {
    this.name = init.name;
    this.level = init.level;
    this.startup = init.startup ?? 'enabled';
    this.status = init.status ?? 'up';
    this.successes = init.successes ?? 0;
    this.failures = init.failures ?? 0;
    this.threshold = init.threshold ?? 3;
    Object.freeze(this);
  }
}

/** Status of a Pebble service. */
export type ServiceStatusName = 'active' | 'inactive' | 'error' | 'backoff';

/** A workload container (Scenario's `Container`). */
export interface ContainerInit {
  /** Container name, as declared in the charm metadata. */
  name: string;
  /** Whether Pebble answers (default `false`, as in Scenario). */
  canConnect?: boolean;
  /** Layers already added, by label, in the order Pebble received them. */
  layers?: Readonly<Record<string, Layer>>;
  /** Current service states by service name (services not listed are inactive). */
  serviceStatuses?: Readonly<Record<string, ServiceStatusName>>;
  /** Host paths copied into the container filesystem before the run. */
  mounts?: Readonly<Record<string, Mount>>;
  /** Simulated command results. */
  execs?: readonly Exec[];
  /** Notices already recorded by Pebble. */
  notices?: readonly Notice[];
  /** Check states. */
  checkInfos?: readonly CheckInfo[];
}

/** A workload container and its simulated Pebble. Immutable. */
export class Container {
  /** Container name. */
  readonly name: string;
  /** Whether Pebble answers. */
  readonly canConnect: boolean;
  /** Layers by label, in order. */
  readonly layers: Readonly<Record<string, Layer>>;
  /** Service states by name. */
  readonly serviceStatuses: Readonly<Record<string, ServiceStatusName>>;
  /** Mounts by name. */
  readonly mounts: Readonly<Record<string, Mount>>;
  /** Simulated command results. */
  readonly execs: readonly Exec[];
  /** Notices. */
  readonly notices: readonly Notice[];
  /** Check states. */
  readonly checkInfos: readonly CheckInfo[];

  /** @throws {StateValidationError} when the name is empty or one Juju would refuse. */
  constructor(init: ContainerInit) {
    if (typeof init.name !== 'string' || init.name === '') {
      throw new StateValidationError('Container.name must be a non-empty string');
    }
    checkJujuName(init.name, 'container');
    this.name = init.name;
    this.canConnect = init.canConnect ?? false;
    this.layers = deepFreeze(structuredClone({ ...(init.layers ?? {}) }));
    this.serviceStatuses = Object.freeze({ ...(init.serviceStatuses ?? {}) });
    this.mounts = deepFreeze({ ...(init.mounts ?? {}) });
    this.execs = Object.freeze([...(init.execs ?? [])]);
    this.notices = Object.freeze([...(init.notices ?? [])]);
    this.checkInfos = Object.freeze([...(init.checkInfos ?? [])]);
    Object.freeze(this);
  }

  /** The plan: the layers merged in order, as Pebble would (override `merge`/`replace`). */
  get plan(): Layer {
    return mergeLayers(Object.values(this.layers));
  }

  /**
   * The directory standing for this container's `/` in a context's runs (Scenario's
   * `container.get_filesystem(ctx)`): files the charm pushed are there after `ctx.run`.
   */
  getFilesystem(ctx: { containerRoot(name: string): string }): string {
    return ctx.containerRoot(this.name);
  }

  /** The check info named `name`. @throws {StateValidationError} when absent. */
  getCheckInfo(name: string): CheckInfo {
    const found = this.checkInfos.find((c) => c.name === name);
    if (found === undefined) {
      throw new StateValidationError(`container ${this.name} has no check info named '${name}'`);
    }
    return found;
  }
}

type Section = 'services' | 'checks' | 'logTargets';

/** Merges layers into a plan with Pebble's override rules. @internal */
export function mergeLayers(layers: readonly Layer[]): Layer {
  const plan: Required<Pick<Layer, Section>> = { services: {}, checks: {}, logTargets: {} };
  for (const layer of layers) {
    for (const section of ['services', 'checks', 'logTargets'] as const) {
      const entries = layer[section];
      if (entries === undefined) continue;
      const target: Record<string, object> = plan[section];
      for (const [name, entry] of Object.entries(entries)) {
        const previous = target[name];
        const { override, ...rest } = entry as { override?: string } & Record<string, unknown>;
        if (override === 'replace' || previous === undefined) {
          target[name] = structuredClone(rest);
        } else {
          target[name] = mergeEntry(previous, rest);
        }
      }
    }
  }
  const out: Layer = {};
  if (Object.keys(plan.services).length > 0) out.services = plan.services;
  if (Object.keys(plan.checks).length > 0) out.checks = plan.checks;
  if (Object.keys(plan.logTargets).length > 0) out.logTargets = plan.logTargets;
  return out;
}

function mergeEntry(previous: object, next: Record<string, unknown>): object {
  const merged: Record<string, unknown> = { ...structuredClone(previous) };
  for (const [key, value] of Object.entries(next)) {
    const old = merged[key];
    if (Array.isArray(value) && Array.isArray(old)) {
      merged[key] = [...old, ...value];
    } else if (isPlainObject(value) && isPlainObject(old)) {
      merged[key] = { ...old, ...value };
    } else {
      merged[key] = structuredClone(value);
    }
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
