import {
  type CharmMeta,
  type CloudSpecData,
  type ConfigValue,
  type GoalState,
  type ModelBackend,
  ModelError,
  type NetworkData,
  type OpenedPortData,
  RelationNotFoundError,
  type SecretAddArgs,
  type SecretGetArgs,
  type SecretInfoData,
  SecretNotFoundError,
  type SecretSetArgs,
  type SettableStatusName,
  type StatusName,
  type StatusValue,
  type StorageDetails,
} from '@opsjs/model';
import { StateValidationError } from './errors.js';
import { generateSecretId } from './state/secret.js';
import type { State } from './state/state.js';
import { stateToWorld, worldToState } from './state-world.js';
import { HookToolFailure, World } from './world.js';

/** One recorded backend call: the method name and its arguments. */
export type BackendCall = readonly [method: string, ...args: unknown[]];

const STATUS_NAMES: readonly string[] = [
  'active',
  'blocked',
  'maintenance',
  'waiting',
  'error',
  'unknown',
];

function statusName(name: string): StatusName {
  const found = STATUS_NAMES.find((n) => n === name);
  return (found ?? 'unknown') as StatusName;
}

/**
 * Maps a simulated hook-tool failure to the error class the real backend raises for it
 * (juju-contract §2.2).
 * @internal
 */
export function toModelError(failure: HookToolFailure, argv: readonly string[]): ModelError {
  const details = {
    failure: {
      hookTool: failure.tool,
      argv: [failure.tool, ...argv],
      exitCode: failure.exitCode,
      stderr: failure.stderr,
    },
  };
  const text = failure.stderr.toLowerCase();
  if (
    (failure.tool.startsWith('relation-') || failure.tool.startsWith('network-')) &&
    text.includes('relation not found')
  ) {
    return new RelationNotFoundError(failure.stderr, details);
  }
  if (failure.tool.startsWith('secret-') && text.includes('not found')) {
    return new SecretNotFoundError(failure.stderr, details);
  }
  return new ModelError(failure.stderr, details);
}

function flatten(prefix: string, value: unknown, out: Record<string, unknown>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      flatten(prefix === '' ? k : `${prefix}.${k}`, v, out);
  } else {
    out[prefix] = value;
  }
}

function isoNoMillis(date: Date): string {
  return date.toISOString();
}

/**
 * An in-memory implementation of `@opsjs/model`'s `ModelBackend`: every hook-tool operation
 * reads or changes a simulated Juju unit, with Juju's failure texts mapped to the same error
 * classes the hook-tool backend raises. `Harness` and `Context` run charms on it.
 *
 * Calls are recorded in {@link MemoryBackend.calls} (method name and arguments).
 */
export class MemoryBackend implements ModelBackend {
  /** Every call made, in order. */
  readonly calls: BackendCall[] = [];
  /** The raw (unflattened) results the action set, merged, as Scenario reports them. */
  actionResults: Record<string, unknown> = {};
  /** @internal */
  readonly world: World;
  #input: State | undefined;

  /** @internal Use {@link MemoryBackend.forState}. */
  constructor(world: World) {
    this.world = world;
  }

  /**
   * A backend serving `state` for unit `<appName>/<unitId>` of a charm with metadata `meta`,
   * e.g. to build an `@opsjs/model` `Model` by hand in a unit test. Read the changes back with
   * {@link MemoryBackend.outputState}.
   */
  static forState(
    state: State,
    meta: CharmMeta,
    options: { appName?: string; unitId?: number; jujuVersion?: string } = {},
  ): MemoryBackend {
    const unitName = `${options.appName ?? meta.name}/${options.unitId ?? 0}`;
    const data = stateToWorld(
      state,
      meta,
      { unitName, jujuVersion: options.jujuVersion ?? '3.6.14' },
      undefined,
      (name, index) => `/var/lib/juju/storage/${name}/${index}`,
    );
    const backend = new MemoryBackend(new World(data));
    backend.#input = state;
    return backend;
  }

  /**
   * `input` (default: the state given to {@link MemoryBackend.forState}) with what the calls
   * so far changed: local relation data, statuses, workload version, ports and secrets.
   * @throws {StateValidationError} without an input state
   */
  outputState(input: State | undefined = this.#input): State {
    if (input === undefined) throw new StateValidationError('outputState needs the input state');
    return worldToState(this.world.data, input);
  }

  private run<T>(method: string, args: unknown[], fn: () => T): T {
    this.calls.push([method, ...args]);
    try {
      return fn();
    } catch (error) {
      if (error instanceof HookToolFailure) {
        throw toModelError(
          error,
          args.map((a) => String(a)),
        );
      }
      throw error;
    }
  }

  relationIds(endpoint: string): number[] {
    return this.run('relationIds', [endpoint], () => this.world.relationIds(endpoint));
  }

  relationList(relationId: number): string[] {
    return this.run('relationList', [relationId], () => this.world.relationList(relationId));
  }

  relationRemoteApp(relationId: number): string | null {
    return this.run('relationRemoteApp', [relationId], () => {
      try {
        return this.world.relationRemoteApp(relationId);
      } catch (error) {
        if (error instanceof HookToolFailure) return null;
        throw error;
      }
    });
  }

  relationGet(relationId: number, member: string, isApp: boolean): Record<string, string> {
    return this.run('relationGet', [relationId, member, isApp], () =>
      this.world.relationGet(relationId, member, isApp),
    );
  }

  relationSet(relationId: number, data: Readonly<Record<string, string>>, isApp: boolean): void {
    this.run('relationSet', [relationId, { ...data }, isApp], () => {
      if (Object.keys(data).length === 0) {
        throw new ModelError('at least one key:value pair is required for relation-set');
      }
      this.world.relationSet(relationId, { ...data }, isApp);
    });
  }

  relationModelGet(relationId: number): { uuid: string } {
    return this.run('relationModelGet', [relationId], () =>
      this.world.relationModelGet(relationId),
    );
  }

  configGet(): Record<string, ConfigValue> {
    return this.run('configGet', [], () => this.world.configGet());
  }

  isLeader(): boolean {
    return this.run('isLeader', [], () => this.world.isLeader());
  }

  resourceGet(name: string): string {
    return this.run('resourceGet', [name], () => this.world.resourceGet(name));
  }

  statusGet(isApp: boolean): StatusValue {
    return this.run('statusGet', [isApp], () => {
      const s = this.world.statusGet(isApp);
      return { status: statusName(s.status), message: s.message };
    });
  }

  statusSet(status: SettableStatusName, message: string, isApp: boolean): void {
    this.run('statusSet', [status, message, isApp], () =>
      this.world.statusSet(status, message, isApp),
    );
  }

  storageList(name: string): number[] {
    return this.run('storageList', [name], () =>
      this.world.storageList(name).map((id) => Number(id.slice(id.lastIndexOf('/') + 1))),
    );
  }

  storageGet(storageId: string): StorageDetails {
    return this.run('storageGet', [storageId], () => this.world.storageGet(storageId));
  }

  storageAdd(name: string, count: number): void {
    this.run('storageAdd', [name, count], () => this.world.storageAdd(name, count));
  }

  actionGet(): Record<string, unknown> {
    return this.run('actionGet', [], () => this.world.actionGet());
  }

  actionSet(results: Readonly<Record<string, unknown>>): void {
    this.run('actionSet', [structuredClone({ ...results })], () => {
      const flat: Record<string, unknown> = {};
      flatten('', results, flat);
      this.world.actionSet(flat);
      mergeDeep(this.actionResults, structuredClone({ ...results }));
    });
  }

  actionLog(message: string): void {
    this.run('actionLog', [message], () => this.world.actionLog(message));
  }

  actionFail(message: string): void {
    this.run('actionFail', [message], () => this.world.actionFail(message));
  }

  applicationVersionSet(version: string): void {
    this.run('applicationVersionSet', [version], () => this.world.applicationVersionSet(version));
  }

  jujuLog(level: string, message: string): void {
    this.run('jujuLog', [level, message], () => this.world.jujuLog(level, message));
  }

  networkGet(binding: string, relationId?: number): NetworkData {
    return this.run('networkGet', [binding, relationId], () => {
      const raw = this.world.networkGet(binding, relationId);
      return {
        bindAddresses: raw['bind-addresses'].map((b) => ({
          macAddress: b['mac-address'],
          interfaceName: b['interface-name'],
          addresses: b.addresses.map((a) => ({
            hostname: a.hostname,
            value: a.value,
            cidr: a.cidr,
          })),
        })),
        ingressAddresses: [...raw['ingress-addresses']],
        egressSubnets: [...raw['egress-subnets']],
      };
    });
  }

  goalState(): GoalState {
    return this.run('goalState', [], () => {
      const units: GoalState['units'] = {};
      const since = new Date(0);
      for (let i = 0; i < this.world.goalStateUnits(); i++) {
        units[`${this.world.appName}/${i}`] = { status: 'active', since };
      }
      return { units, relations: {} };
    });
  }

  secretGet(args: SecretGetArgs): Record<string, string> {
    return this.run('secretGet', [{ ...args }], () =>
      this.world.secretGet(
        args.id,
        args.label,
        args.refresh === true ? 'refresh' : args.peek === true ? 'peek' : 'track',
      ),
    );
  }

  secretInfoGet(query: { readonly id: string } | { readonly label: string }): SecretInfoData {
    return this.run('secretInfoGet', [{ ...query }], () => {
      const id = 'id' in query ? query.id : undefined;
      const label = 'label' in query ? query.label : undefined;
      const raw = this.world.secretInfoGet(id, label);
      const [bare, info] = Object.entries(raw)[0] ?? ['', {}];
      const entry = info as Record<string, unknown>;
      const out: {
        id: string;
        label: string;
        revision: number;
        owner?: string;
        description?: string;
        rotation?: SecretInfoData['rotation'];
        expiry?: Date;
      } = {
        id: bare,
        label: String(entry.label ?? ''),
        revision: Number(entry.revision),
      };
      if (typeof entry.owner === 'string') out.owner = entry.owner;
      if (typeof entry.description === 'string') out.description = entry.description;
      if (typeof entry.rotation === 'string') {
        out.rotation = entry.rotation as SecretInfoData['rotation'];
      }
      if (typeof entry.expiry === 'string') out.expiry = new Date(entry.expiry);
      return out;
    });
  }

  secretAdd(content: Readonly<Record<string, string>>, args: SecretAddArgs): string {
    return this.run('secretAdd', [Object.keys(content), { ...args }], () =>
      this.world.secretAdd(
        generateSecretId(),
        { ...content },
        {
          owner: args.owner === 'unit' ? 'unit' : 'app',
          ...(args.label === undefined ? {} : { label: args.label }),
          ...(args.description === undefined ? {} : { description: args.description }),
          ...(args.expire === undefined ? {} : { expire: isoNoMillis(args.expire) }),
          ...(args.rotate === undefined ? {} : { rotate: args.rotate }),
        },
      ),
    );
  }

  secretSet(id: string, args: SecretSetArgs): void {
    const { content, ...meta } = args;
    this.run(
      'secretSet',
      [id, { ...meta, content: content === undefined ? undefined : Object.keys(content) }],
      () =>
        this.world.secretSet(id, content === undefined ? undefined : { ...content }, {
          ...(meta.label === undefined ? {} : { label: meta.label }),
          ...(meta.description === undefined ? {} : { description: meta.description }),
          ...(meta.expire === undefined ? {} : { expire: isoNoMillis(meta.expire) }),
          ...(meta.rotate === undefined ? {} : { rotate: meta.rotate }),
        }),
    );
  }

  secretGrant(id: string, relationId: number, unit?: string): void {
    this.run('secretGrant', [id, relationId, unit], () =>
      this.world.secretGrant(id, relationId, unit),
    );
  }

  secretRevoke(id: string, relationId: number, unit?: string): void {
    this.run('secretRevoke', [id, relationId, unit], () =>
      this.world.secretRevoke(id, relationId, unit),
    );
  }

  secretRemove(id: string, revision?: number): void {
    this.run('secretRemove', [id, revision], () => this.world.secretRemove(id, revision));
  }

  secretIds(): string[] {
    return this.run('secretIds', [], () => this.world.secretIds());
  }

  openPort(protocol: string, port?: number): void {
    this.run('openPort', [protocol, port], () =>
      this.world.openPort(
        port === undefined ? protocol.toLowerCase() : `${port}/${protocol.toLowerCase()}`,
      ),
    );
  }

  closePort(protocol: string, port?: number): void {
    this.run('closePort', [protocol, port], () =>
      this.world.closePort(
        port === undefined ? protocol.toLowerCase() : `${port}/${protocol.toLowerCase()}`,
      ),
    );
  }

  openedPorts(): OpenedPortData[] {
    return this.run('openedPorts', [], () =>
      this.world.openedPorts().map((spec) => {
        const [port, protocol] = spec.includes('/') ? spec.split('/') : [undefined, spec];
        return {
          protocol: protocol ?? spec,
          port: port === undefined ? null : Number(port),
          toPort: null,
        };
      }),
    );
  }

  reboot(now: boolean): void {
    this.run('reboot', [now], () => this.world.reboot(now));
  }

  credentialGet(): CloudSpecData {
    return this.run('credentialGet', [], () => {
      const raw = this.world.credentialGet();
      const str = (k: string): string | null =>
        typeof raw[k] === 'string' ? (raw[k] as string) : null;
      const cred = raw.credential as Record<string, unknown> | undefined;
      return {
        type: String(raw.type ?? ''),
        name: String(raw.name ?? ''),
        region: str('region'),
        endpoint: str('endpoint'),
        identityEndpoint: str('identity-endpoint'),
        storageEndpoint: str('storage-endpoint'),
        credential:
          cred === undefined
            ? null
            : {
                authType: String(cred['auth-type'] ?? ''),
                attributes: { ...((cred.attrs as Record<string, string> | undefined) ?? {}) },
                redacted: [...((cred.redacted as string[] | undefined) ?? [])],
              },
        caCertificates: [...((raw.cacertificates as string[] | undefined) ?? [])],
        skipTlsVerify: raw['skip-tls-verify'] === true,
        isControllerCloud: raw['is-controller-cloud'] === true,
      };
    });
  }

  stateGet(key: string): string | null {
    return this.run('stateGet', [key], () => this.world.stateGet(key) ?? null);
  }

  stateSet(data: Readonly<Record<string, string>>): void {
    this.run('stateSet', [Object.keys(data)], () => this.world.stateSet({ ...data }));
  }

  stateDelete(key: string): void {
    this.run('stateDelete', [key], () => this.world.stateDelete(key));
  }
}

function mergeDeep(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const existing = target[k];
    if (
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof existing === 'object' &&
      existing !== null &&
      !Array.isArray(existing)
    ) {
      mergeDeep(existing as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      target[k] = v;
    }
  }
}
