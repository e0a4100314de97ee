import {
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
  type SecretSetArgs,
  type SettableStatusName,
  type StatusValue,
  type StorageDetails,
} from '@opsjs/model';

/** A relation as the fake backend knows it. */
export interface FakeRelation {
  readonly endpoint: string;
  readonly id: number;
  readonly remoteApp: string;
  readonly units: string[];
  readonly data: Record<string, Record<string, string>>;
}

/**
 * An in-memory {@link ModelBackend} for core's tests: records every call (as the hook-tool
 * name plus arguments) and keeps just enough state for charms under test.
 */
export class FakeBackend implements ModelBackend {
  readonly calls: string[] = [];
  readonly logs: Array<[string, string]> = [];
  config: Record<string, ConfigValue> = {};
  leader = false;
  relations: FakeRelation[] = [];
  actionParams: Record<string, unknown> = {};
  actionResults: Record<string, unknown> = {};
  actionFailed: string | undefined;
  unitStatus: StatusValue = { status: 'unknown', message: '' };
  appStatus: StatusValue = { status: 'unknown', message: '' };
  storages: Record<string, Array<{ index: number; location: string }>> = {};
  secrets: Record<string, Record<string, string>> = {};
  removedRevisions: string[] = [];
  controllerState = new Map<string, string>();

  #call(text: string): void {
    this.calls.push(text);
  }

  #relation(id: number): FakeRelation {
    const rel = this.relations.find((r) => r.id === id);
    if (rel === undefined) {
      throw new RelationNotFoundError(
        `ERROR invalid value "${id}" for option -r: relation not found`,
      );
    }
    return rel;
  }

  relationIds(endpoint: string): number[] {
    this.#call(`relation-ids ${endpoint}`);
    return this.relations.filter((r) => r.endpoint === endpoint).map((r) => r.id);
  }
  relationList(relationId: number): string[] {
    this.#call(`relation-list ${relationId}`);
    return [...this.#relation(relationId).units];
  }
  relationRemoteApp(relationId: number): string | null {
    this.#call(`relation-list --app ${relationId}`);
    return this.relations.find((r) => r.id === relationId)?.remoteApp ?? null;
  }
  relationGet(relationId: number, member: string, isApp: boolean): Record<string, string> {
    this.#call(`relation-get ${relationId} ${isApp ? '--app ' : ''}${member}`);
    return { ...(this.#relation(relationId).data[member] ?? {}) };
  }
  relationSet(relationId: number, data: Readonly<Record<string, string>>, isApp: boolean): void {
    this.#call(`relation-set ${relationId} ${isApp ? '--app ' : ''}${JSON.stringify(data)}`);
  }
  relationModelGet(): { uuid: string } {
    return { uuid: 'remote-uuid' };
  }
  configGet(): Record<string, ConfigValue> {
    this.#call('config-get');
    return { ...this.config };
  }
  #leaderAsked = false;
  /** Records only the first call, as the hook-tool backend caches the answer for 30 s. */
  isLeader(): boolean {
    if (!this.#leaderAsked) this.#call('is-leader');
    this.#leaderAsked = true;
    return this.leader;
  }
  resourceGet(name: string): string {
    return `/resources/${name}`;
  }
  statusGet(isApp: boolean): StatusValue {
    this.#call(`status-get ${isApp}`);
    return isApp ? this.appStatus : this.unitStatus;
  }
  statusSet(status: SettableStatusName, message: string, isApp: boolean): void {
    this.#call(`status-set ${isApp ? 'app' : 'unit'} ${status} ${message}`);
    if (isApp) this.appStatus = { status, message };
    else this.unitStatus = { status, message };
  }
  storageList(name: string): number[] {
    this.#call(`storage-list ${name}`);
    return (this.storages[name] ?? []).map((s) => s.index);
  }
  storageGet(storageId: string): StorageDetails {
    this.#call(`storage-get ${storageId}`);
    const [name = '', index = ''] = storageId.split('/');
    const found = (this.storages[name] ?? []).find((s) => String(s.index) === index);
    if (found === undefined) throw new ModelError(`ERROR storage ${storageId} not found`);
    return { kind: 'filesystem', location: found.location };
  }
  storageAdd(name: string, count: number): void {
    this.#call(`storage-add ${name}=${count}`);
  }
  actionGet(): Record<string, unknown> {
    this.#call('action-get');
    return structuredClone(this.actionParams);
  }
  actionSet(results: Readonly<Record<string, unknown>>): void {
    this.#call(`action-set ${JSON.stringify(results)}`);
    Object.assign(this.actionResults, results);
  }
  actionLog(message: string): void {
    this.#call(`action-log ${message}`);
  }
  actionFail(message: string): void {
    this.#call(`action-fail ${message}`);
    this.actionFailed = message;
  }
  applicationVersionSet(version: string): void {
    this.#call(`application-version-set ${version}`);
  }
  jujuLog(level: string, message: string): void {
    this.logs.push([level, message]);
  }
  networkGet(): NetworkData {
    throw new ModelError('network-get is not faked');
  }
  goalState(): GoalState {
    throw new ModelError('goal-state is not faked');
  }
  secretGet(args: SecretGetArgs): Record<string, string> {
    this.#call(`secret-get ${args.id ?? ''}`);
    const content = this.secrets[args.id ?? ''];
    if (content === undefined) throw new ModelError('ERROR secret not found');
    return { ...content };
  }
  secretInfoGet(): SecretInfoData {
    throw new ModelError('secret-info-get is not faked');
  }
  secretAdd(_content: Readonly<Record<string, string>>, _args: SecretAddArgs): string {
    throw new ModelError('secret-add is not faked');
  }
  secretSet(_id: string, _args: SecretSetArgs): void {
    throw new ModelError('secret-set is not faked');
  }
  secretGrant(): void {}
  secretRevoke(): void {}
  secretRemove(id: string, revision?: number): void {
    this.#call(`secret-remove ${id} ${revision ?? ''}`.trim());
    this.removedRevisions.push(`${id}#${revision ?? 'all'}`);
  }
  secretIds(): string[] {
    return Object.keys(this.secrets);
  }
  openPort(): void {}
  closePort(): void {}
  openedPorts(): OpenedPortData[] {
    return [];
  }
  reboot(): void {}
  credentialGet(): CloudSpecData {
    throw new ModelError('credential-get is not faked');
  }
  stateGet(key: string): string | null {
    this.#call(`state-get ${key}`);
    return this.controllerState.get(key) ?? null;
  }
  stateSet(data: Readonly<Record<string, string>>): void {
    this.#call(`state-set ${Object.keys(data).join(',')}`);
    for (const [k, v] of Object.entries(data)) this.controllerState.set(k, v);
  }
  stateDelete(key: string): void {
    this.#call(`state-delete ${key}`);
    this.controllerState.delete(key);
  }
}
