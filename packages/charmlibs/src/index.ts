export {
  BagCodec,
  type BagData,
  type BagIssue,
  type BagParseOptions,
  type BagParseResult,
  type BagSchema,
  type BagShape,
  type BagValue,
  DEFAULT_MAX_VALUE_BYTES,
  type EmptyShape,
  type JsonSchema,
} from './bag-codec.js';
export {
  type EndpointCodecs,
  type EndpointEvents,
  type EndpointOptions,
  InterfaceEndpoint,
  JUJU_UNIT_BAG_KEYS,
  type RemoteData,
  type RemoteState,
} from './endpoint.js';
export {
  InterfaceRelationEvent,
  RemoteDataEvent,
  RemoteGoneEvent,
  RemoteInvalidEvent,
} from './endpoint-events.js';
export {
  BagEncodeError,
  CharmLibError,
  EndpointError,
  InterfaceDefinitionError,
  NotLeaderError,
  ToolError,
} from './errors.js';
export {
  type AppShape,
  defineInterface,
  type EndpointClass,
  type InterfaceDefinition,
  InterfaceProvider,
  InterfaceRequirer,
  type InterfaceSpec,
  type LazyInterfaceSpec,
  type RemoteDataOf,
  type SideCodecs,
  type SideSpec,
  type UnitShape,
} from './interface-definition.js';
export { type JsonField, jsonField, jsonFieldSchema } from './json-field.js';
export { pythonJsonDumps } from './python-json.js';
export { type ScaffoldOptions, scaffoldInterface } from './scaffold.js';
export {
  checkSchemas,
  diffSchemas,
  type ReleasedSchemas,
  type SchemaBreak,
  type SchemaCheckResult,
} from './schema-diff.js';
export {
  type CommandRunner,
  checkPackage,
  currentSchemas,
  hasPendingMajor,
  listInterfaces,
  publish,
  readPackageJson,
  readReleased,
  runTool,
  snapshotReleased,
  type ToolOptions,
} from './tool.js';
