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
} from './types.js';

/**
 * What the model needs from Juju: one synchronous, typed method per hook-tool operation.
 *
 * {@link HookToolBackend} implements it by running Juju's hook tools; `@opsjs/testing`
 * implements it in memory. Methods take parsed values and return parsed values; the
 * implementation does the argv building and output parsing. ops' `_ModelBackend` is the model
 * for the method set.
 *
 * Errors every method may throw: {@link ModelError} (the tool failed; message = its stderr),
 * {@link RelationNotFoundError} (`relation-*`/`network-*` and "relation not found"),
 * {@link SecretNotFoundError} (`secret-*` and "not found"), and for the hook-tool backend
 * {@link HookToolMissingError}, {@link HookToolTimeoutError}, {@link HookToolOutputError}.
 *
 * `endpoint` arguments are the relation's endpoint name: when given, relation ids are passed
 * to Juju as `<endpoint>:<id>`, as ops does.
 */
export interface ModelBackend {
  /** `relation-ids <endpoint> --format=json` → the relation ids (integers). */
  relationIds(endpoint: string): number[];
  /** `relation-list --format=json -r <endpoint>:<id>` → remote unit names. */
  relationList(relationId: number, endpoint?: string): string[];
  /**
   * `relation-list --format=json --app -r <endpoint>:<id>` → the remote application name, or
   * `null` when the relation is not found.
   */
  relationRemoteApp(relationId: number, endpoint?: string): string | null;
  /** `relation-get --format=json -r <endpoint>:<id> [--app] - <member>` → the whole databag. */
  relationGet(
    relationId: number,
    member: string,
    isApp: boolean,
    endpoint?: string,
  ): Record<string, string>;
  /**
   * `relation-set -r <endpoint>:<id> [--app] --file -` with the changes as JSON on stdin; `''`
   * deletes a key. `data` must not be empty.
   */
  relationSet(
    relationId: number,
    data: Readonly<Record<string, string>>,
    isApp: boolean,
    endpoint?: string,
  ): void;
  /** `relation-model-get --format=json -r <endpoint>:<id>` → the remote model's uuid. */
  relationModelGet(relationId: number, endpoint?: string): { uuid: string };
  /** `config-get --format=json` → the options that are set or have a default. */
  configGet(): Record<string, ConfigValue>;
  /** `is-leader --format=json` (the hook-tool backend caches `true`/`false` for 30 s). */
  isLeader(): boolean;
  /** `resource-get <name>` → the local path of the resource file. */
  resourceGet(name: string): string;
  /** `status-get --include-data --format=json --application=<bool>`. */
  statusGet(isApp: boolean): StatusValue;
  /** `status-set --application=<True|False> <status> -- <message>`. */
  statusSet(status: SettableStatusName, message: string, isApp: boolean): void;
  /** `storage-list --format=json <name>` → the indices of attached instances. */
  storageList(name: string): number[];
  /** `storage-get --format=json -s <name>/<index>` → kind and location. */
  storageGet(storageId: string): StorageDetails;
  /** `storage-add <name>=<count>`. */
  storageAdd(name: string, count: number): void;
  /** `action-get --format=json` → the action's parameters. */
  actionGet(): Record<string, unknown>;
  /** `action-set k=v ...` with nested maps flattened to dotted keys. */
  actionSet(results: Readonly<Record<string, unknown>>): void;
  /** `action-log -- <message>`. */
  actionLog(message: string): void;
  /** `action-fail -- <message>`. */
  actionFail(message: string): void;
  /** `application-version-set -- <version>`. */
  applicationVersionSet(version: string): void;
  /** `juju-log --log-level <level> -- <message>` (long messages split as ops does). */
  jujuLog(level: string, message: string): void;
  /** `network-get --format=json [-r <id>] <binding>`. */
  networkGet(binding: string, relationId?: number): NetworkData;
  /** `goal-state --format=json`. */
  goalState(): GoalState;
  /** `secret-get --format=json [<id>] [--label L] [--refresh|--peek]` → the content. */
  secretGet(args: SecretGetArgs): Record<string, string>;
  /** `secret-info-get --format=json <id>` or `--label L` (never both). */
  secretInfoGet(query: { readonly id: string } | { readonly label: string }): SecretInfoData;
  /** `secret-add ... --owner <owner> k#file=...` → the new secret URI. */
  secretAdd(content: Readonly<Record<string, string>>, args: SecretAddArgs): string;
  /** `secret-set ... --owner application <id> [k#file=...]`. */
  secretSet(id: string, args: SecretSetArgs): void;
  /** `secret-grant --relation <id> [--unit <unit>] <secret>`. */
  secretGrant(id: string, relationId: number, unit?: string): void;
  /** `secret-revoke --relation <id> [--unit <unit>] <secret>`. */
  secretRevoke(id: string, relationId: number, unit?: string): void;
  /** `secret-remove <id> [--revision <n>]`. */
  secretRemove(id: string, revision?: number): void;
  /** `secret-ids --format=json` → bare secret ids owned by this unit/app. */
  secretIds(): string[];
  /** `open-port <port>/<protocol>` or `open-port <protocol>` (icmp). */
  openPort(protocol: string, port?: number): void;
  /** `close-port <port>/<protocol>` or `close-port <protocol>` (icmp). */
  closePort(protocol: string, port?: number): void;
  /** `opened-ports --format=json`. */
  openedPorts(): OpenedPortData[];
  /** `juju-reboot [--now]`. */
  reboot(now: boolean): void;
  /** `credential-get --format=json`. */
  credentialGet(): CloudSpecData;
  /**
   * `state-get <key>` (controller-side state) → the raw value as printed (YAML text), or
   * `null` when the key is absent (empty output).
   */
  stateGet(key: string): string | null;
  /** `state-set --file -` with `data` as a YAML map on stdin. */
  stateSet(data: Readonly<Record<string, string>>): void;
  /** `state-delete <key>`. */
  stateDelete(key: string): void;
}
