export { type BundleOptions, bundleCharm, type CharmBundle, defaultEntry } from './bundle.js';
export { type CliIo, runCli } from './cli.js';
export { type DispatchLoaderOptions, dispatchLoader } from './dispatch-loader.js';
export {
  charmLayout,
  compileCacheDir,
  type DispatchScriptOptions,
  dispatchScript,
  dispatchV8Flags,
} from './dispatch-script.js';
export {
  BundleError,
  CharmMetadataError,
  CliError,
  type CliErrorOptions,
  EntryNotFoundError,
  OutputError,
  ProjectNotFoundError,
  RuntimeNotFoundError,
  StaleTypesError,
  UsageError,
  ZipError,
} from './errors.js';
export { type InitOptions, type InitResult, initProject, type ProjectKind } from './init.js';
export { type ManifestOptions, renderManifest, reproducibleStartedAt } from './manifest.js';
export { charmcraftParts, type PackOptions, type PackResult, pack } from './pack.js';
export { type CharmProject, type CharmRunBase, loadCharmProject } from './project.js';
export {
  type CharmArch,
  CURRENT_RUNTIME,
  charmArchs,
  hostArch,
  type NodeRuntime,
  nodeArchOf,
  type ResolveRuntimeOptions,
  resolveNodeRuntime,
  runtimePackageName,
} from './runtime.js';
export {
  defaultTypesFile,
  generateTypes,
  type TypegenOptions,
  type TypegenResult,
  typegen,
} from './typegen.js';
export { cliVersion } from './version.js';
export { listZip, unpackCharm, type ZipDirectoryEntry } from './zip-reader.js';
export { writeZip, type ZipEntry, type ZipEntryInfo, type ZipWriteOptions } from './zip-writer.js';
