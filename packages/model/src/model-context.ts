import type { ModelBackend } from './backend/model-backend.js';
import type { CharmMeta } from './charm-meta.js';
import type { JujuVersion } from './juju-version.js';
import type { PebbleLoader } from './pebble-loader.js';
import type { Application, Unit } from './unit.js';

/** @internal State shared by every object of one {@link Model}. */
export interface ModelContext {
  readonly backend: ModelBackend;
  readonly meta: CharmMeta;
  readonly unitName: string;
  readonly appName: string;
  readonly modelName: string;
  readonly modelUuid: string;
  readonly jujuVersion: JujuVersion;
  /** The relation id of the current relation hook, with its remote app. */
  readonly eventRelationId: number | undefined;
  readonly eventRemoteApp: string | undefined;
  hookRunning(): string;
  getUnit(name: string): Unit;
  getApp(name: string): Application;
  socketPath(container: string): string;
  readonly loadPebble: PebbleLoader;
  /** Called with secret values as they become known (for log redaction). */
  readonly onSecretContent: (values: readonly string[]) => void;
}
