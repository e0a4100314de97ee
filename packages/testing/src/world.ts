/**
 * The simulated Juju side of one unit: plain JSON-serialisable data plus the operations the
 * hook tools perform on it. The in-memory backend (Harness, Context) and the fake hook-tool
 * executables (runDispatch) both drive this one implementation, so the two agree.
 * @internal
 */

export type {
  WorldAction,
  WorldData,
  WorldNetwork,
  WorldRelation,
  WorldSecret,
  WorldSecretRevision,
  WorldStatus,
  WorldStorage,
} from './world-schema.js';

import type {
  WorldAction,
  WorldData,
  WorldNetwork,
  WorldRelation,
  WorldSecret,
  WorldSecretRevision,
  WorldStatus,
} from './world-schema.js';

/** A hook-tool failure, as Juju reports it. @internal */
export class HookToolFailure extends Error {
  readonly exitCode: number;
  readonly stderr: string;
  readonly tool: string;

  constructor(tool: string, stderr: string, exitCode = 1) {
    super(stderr.trim());
    this.tool = tool;
    this.stderr = stderr.endsWith('\n') ? stderr : `${stderr}\n`;
    this.exitCode = exitCode;
  }
}

/** The application name of a unit name `app/n`. @internal */
export function appOf(unitName: string): string {
  const slash = unitName.indexOf('/');
  return slash < 0 ? unitName : unitName.slice(0, slash);
}

function uniqueId(id: string): string {
  const trimmed = id.trim();
  const slash = trimmed.lastIndexOf('/');
  if (slash >= 0) return trimmed.slice(slash + 1);
  return trimmed.startsWith('secret:') ? trimmed.slice(7) : trimmed;
}

const SETTABLE = ['maintenance', 'blocked', 'waiting', 'active'];

function versionTuple(version: string): number[] {
  return version
    .split(/[.-]/)
    .map((p) => Number.parseInt(p, 10))
    .filter((n) => !Number.isNaN(n));
}

function versionAtLeast(version: string, min: readonly number[]): boolean {
  const v = versionTuple(version);
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** Whether secret owners always got the latest revision on this Juju (LP #2037120). */
function ownersTrackLatest(version: string): boolean {
  const v = versionTuple(version);
  const is317 = v[0] === 3 && v[1] === 1 && v[2] === 7;
  return !(is317 || versionAtLeast(version, [3, 3, 1]));
}

/** Default `network-get` answer, Scenario's `192.0.2.0`. @internal */
export function defaultNetwork(): WorldNetwork {
  return {
    'bind-addresses': [
      {
        'mac-address': '',
        'interface-name': '',
        addresses: [{ hostname: '', value: '192.0.2.0', cidr: '192.0.2.0/24' }],
      },
    ],
    'egress-subnets': ['192.0.2.0/24'],
    'ingress-addresses': ['192.0.2.0'],
  };
}

/**
 * The operations hook tools perform, over a {@link WorldData}. Method names follow the
 * hook tools; failures throw {@link HookToolFailure} with Juju's stderr text.
 * @internal
 */
export class World {
  readonly data: WorldData;
  /**
   * Relations `relation-ids` leaves out while they still exist: Harness hides a relation
   * during its `-broken` hook, as ops' Harness marks it broken on the model.
   */
  readonly hiddenRelations = new Set<number>();

  constructor(data: WorldData) {
    this.data = data;
  }

  get appName(): string {
    return appOf(this.data.unitName);
  }

  record(argv: string[]): void {
    this.data.calls.push(argv);
  }

  relation(tool: string, id: number): WorldRelation {
    const rel = this.data.relations.find((r) => r.id === id);
    if (rel === undefined) {
      throw new HookToolFailure(
        tool,
        `ERROR invalid value "${id}" for option -r: relation not found`,
        2,
      );
    }
    return rel;
  }

  relationIds(endpoint: string): number[] {
    return this.data.relations
      .filter((r) => r.endpoint === endpoint && !this.hiddenRelations.has(r.id))
      .map((r) => r.id)
      .sort((a, b) => a - b);
  }

  relationList(id: number): string[] {
    return [...this.relation('relation-list', id).units];
  }

  relationRemoteApp(id: number): string {
    return this.relation('relation-list', id).remoteApp;
  }

  relationGet(id: number, member: string, isApp: boolean): Record<string, string> {
    const rel = this.relation('relation-get', id);
    // Juju refuses a non-leader's read of its own app bag (non-peer) with "permission denied";
    // the model refuses it first while a hook runs, and Harness (as ops') allows it outside one.
    void isApp;
    const bag = rel.bags[member];
    if (bag === undefined) {
      if (member === this.data.unitName || member === this.appName || member === rel.remoteApp) {
        return {};
      }
      throw new HookToolFailure(
        'relation-get',
        `ERROR cannot read settings for unit "${member}" in relation "${rel.endpoint}:${id}": unit "${member}": settings not found`,
      );
    }
    return { ...bag };
  }

  relationSet(id: number, data: Record<string, string>, isApp: boolean): void {
    const rel = this.relation('relation-set', id);
    if (isApp && !this.data.leader) {
      throw new HookToolFailure('relation-set', 'ERROR cannot write relation settings');
    }
    const owner = isApp ? this.appName : this.data.unitName;
    const bag = rel.bags[owner] ?? {};
    for (const [key, value] of Object.entries(data)) {
      if (value === '') delete bag[key];
      else bag[key] = value;
    }
    rel.bags[owner] = bag;
  }

  relationModelGet(id: number): { uuid: string } {
    const rel = this.relation('relation-model-get', id);
    return { uuid: rel.remoteModelUuid ?? this.data.modelUuid };
  }

  configGet(): Record<string, string | number | boolean> {
    return { ...this.data.config };
  }

  isLeader(): boolean {
    return this.data.leader;
  }

  statusGet(isApp: boolean): WorldStatus {
    if (isApp && !this.data.leader) {
      throw new HookToolFailure(
        'status-get',
        'ERROR finding application status: this unit is not the leader',
      );
    }
    return { ...(isApp ? this.data.appStatus : this.data.unitStatus) };
  }

  statusSet(status: string, message: string, isApp: boolean): void {
    if (!SETTABLE.includes(status)) {
      throw new HookToolFailure(
        'status-set',
        `ERROR invalid status "${status}", expected one of [${SETTABLE.join(', ')}]`,
      );
    }
    if (isApp && !this.data.leader) {
      throw new HookToolFailure(
        'status-set',
        'ERROR setting application status: this unit is not the leader',
      );
    }
    if (isApp) {
      this.data.appStatusHistory.push(this.data.appStatus);
      this.data.appStatus = { status, message };
    } else {
      this.data.unitStatusHistory.push(this.data.unitStatus);
      this.data.unitStatus = { status, message };
    }
  }

  jujuLog(level: string, message: string): void {
    this.data.jujuLog.push({ level, message });
  }

  applicationVersionSet(version: string): void {
    // As Scenario: the previous version is recorded only when one was set (not the initial '').
    if (this.data.workloadVersion !== '') {
      this.data.workloadVersionHistory.push(this.data.workloadVersion);
    }
    this.data.workloadVersion = version;
  }

  private action(tool: string): WorldAction {
    if (this.data.action === undefined) {
      throw new HookToolFailure(tool, 'ERROR not running an action');
    }
    return this.data.action;
  }

  actionGet(): Record<string, unknown> {
    return structuredClone(this.action('action-get').params);
  }

  actionSet(flat: Record<string, unknown>): void {
    Object.assign(this.action('action-set').results, flat);
  }

  actionLog(message: string): void {
    this.action('action-log').logs.push(message);
  }

  actionFail(message: string): void {
    const action = this.action('action-fail');
    action.failed = true;
    action.failureMessage = message;
  }

  storageList(name: string): string[] {
    return this.data.storages
      .filter((s) => s.name === name && s.attached)
      .sort((a, b) => a.index - b.index)
      .map((s) => `${s.name}/${s.index}`);
  }

  storageGet(storageId: string): { kind: string; location: string } {
    const found = this.data.storages.find((s) => `${s.name}/${s.index}` === storageId);
    if (found === undefined) {
      throw new HookToolFailure(
        'storage-get',
        `ERROR invalid value "${storageId}" for option -s: storage not found`,
        2,
      );
    }
    return { kind: found.kind, location: found.location };
  }

  storageAdd(name: string, count: number): void {
    this.data.storageRequests[name] = (this.data.storageRequests[name] ?? 0) + count;
  }

  networkGet(binding: string, relationId?: number): WorldNetwork {
    if (relationId !== undefined) {
      const rel = this.relation('network-get', relationId);
      const specific = this.data.networks[`${rel.endpoint}:${relationId}`];
      if (specific !== undefined) return structuredClone(specific);
    }
    const net = this.data.networks[binding];
    if (net !== undefined) return structuredClone(net);
    if (this.data.bindings.includes(binding)) {
      // The default binding's network when one was set (Harness.addNetwork without endpoint).
      const fallback = this.data.networks[''];
      return fallback === undefined ? defaultNetwork() : structuredClone(fallback);
    }
    throw new HookToolFailure(
      'network-get',
      `ERROR no network config found for binding "${binding}"`,
    );
  }

  private checkPort(tool: string, spec: string): void {
    const match = /^(?:(\d+)(?:-(\d+))?\/)?(tcp|udp|icmp)$/.exec(spec);
    const ok =
      match !== null &&
      (match[3] === 'icmp'
        ? match[1] === undefined
        : match[1] !== undefined &&
          [match[1], match[2] ?? match[1]].every((p) => Number(p) >= 1 && Number(p) <= 65535));
    if (!ok) {
      throw new HookToolFailure(tool, `ERROR invalid port range or protocol "${spec}"`, 2);
    }
  }

  openPort(spec: string): void {
    this.checkPort('open-port', spec);
    if (!this.data.ports.includes(spec)) this.data.ports.push(spec);
  }

  closePort(spec: string): void {
    this.checkPort('close-port', spec);
    this.data.ports = this.data.ports.filter((p) => p !== spec);
  }

  openedPorts(): string[] {
    return [...this.data.ports];
  }

  resourceGet(name: string): string {
    const path = this.data.resources[name];
    if (path === undefined) {
      throw new HookToolFailure(
        'resource-get',
        `ERROR could not download resource: resource "${name}" not found`,
      );
    }
    return path;
  }

  goalStateUnits(): number {
    return this.data.plannedUnits;
  }

  credentialGet(): Record<string, unknown> {
    if (this.data.cloudSpec === undefined) {
      throw new HookToolFailure(
        'credential-get',
        'ERROR cannot access cloud credentials: permission denied',
      );
    }
    return structuredClone(this.data.cloudSpec);
  }

  stateGet(key: string): string | undefined {
    return this.data.stateStore[key];
  }

  stateSet(values: Record<string, string>): void {
    Object.assign(this.data.stateStore, values);
  }

  stateDelete(key: string): void {
    delete this.data.stateStore[key];
  }

  reboot(now: boolean): void {
    this.data.rebootRequested = now ? 'now' : 'later';
  }

  // --- secrets -----------------------------------------------------------------------------

  findSecret(tool: string, id: string | undefined, label: string | undefined): WorldSecret {
    let found: WorldSecret | undefined;
    if (id !== undefined && id !== '') {
      found = this.data.secrets.find((s) => uniqueId(s.id) === uniqueId(id));
    } else if (label !== undefined) {
      found = this.data.secrets.find((s) => s.label === label);
    }
    if (found === undefined) {
      throw new HookToolFailure(
        tool,
        `ERROR secret "${id !== undefined && id !== '' ? uniqueId(id) : label}" not found`,
      );
    }
    return found;
  }

  private checkManage(tool: string, secret: WorldSecret): void {
    if (secret.owner === null) {
      throw new HookToolFailure(tool, 'ERROR permission denied');
    }
    if (secret.owner === 'app' && !this.data.leader) {
      throw new HookToolFailure(tool, 'ERROR this unit is not the leader');
    }
  }

  latestRevision(secret: WorldSecret): WorldSecretRevision {
    const latest = secret.revisions.at(-1);
    if (latest === undefined)
      throw new HookToolFailure('secret-get', 'ERROR secret has no revisions');
    return latest;
  }

  secretGet(
    id: string | undefined,
    label: string | undefined,
    mode: 'track' | 'refresh' | 'peek',
  ): Record<string, string> {
    const secret = this.findSecret('secret-get', id, label);
    if (
      secret.observers !== undefined &&
      !secret.observers.includes(this.appName) &&
      !secret.observers.includes(this.data.unitName)
    ) {
      throw new HookToolFailure(
        'secret-get',
        `ERROR secret "${uniqueId(secret.id)}" not found (not granted to ${this.appName})`,
      );
    }
    if (id !== undefined && id !== '' && label !== undefined) secret.label = label;
    const latest = this.latestRevision(secret);
    // Before Juju 3.1.7 (and from 3.2 to 3.3.0) owners always tracked the latest revision
    // (LP #2037120), as Scenario simulates.
    if (secret.owner !== null && ownersTrackLatest(this.data.jujuVersion)) mode = 'refresh';
    if (mode === 'refresh') secret.trackedRevision = latest.revision;
    if (mode === 'peek' || mode === 'refresh') return { ...latest.content };
    const tracked = secret.revisions.find((r) => r.revision === secret.trackedRevision) ?? latest;
    return { ...tracked.content };
  }

  secretInfoGet(id: string | undefined, label: string | undefined): Record<string, unknown> {
    const secret = this.findSecret('secret-info-get', id, label);
    if (secret.owner === null) {
      throw new HookToolFailure('secret-info-get', `ERROR secret "${id ?? label}" not found`);
    }
    const info: Record<string, unknown> = {
      revision: this.latestRevision(secret).revision,
      label: secret.label ?? '',
      owner: secret.owner === 'app' ? 'application' : 'unit',
    };
    if (secret.description !== undefined) info.description = secret.description;
    if (secret.rotate !== undefined) info.rotation = secret.rotate;
    if (secret.expire !== undefined) info.expiry = secret.expire;
    return { [uniqueId(secret.id)]: info };
  }

  secretAdd(
    newId: string,
    content: Record<string, string>,
    meta: {
      owner: 'app' | 'unit';
      label?: string;
      description?: string;
      expire?: string;
      rotate?: string;
    },
  ): string {
    if (meta.owner === 'app' && !this.data.leader) {
      throw new HookToolFailure('secret-add', 'ERROR this unit is not the leader');
    }
    const secret: WorldSecret = {
      id: newId,
      owner: meta.owner,
      revisions: [{ revision: 1, content: { ...content } }],
      trackedRevision: 1,
      grants: {},
      removedRevisions: [],
    };
    if (meta.label !== undefined) secret.label = meta.label;
    if (meta.description !== undefined) secret.description = meta.description;
    if (meta.expire !== undefined) secret.expire = meta.expire;
    if (meta.rotate !== undefined) secret.rotate = meta.rotate;
    this.data.secrets.push(secret);
    return newId;
  }

  secretSet(
    id: string,
    content: Record<string, string> | undefined,
    meta: { label?: string; description?: string; expire?: string; rotate?: string },
  ): void {
    const secret = this.findSecret('secret-set', id, undefined);
    this.checkManage('secret-set', secret);
    // As ops' Harness and Scenario: every secret-set makes a new revision, even with the same
    // content or metadata only (Juju 3.6+ skips a same-content revision; the simulators do not).
    const latest = this.latestRevision(secret);
    secret.revisions.push({
      revision: latest.revision + 1,
      content: { ...(content ?? latest.content) },
    });
    if (meta.label !== undefined) secret.label = meta.label;
    if (meta.description !== undefined) secret.description = meta.description;
    if (meta.expire !== undefined) secret.expire = meta.expire;
    if (meta.rotate !== undefined) secret.rotate = meta.rotate;
  }

  secretGrant(id: string, relationId: number, unit: string | undefined): void {
    const secret = this.findSecret('secret-grant', id, undefined);
    this.checkManage('secret-grant', secret);
    const rel = this.relation('secret-grant', relationId);
    const grantee = unit ?? rel.remoteApp;
    const key = String(relationId);
    const list = secret.grants[key] ?? [];
    if (!list.includes(grantee)) list.push(grantee);
    secret.grants[key] = list;
  }

  secretRevoke(id: string, relationId: number, unit: string | undefined): void {
    const secret = this.findSecret('secret-revoke', id, undefined);
    this.checkManage('secret-revoke', secret);
    const rel = this.relation('secret-revoke', relationId);
    const grantee = unit ?? rel.remoteApp;
    const key = String(relationId);
    const list = (secret.grants[key] ?? []).filter((g) => g !== grantee);
    if (list.length === 0) delete secret.grants[key];
    else secret.grants[key] = list;
  }

  secretRemove(id: string, revision: number | undefined): void {
    const secret = this.findSecret('secret-remove', id, undefined);
    this.checkManage('secret-remove', secret);
    if (revision === undefined) {
      this.data.secrets = this.data.secrets.filter((s) => s !== secret);
      return;
    }
    secret.removedRevisions.push(revision);
    if (secret.revisions.length > 1) {
      secret.revisions = secret.revisions.filter((r) => r.revision !== revision);
    }
  }

  secretIds(): string[] {
    return this.data.secrets.filter((s) => s.owner !== null).map((s) => uniqueId(s.id));
  }
}
