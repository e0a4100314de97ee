import type { ModelBackend } from '../../src/backend/model-backend.js';
import type {
  CloudSpecData,
  ConfigValue,
  GoalState,
  NetworkData,
  OpenedPortData,
  SecretAddArgs,
  SecretGetArgs,
  SecretInfoData,
  SecretSetArgs,
  SettableStatusName,
  StatusValue,
  StorageDetails,
} from '../../src/backend/types.js';
import { ModelError, RelationNotFoundError, SecretNotFoundError } from '../../src/errors.js';

/** A relation as the memory backend stores it. */
export interface MemoryRelation {
  endpoint: string;
  id: number;
  remoteApp: string;
  remoteUnits: string[];
  /** Databags by unit or app name. */
  data: Record<string, Record<string, string>>;
}

/** A secret as the memory backend stores it. */
export interface MemorySecret {
  id: string;
  label?: string;
  content: Record<string, string>;
  revision: number;
  owner?: string;
}

/**
 * A small in-memory {@link ModelBackend} for model-object tests: state in plain fields,
 * every call recorded in `calls` as `[method, ...args]`.
 */
export class MemoryBackend implements ModelBackend {
  calls: unknown[][] = [];
  leader = false;
  config: Record<string, ConfigValue> = {};
  relations: MemoryRelation[] = [];
  unitStatus: StatusValue = { status: 'maintenance', message: '' };
  appStatus: StatusValue = { status: 'unknown', message: '' };
  storages: Record<string, Record<number, StorageDetails>> = {};
  resources: Record<string, string> = {};
  ports: OpenedPortData[] = [];
  secrets: MemorySecret[] = [];
  goal: GoalState = { units: {}, relations: {} };
  network: NetworkData = { bindAddresses: [], ingressAddresses: [], egressSubnets: [] };
  cloud: CloudSpecData | undefined;
  state: Record<string, string> = {};
  remoteModelUuid = 'remote-uuid';
  nextSecret = 1;

  #rel(id: number): MemoryRelation {
    const r = this.relations.find((x) => x.id === id);
    if (r === undefined) throw new RelationNotFoundError('ERROR relation not found');
    return r;
  }

  #secret(args: { id?: string | undefined; label?: string | undefined }): MemorySecret {
    const s = this.secrets.find(
      (x) =>
        (args.id !== undefined &&
          (x.id === args.id || args.id.endsWith(`/${x.id}`) || x.id.endsWith(args.id))) ||
        (args.id === undefined && x.label === args.label),
    );
    if (s === undefined) throw new SecretNotFoundError('ERROR secret not found');
    return s;
  }

  relationIds(endpoint: string): number[] {
    this.calls.push(['relationIds', endpoint]);
    return this.relations.filter((r) => r.endpoint === endpoint).map((r) => r.id);
  }
  relationList(relationId: number, endpoint?: string): string[] {
    this.calls.push(['relationList', relationId, endpoint]);
    return [...this.#rel(relationId).remoteUnits];
  }
  relationRemoteApp(relationId: number, endpoint?: string): string | null {
    this.calls.push(['relationRemoteApp', relationId, endpoint]);
    return this.relations.find((x) => x.id === relationId)?.remoteApp ?? null;
  }
  relationGet(relationId: number, member: string, isApp: boolean, endpoint?: string) {
    this.calls.push(['relationGet', relationId, member, isApp, endpoint]);
    return { ...(this.#rel(relationId).data[member] ?? {}) };
  }
  relationSet(
    relationId: number,
    data: Readonly<Record<string, string>>,
    isApp: boolean,
    endpoint?: string,
  ): void {
    this.calls.push(['relationSet', relationId, { ...data }, isApp, endpoint]);
    void endpoint;
    void isApp;
  }
  relationModelGet(relationId: number, endpoint?: string): { uuid: string } {
    this.calls.push(['relationModelGet', relationId, endpoint]);
    return { uuid: this.remoteModelUuid };
  }
  configGet(): Record<string, ConfigValue> {
    this.calls.push(['configGet']);
    return { ...this.config };
  }
  isLeader(): boolean {
    this.calls.push(['isLeader']);
    return this.leader;
  }
  resourceGet(name: string): string {
    this.calls.push(['resourceGet', name]);
    const p = this.resources[name];
    if (p === undefined) throw new ModelError('ERROR could not download resource\n');
    return p;
  }
  statusGet(isApp: boolean): StatusValue {
    this.calls.push(['statusGet', isApp]);
    return isApp ? this.appStatus : this.unitStatus;
  }
  statusSet(status: SettableStatusName, message: string, isApp: boolean): void {
    this.calls.push(['statusSet', status, message, isApp]);
    if (isApp) this.appStatus = { status, message };
    else this.unitStatus = { status, message };
  }
  storageList(name: string): number[] {
    this.calls.push(['storageList', name]);
    return Object.keys(this.storages[name] ?? {}).map(Number);
  }
  storageGet(storageId: string): StorageDetails {
    this.calls.push(['storageGet', storageId]);
    const [name = '', index = ''] = storageId.split('/');
    const s = this.storages[name]?.[Number(index)];
    if (s === undefined) throw new ModelError('ERROR storage not found\n');
    return s;
  }
  storageAdd(name: string, count: number): void {
    this.calls.push(['storageAdd', name, count]);
  }
  actionGet(): Record<string, unknown> {
    this.calls.push(['actionGet']);
    return {};
  }
  actionSet(results: Readonly<Record<string, unknown>>): void {
    this.calls.push(['actionSet', results]);
  }
  actionLog(message: string): void {
    this.calls.push(['actionLog', message]);
  }
  actionFail(message: string): void {
    this.calls.push(['actionFail', message]);
  }
  applicationVersionSet(version: string): void {
    this.calls.push(['applicationVersionSet', version]);
  }
  jujuLog(level: string, message: string): void {
    this.calls.push(['jujuLog', level, message]);
  }
  networkGet(binding: string, relationId?: number): NetworkData {
    this.calls.push(['networkGet', binding, relationId]);
    if (relationId !== undefined && !this.relations.some((r) => r.id === relationId)) {
      throw new RelationNotFoundError('ERROR relation not found');
    }
    return this.network;
  }
  goalState(): GoalState {
    this.calls.push(['goalState']);
    return this.goal;
  }
  secretGet(args: SecretGetArgs): Record<string, string> {
    this.calls.push(['secretGet', { ...args }]);
    const s = this.#secret(args);
    if (args.id !== undefined && args.label !== undefined) s.label = args.label;
    return { ...s.content };
  }
  secretInfoGet(query: { readonly id: string } | { readonly label: string }): SecretInfoData {
    this.calls.push(['secretInfoGet', { ...query }]);
    const s = this.#secret('id' in query ? { id: query.id } : { label: query.label });
    return { id: s.id, label: s.label ?? '', revision: s.revision };
  }
  secretAdd(content: Readonly<Record<string, string>>, args: SecretAddArgs): string {
    this.calls.push(['secretAdd', { ...content }, { ...args }]);
    const id = `secret:s${this.nextSecret++}`;
    this.secrets.push({
      id,
      content: { ...content },
      revision: 1,
      owner: args.owner,
      ...(args.label === undefined ? {} : { label: args.label }),
    });
    return id;
  }
  secretSet(id: string, args: SecretSetArgs): void {
    this.calls.push(['secretSet', id, { ...args }]);
  }
  secretGrant(id: string, relationId: number, unit?: string): void {
    this.calls.push(['secretGrant', id, relationId, unit]);
  }
  secretRevoke(id: string, relationId: number, unit?: string): void {
    this.calls.push(['secretRevoke', id, relationId, unit]);
  }
  secretRemove(id: string, revision?: number): void {
    this.calls.push(['secretRemove', id, revision]);
  }
  secretIds(): string[] {
    this.calls.push(['secretIds']);
    return this.secrets.map((s) => s.id);
  }
  openPort(protocol: string, port?: number): void {
    this.calls.push(['openPort', protocol, port]);
  }
  closePort(protocol: string, port?: number): void {
    this.calls.push(['closePort', protocol, port]);
  }
  openedPorts(): OpenedPortData[] {
    this.calls.push(['openedPorts']);
    return [...this.ports];
  }
  reboot(now: boolean): void {
    this.calls.push(['reboot', now]);
  }
  credentialGet(): CloudSpecData {
    this.calls.push(['credentialGet']);
    if (this.cloud === undefined) throw new ModelError('ERROR cannot access cloud credentials\n');
    return this.cloud;
  }
  stateGet(key: string): string | null {
    this.calls.push(['stateGet', key]);
    return this.state[key] ?? null;
  }
  stateSet(data: Readonly<Record<string, string>>): void {
    this.calls.push(['stateSet', { ...data }]);
    Object.assign(this.state, data);
  }
  stateDelete(key: string): void {
    this.calls.push(['stateDelete', key]);
    delete this.state[key];
  }

  /** The method names called so far. */
  methods(): string[] {
    return this.calls.map((c) => String(c[0]));
  }
}
