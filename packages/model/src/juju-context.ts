import * as path from 'node:path';
import { JujuContextError, JujuVersionError } from './errors.js';
import { JujuVersion } from './juju-version.js';

/** The fields of a {@link JujuContext}; all but the first six are optional. */
export interface JujuContextFields {
  /** `JUJU_DISPATCH_PATH`, e.g. `hooks/install` or `actions/backup`. */
  readonly dispatchPath: string;
  /** `JUJU_HOOK_NAME`; empty for actions and `juju-exec` dispatches. */
  readonly hookName: string;
  /** `JUJU_MODEL_NAME`. */
  readonly modelName: string;
  /** `JUJU_MODEL_UUID`. */
  readonly modelUuid: string;
  /** `JUJU_UNIT_NAME`, e.g. `myapp/0`. */
  readonly unitName: string;
  /** `JUJU_VERSION` (`0.0.0` when absent). */
  readonly version: JujuVersion;
  /** `JUJU_AVAILABILITY_ZONE`. */
  readonly availabilityZone?: string | undefined;
  /** `JUJU_CHARM_DIR` (absolute); the working directory when absent. */
  readonly charmDir?: string | undefined;
  /** Whether `JUJU_DEBUG` is present (even empty). */
  readonly debug?: boolean | undefined;
  /** `JUJU_DEBUG_AT`, split on commas with spaces trimmed. */
  readonly debugAt?: ReadonlySet<string> | undefined;
  /** `JUJU_MACHINE_ID`; absent on Kubernetes. */
  readonly machineId?: string | undefined;
  /** `JUJU_PRINCIPAL_UNIT` of a subordinate. */
  readonly principalUnit?: string | undefined;
  /** `JUJU_ACTION_NAME`. */
  readonly actionName?: string | undefined;
  /** `JUJU_ACTION_UUID`. */
  readonly actionUuid?: string | undefined;
  /** `JUJU_NOTICE_ID`. */
  readonly noticeId?: string | undefined;
  /** `JUJU_NOTICE_KEY`. */
  readonly noticeKey?: string | undefined;
  /** `JUJU_NOTICE_TYPE`. */
  readonly noticeType?: string | undefined;
  /** `JUJU_PEBBLE_CHECK_NAME`. */
  readonly pebbleCheckName?: string | undefined;
  /** `JUJU_DEPARTING_UNIT`. */
  readonly relationDepartingUnitName?: string | undefined;
  /** `JUJU_RELATION`: the endpoint name. */
  readonly relationName?: string | undefined;
  /** The integer after the last `:` of `JUJU_RELATION_ID`. */
  readonly relationId?: number | undefined;
  /** `JUJU_REMOTE_APP`. */
  readonly remoteAppName?: string | undefined;
  /** `JUJU_REMOTE_UNIT`. */
  readonly remoteUnitName?: string | undefined;
  /** `JUJU_SECRET_ID`. */
  readonly secretId?: string | undefined;
  /** `JUJU_SECRET_LABEL`. */
  readonly secretLabel?: string | undefined;
  /** `JUJU_SECRET_REVISION`. */
  readonly secretRevision?: number | undefined;
  /** The name before the first `/` of `JUJU_STORAGE_ID`. */
  readonly storageName?: string | undefined;
  /** The integer after the last `/` of `JUJU_STORAGE_ID`. */
  readonly storageIndex?: number | undefined;
  /** `JUJU_WORKLOAD_NAME`: the container of a Pebble event. */
  readonly workloadName?: string | undefined;
  /** `JUJU_CONTEXT_ID`: the hook context hook tools check. */
  readonly contextId?: string | undefined;
  /** `JUJU_AGENT_SOCKET_ADDRESS`: where hook tools reach the unit agent. */
  readonly agentSocketAddress?: string | undefined;
  /** `JUJU_AGENT_SOCKET_NETWORK` (`unix`, `tcp`). */
  readonly agentSocketNetwork?: string | undefined;
  /** `JUJU_API_ADDRESSES`, split on spaces. */
  readonly apiAddresses?: readonly string[] | undefined;
  /** `CLOUD_API_VERSION`. */
  readonly cloudApiVersion?: string | undefined;
  /** `JUJU_CHARM_HTTP_PROXY` (model proxy config). */
  readonly charmHttpProxy?: string | undefined;
  /** `JUJU_CHARM_HTTPS_PROXY`. */
  readonly charmHttpsProxy?: string | undefined;
  /** `JUJU_CHARM_FTP_PROXY`. */
  readonly charmFtpProxy?: string | undefined;
  /** `JUJU_CHARM_NO_PROXY`. */
  readonly charmNoProxy?: string | undefined;
  /** `JUJU_ACTION_TAG`, e.g. `action-12`. */
  readonly actionTag?: string | undefined;
  /** `JUJU_STORAGE_LOCATION` (ops calls `storage-get` instead). */
  readonly storageLocation?: string | undefined;
  /** `JUJU_STORAGE_KIND`: `filesystem` or `block`. */
  readonly storageKind?: string | undefined;
  /** `JUJU_TARGET_BASE` (`pre-series-upgrade`). */
  readonly targetBase?: string | undefined;
  /** `JUJU_TRACE_ID` (agent tracing). */
  readonly traceId?: string | undefined;
  /** `JUJU_SPAN_ID`. */
  readonly spanId?: string | undefined;
  /** `JUJU_TRACE_FLAGS`. */
  readonly traceFlags?: string | undefined;
}

/** Options of {@link JujuContext.fromEnv}. */
export interface JujuContextFromEnvOptions {
  /**
   * Check that the variables Juju always sets, and those the hook needs, are present, as
   * ops' `JujuContext.from_environ` does. Default `true`. With `false`, absent variables become
   * empty strings (as in ops' `main`), but malformed ones are still errors.
   */
  readonly strict?: boolean;
}

const REQUIRED = [
  'JUJU_DISPATCH_PATH',
  'JUJU_HOOK_NAME',
  'JUJU_MODEL_NAME',
  'JUJU_MODEL_UUID',
  'JUJU_UNIT_NAME',
  'JUJU_VERSION',
] as const;

/**
 * A copy of `env` when each value is a string or `undefined` (as in `process.env`), else
 * `undefined`. A loop, not a zod schema: every hook parses its context, and building and first
 * running a zod schema costs more than the rest of this parse.
 */
function stringMap(
  env: Readonly<Record<string, unknown>>,
): Record<string, string | undefined> | undefined {
  const copy: Record<string, string | undefined> = {};
  for (const key of Object.keys(env)) {
    const value = env[key];
    if (value !== undefined && typeof value !== 'string') return undefined;
    copy[key] = value;
  }
  return copy;
}

/**
 * The hook context Juju passes to a charm in `JUJU_*` environment variables, parsed once.
 *
 * Empty values count as absent (as in ops), except `JUJU_DEBUG`, which counts when present.
 *
 * @example
 * ```ts
 * const context = JujuContext.fromEnv(process.env);
 * context.unitName;         // 'myapp/0'
 * context.version.hasSecrets;
 * ```
 */
export class JujuContext implements JujuContextFields {
  /** `JUJU_DISPATCH_PATH`, e.g. `hooks/install` or `actions/backup`. */
  readonly dispatchPath: string;
  /** `JUJU_HOOK_NAME`; empty for actions and `juju-exec` dispatches. */
  readonly hookName: string;
  /** `JUJU_MODEL_NAME`. */
  readonly modelName: string;
  /** `JUJU_MODEL_UUID`. */
  readonly modelUuid: string;
  /** `JUJU_UNIT_NAME`, e.g. `myapp/0`. */
  readonly unitName: string;
  /** `JUJU_VERSION` (`0.0.0` when absent). */
  readonly version: JujuVersion;
  /** `JUJU_AVAILABILITY_ZONE`. */
  readonly availabilityZone: string | undefined;
  /** `JUJU_CHARM_DIR` (absolute); the working directory when absent. */
  readonly charmDir: string;
  /** Whether `JUJU_DEBUG` is present (even empty). */
  readonly debug: boolean;
  /** `JUJU_DEBUG_AT`, split on commas with spaces trimmed (empty when absent). */
  readonly debugAt: ReadonlySet<string>;
  /** `JUJU_MACHINE_ID`; absent on Kubernetes. */
  readonly machineId: string | undefined;
  /** `JUJU_PRINCIPAL_UNIT` of a subordinate. */
  readonly principalUnit: string | undefined;
  /** `JUJU_ACTION_NAME`. */
  readonly actionName: string | undefined;
  /** `JUJU_ACTION_UUID`. */
  readonly actionUuid: string | undefined;
  /** `JUJU_NOTICE_ID`. */
  readonly noticeId: string | undefined;
  /** `JUJU_NOTICE_KEY`. */
  readonly noticeKey: string | undefined;
  /** `JUJU_NOTICE_TYPE`. */
  readonly noticeType: string | undefined;
  /** `JUJU_PEBBLE_CHECK_NAME`. */
  readonly pebbleCheckName: string | undefined;
  /** `JUJU_DEPARTING_UNIT`. */
  readonly relationDepartingUnitName: string | undefined;
  /** `JUJU_RELATION`: the endpoint name. */
  readonly relationName: string | undefined;
  /** The integer after the last `:` of `JUJU_RELATION_ID`. */
  readonly relationId: number | undefined;
  /** `JUJU_REMOTE_APP`. */
  readonly remoteAppName: string | undefined;
  /** `JUJU_REMOTE_UNIT`. */
  readonly remoteUnitName: string | undefined;
  /** `JUJU_SECRET_ID`. */
  readonly secretId: string | undefined;
  /** `JUJU_SECRET_LABEL`. */
  readonly secretLabel: string | undefined;
  /** `JUJU_SECRET_REVISION`. */
  readonly secretRevision: number | undefined;
  /** The name before the first `/` of `JUJU_STORAGE_ID`. */
  readonly storageName: string | undefined;
  /** The integer after the last `/` of `JUJU_STORAGE_ID`. */
  readonly storageIndex: number | undefined;
  /** `JUJU_WORKLOAD_NAME`: the container of a Pebble event. */
  readonly workloadName: string | undefined;
  /** `JUJU_CONTEXT_ID`: the hook context hook tools check. */
  readonly contextId: string | undefined;
  /** `JUJU_AGENT_SOCKET_ADDRESS`: where hook tools reach the unit agent. */
  readonly agentSocketAddress: string | undefined;
  /** `JUJU_AGENT_SOCKET_NETWORK` (`unix`, `tcp`). */
  readonly agentSocketNetwork: string | undefined;
  /** `JUJU_API_ADDRESSES`, split on spaces. */
  readonly apiAddresses: readonly string[];
  /** `CLOUD_API_VERSION`. */
  readonly cloudApiVersion: string | undefined;
  /** `JUJU_CHARM_HTTP_PROXY` (model proxy config). */
  readonly charmHttpProxy: string | undefined;
  /** `JUJU_CHARM_HTTPS_PROXY`. */
  readonly charmHttpsProxy: string | undefined;
  /** `JUJU_CHARM_FTP_PROXY`. */
  readonly charmFtpProxy: string | undefined;
  /** `JUJU_CHARM_NO_PROXY`. */
  readonly charmNoProxy: string | undefined;
  /** `JUJU_ACTION_TAG`, e.g. `action-12`. */
  readonly actionTag: string | undefined;
  /** `JUJU_STORAGE_LOCATION` (ops calls `storage-get` instead). */
  readonly storageLocation: string | undefined;
  /** `JUJU_STORAGE_KIND`: `filesystem` or `block`. */
  readonly storageKind: string | undefined;
  /** `JUJU_TARGET_BASE` (`pre-series-upgrade`). */
  readonly targetBase: string | undefined;
  /** `JUJU_TRACE_ID` (agent tracing). */
  readonly traceId: string | undefined;
  /** `JUJU_SPAN_ID`. */
  readonly spanId: string | undefined;
  /** `JUJU_TRACE_FLAGS`. */
  readonly traceFlags: string | undefined;

  /** Build a context from explicit fields (tests, tools outside a hook). */
  constructor(fields: JujuContextFields) {
    this.dispatchPath = fields.dispatchPath;
    this.hookName = fields.hookName;
    this.modelName = fields.modelName;
    this.modelUuid = fields.modelUuid;
    this.unitName = fields.unitName;
    this.version = fields.version;
    this.availabilityZone = fields.availabilityZone;
    this.charmDir = path.resolve(fields.charmDir ?? process.cwd());
    this.debug = fields.debug ?? false;
    this.debugAt = fields.debugAt ?? new Set();
    this.machineId = fields.machineId;
    this.principalUnit = fields.principalUnit;
    this.actionName = fields.actionName;
    this.actionUuid = fields.actionUuid;
    this.noticeId = fields.noticeId;
    this.noticeKey = fields.noticeKey;
    this.noticeType = fields.noticeType;
    this.pebbleCheckName = fields.pebbleCheckName;
    this.relationDepartingUnitName = fields.relationDepartingUnitName;
    this.relationName = fields.relationName;
    this.relationId = fields.relationId;
    this.remoteAppName = fields.remoteAppName;
    this.remoteUnitName = fields.remoteUnitName;
    this.secretId = fields.secretId;
    this.secretLabel = fields.secretLabel;
    this.secretRevision = fields.secretRevision;
    this.storageName = fields.storageName;
    this.storageIndex = fields.storageIndex;
    this.workloadName = fields.workloadName;
    this.contextId = fields.contextId;
    this.agentSocketAddress = fields.agentSocketAddress;
    this.agentSocketNetwork = fields.agentSocketNetwork;
    this.apiAddresses = fields.apiAddresses ?? [];
    this.cloudApiVersion = fields.cloudApiVersion;
    this.charmHttpProxy = fields.charmHttpProxy;
    this.charmHttpsProxy = fields.charmHttpsProxy;
    this.charmFtpProxy = fields.charmFtpProxy;
    this.charmNoProxy = fields.charmNoProxy;
    this.actionTag = fields.actionTag;
    this.storageLocation = fields.storageLocation;
    this.storageKind = fields.storageKind;
    this.targetBase = fields.targetBase;
    this.traceId = fields.traceId;
    this.spanId = fields.spanId;
    this.traceFlags = fields.traceFlags;
  }

  /** The application name: the unit name before `/`. */
  get appName(): string {
    return this.unitName.split('/')[0] ?? this.unitName;
  }

  /** Whether this dispatch runs an action (`actions/<name>`). */
  get isAction(): boolean {
    return this.dispatchPath.startsWith('actions/');
  }

  /**
   * Parse the `JUJU_*` variables of an environment.
   *
   * @param env - The environment; `process.env` by default.
   * @throws {JujuContextError} If a required variable is missing (strict mode) or a variable
   *   is malformed (a relation id, storage id or secret revision without an integer, an invalid
   *   `JUJU_VERSION`).
   */
  static fromEnv(
    env: Readonly<Record<string, string | undefined>> = process.env,
    options: JujuContextFromEnvOptions = {},
  ): JujuContext {
    const e = stringMap(env);
    if (e === undefined) {
      throw new JujuContextError('env', 'environment: expected a map of strings');
    }
    if (options.strict ?? true) checkPresence(e);
    const get = (name: string): string | undefined => {
      const value = e[name];
      return value === undefined || value === '' ? undefined : value;
    };
    const int = (name: string, text: string | undefined): number | undefined => {
      if (text === undefined) return undefined;
      if (!/^\d+$/.test(text)) {
        throw new JujuContextError(name, `${name}: expected an integer, got "${text}"`);
      }
      return Number(text);
    };
    const relationIdText = get('JUJU_RELATION_ID');
    const storageId = get('JUJU_STORAGE_ID');
    const versionText = e.JUJU_VERSION;
    let version: JujuVersion;
    try {
      version = new JujuVersion(versionText ?? '0.0.0');
    } catch (err) {
      if (!(err instanceof JujuVersionError)) throw err;
      throw new JujuContextError('JUJU_VERSION', `JUJU_VERSION: ${err.message}`);
    }
    const debugAt = get('JUJU_DEBUG_AT');
    return new JujuContext({
      dispatchPath: e.JUJU_DISPATCH_PATH ?? '',
      hookName: e.JUJU_HOOK_NAME ?? '',
      modelName: e.JUJU_MODEL_NAME ?? '',
      modelUuid: e.JUJU_MODEL_UUID ?? '',
      unitName: e.JUJU_UNIT_NAME ?? '',
      version,
      availabilityZone: get('JUJU_AVAILABILITY_ZONE'),
      charmDir: get('JUJU_CHARM_DIR'),
      debug: e.JUJU_DEBUG !== undefined,
      debugAt: new Set(debugAt === undefined ? [] : debugAt.split(',').map((s) => s.trim())),
      machineId: get('JUJU_MACHINE_ID'),
      principalUnit: get('JUJU_PRINCIPAL_UNIT'),
      actionName: get('JUJU_ACTION_NAME'),
      actionUuid: get('JUJU_ACTION_UUID'),
      noticeId: get('JUJU_NOTICE_ID'),
      noticeKey: get('JUJU_NOTICE_KEY'),
      noticeType: get('JUJU_NOTICE_TYPE'),
      pebbleCheckName: get('JUJU_PEBBLE_CHECK_NAME'),
      relationDepartingUnitName: get('JUJU_DEPARTING_UNIT'),
      relationName: get('JUJU_RELATION'),
      relationId: int('JUJU_RELATION_ID', relationIdText?.split(':').at(-1)),
      remoteAppName: get('JUJU_REMOTE_APP'),
      remoteUnitName: get('JUJU_REMOTE_UNIT'),
      secretId: get('JUJU_SECRET_ID'),
      secretLabel: get('JUJU_SECRET_LABEL'),
      secretRevision: int('JUJU_SECRET_REVISION', get('JUJU_SECRET_REVISION')),
      storageName: storageId?.split('/')[0],
      storageIndex: int('JUJU_STORAGE_ID', storageId?.split('/').at(-1)),
      workloadName: get('JUJU_WORKLOAD_NAME'),
      contextId: get('JUJU_CONTEXT_ID'),
      agentSocketAddress: get('JUJU_AGENT_SOCKET_ADDRESS'),
      agentSocketNetwork: get('JUJU_AGENT_SOCKET_NETWORK'),
      apiAddresses: (get('JUJU_API_ADDRESSES') ?? '').split(' ').filter((a) => a !== ''),
      cloudApiVersion: get('CLOUD_API_VERSION'),
      charmHttpProxy: get('JUJU_CHARM_HTTP_PROXY'),
      charmHttpsProxy: get('JUJU_CHARM_HTTPS_PROXY'),
      charmFtpProxy: get('JUJU_CHARM_FTP_PROXY'),
      charmNoProxy: get('JUJU_CHARM_NO_PROXY'),
      actionTag: get('JUJU_ACTION_TAG'),
      storageLocation: get('JUJU_STORAGE_LOCATION'),
      storageKind: get('JUJU_STORAGE_KIND'),
      targetBase: get('JUJU_TARGET_BASE'),
      traceId: get('JUJU_TRACE_ID'),
      spanId: get('JUJU_SPAN_ID'),
      traceFlags: get('JUJU_TRACE_FLAGS'),
    });
  }
}

function checkPresence(env: Record<string, string | undefined>): void {
  const need = (name: string): void => {
    if (env[name] === undefined) {
      throw new JujuContextError(name, `Missing required environment variable: ${name}`);
    }
  };
  for (const name of REQUIRED) need(name);
  const hook = env.JUJU_HOOK_NAME ?? '';
  if (['secret-changed', 'secret-rotate', 'secret-remove', 'secret-expired'].includes(hook)) {
    need('JUJU_SECRET_ID');
    if (hook === 'secret-remove' || hook === 'secret-expired') need('JUJU_SECRET_REVISION');
  }
  if (hook === '' && (env.JUJU_DISPATCH_PATH ?? '').startsWith('actions/')) {
    need('JUJU_ACTION_NAME');
    need('JUJU_ACTION_UUID');
  }
  if (hook.endsWith('-pebble-custom-notice')) {
    for (const n of ['JUJU_WORKLOAD_NAME', 'JUJU_NOTICE_ID', 'JUJU_NOTICE_KEY', 'JUJU_NOTICE_TYPE'])
      need(n);
  }
  if (hook.endsWith('-pebble-check-failed') || hook.endsWith('-pebble-check-recovered')) {
    need('JUJU_WORKLOAD_NAME');
    need('JUJU_PEBBLE_CHECK_NAME');
  }
  if (hook.endsWith('-pebble-ready')) need('JUJU_WORKLOAD_NAME');
  if (hook.endsWith('-storage-attached') || hook.endsWith('-storage-detaching')) {
    need('JUJU_STORAGE_ID');
  }
  if (/-relation-(created|joined|changed|departed|broken)$/.test(hook)) {
    need('JUJU_RELATION');
    need('JUJU_RELATION_ID');
    need('JUJU_REMOTE_APP');
    if (/-relation-(joined|changed|departed)$/.test(hook)) need('JUJU_REMOTE_UNIT');
    if (hook.endsWith('-relation-departed')) need('JUJU_DEPARTING_UNIT');
  }
}
