export {
  HookToolBackend,
  type HookToolBackendOptions,
  mapHookToolError,
  modelErrorFromFailure,
} from './backend/hook-tool-backend.js';
export type { ModelBackend } from './backend/model-backend.js';
export {
  createHookToolRunner,
  DEFAULT_HOOK_TOOL_TIMEOUT_MS,
  type HookToolCallOptions,
  type HookToolRunner,
  type HookToolRunnerOptions,
} from './backend/run-hook-tool.js';
export type {
  CloudSpecData,
  ConfigValue,
  GoalState,
  NetworkData,
  OpenedPortData,
  SecretAddArgs,
  SecretGetArgs,
  SecretInfoData,
  SecretMetadataArgs,
  SecretSetArgs,
  SettableStatusName,
  StatusName,
  StatusValue,
  StorageDetails,
} from './backend/types.js';
export {
  type ActionMeta,
  CHARM_META_CACHE_FILE,
  CharmMeta,
  type CharmMetaDocuments,
  type CharmMetaLoadOptions,
  type ConfigOptionMeta,
  type ContainerMeta,
  charmMetaCacheText,
  type MetadataLinks,
  type RelationMeta,
  type RelationRole,
  type ResourceMeta,
  type StorageMeta,
  writeCharmMetaCache,
} from './charm-meta.js';
export { ConfigData } from './config-data.js';
export { Container } from './container.js';
export {
  ConfigTypeError,
  type HookToolFailure,
  HookToolMissingError,
  HookToolOutputError,
  HookToolTimeoutError,
  InvalidArgumentError,
  InvalidStatusError,
  JujuContextError,
  JujuVersionError,
  MetadataError,
  ModelAccessError,
  ModelError,
  type ModelErrorOptions,
  MultiPushPullError,
  PebbleUnavailableError,
  RelationDataAccessError,
  RelationDataError,
  RelationDataTypeError,
  RelationNotFoundError,
  SecretContentError,
  SecretNotFoundError,
  TooManyRelatedAppsError,
  UnknownNameError,
} from './errors.js';
export {
  JujuContext,
  type JujuContextFields,
  type JujuContextFromEnvOptions,
} from './juju-context.js';
export { JujuVersion } from './juju-version.js';
export { type CloudSpec, defaultContainerSocketPath, Model, type ModelOptions } from './model.js';
export { Binding, Network, NetworkInterface } from './network.js';
export type { PebbleModule } from './pebble-loader.js';
export { Port, type PortProtocol } from './port.js';
export {
  Relation,
  RelationData,
  RelationDataContent,
  type RelationEntity,
  RelationMapping,
} from './relation.js';
export { Resources } from './resources.js';
export {
  Secret,
  type SecretExpiry,
  SecretInfo,
  type SecretMetadataOptions,
  type SecretRotate,
} from './secret.js';
export {
  ActiveStatus,
  BlockedStatus,
  ErrorStatus,
  isSettableStatusName,
  MaintenanceStatus,
  StatusBase,
  statusPriority,
  UnknownStatus,
  WaitingStatus,
} from './status.js';
export { Storage, StorageMapping } from './storage.js';
export { Application, Unit } from './unit.js';
