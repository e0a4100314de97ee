export {
  type ExecMatcher,
  type FakeExecContext,
  type FakeExecHandler,
  FakePebbleServer,
  type FakePebbleServerOptions,
  type ServiceStartupBehaviour,
} from '@opsjs/pebble/fake';
export type { CharmSpecOptions, MetaInput } from './charm-spec.js';
export type { CharmType } from './charm-type.js';
export {
  type ConsistencyInput,
  type ConsistencyResult,
  checkConsistency,
  findInconsistencies,
} from './consistency-checker.js';
export type { ExecRecord } from './container-sim.js';
export {
  Context,
  type ContextOptions,
  type EmittedEvent,
  type JujuLogLine,
  Manager,
  type RunOutput,
} from './context.js';
export {
  ActionFailed,
  AlreadyEmittedError,
  ContextSetupError,
  DispatchError,
  HarnessError,
  InconsistentScenarioError,
  MetadataNotFoundError,
  NoObserverError,
  StateValidationError,
  TestingError,
  UncaughtCharmError,
} from './errors.js';
export {
  type ActionInvocation,
  type CustomEventArg,
  type CustomEventArgs,
  EventFactories,
  type EventKind,
  type RelationEventOptions,
  ScenarioEvent,
  type ScenarioEventInit,
} from './event.js';
export {
  type ActionOutput,
  type AddNetworkOptions,
  type ExecArgs,
  type ExecResult,
  Harness,
  type HarnessOptions,
} from './harness.js';
export { type BackendCall, MemoryBackend } from './memory-backend.js';
export { layerFromRockcraft } from './rockcraft.js';
export { type DispatchOutput, type RunDispatchOptions, runDispatch } from './run-dispatch.js';
export {
  CheckInfo,
  type CheckInfoInit,
  type CheckStatus,
  Container,
  type ContainerInit,
  Exec,
  type ExecInit,
  type Mount,
  Notice,
  type NoticeInit,
  type ServiceStatusName,
} from './state/container.js';
export {
  type CloudCredential,
  type CloudSpec,
  DeferredEvent,
  ModelInfo,
  Port,
  type PortProtocol,
  Resource,
  Storage,
  type StoredContent,
  StoredState,
} from './state/misc.js';
export { type Address, type BindAddress, Network, type NetworkInit } from './state/network.js';
export {
  type AnyRelation,
  type DataBag,
  DEFAULT_IP,
  DEFAULT_JUJU_DATABAG,
  nextRelationId,
  PeerRelation,
  type PeerRelationInit,
  Relation,
  type RelationBaseInit,
  type RelationInit,
  SubordinateRelation,
  type SubordinateRelationInit,
} from './state/relation.js';
export {
  generateSecretId,
  Secret,
  type SecretContent,
  type SecretInit,
  type SecretRotate,
} from './state/secret.js';
export { type ConfigValue, State, type StateInit } from './state/state.js';
