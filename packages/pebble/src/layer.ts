import { PebbleError } from './errors.js';
import yaml from './yaml.cjs';
import type { ZodInput } from './zod.js';
import { memo, safeParse, z } from './zod.js';

/**
 * Typed Pebble layers and plans: services, checks and log targets, with YAML round-trips
 * that keep every field Pebble v1.32 knows. Durations stay Go duration strings (`"5s"`).
 */

/** A layer or plan document was not valid. */
export class LayerError extends PebbleError {
  static override readonly code: string = 'OPSJS_PEBBLE_LAYER';
  override readonly name: string = 'LayerError';
  override readonly code: string = 'OPSJS_PEBBLE_LAYER';
}

const str = () => z.optional(z.string());
const strList = () => z.nullish(z.array(z.string()));
const strMap = () => z.nullish(z.record(z.string(), z.string()));
const num = () => z.optional(z.number().check(z.int()));
const override = () => z.optional(z.enum(['merge', 'replace']));

/** Wire (kebab-case) schema of a service entry. @internal */
export const serviceDictSchema = memo(() =>
  z.object({
    summary: str(),
    description: str(),
    startup: str(),
    override: override(),
    command: str(),
    after: strList(),
    before: strList(),
    requires: strList(),
    workload: str(),
    environment: strMap(),
    'user-id': num(),
    user: str(),
    'group-id': num(),
    group: str(),
    'working-dir': str(),
    'on-success': str(),
    'on-failure': str(),
    'on-check-failure': strMap(),
    'backoff-delay': str(),
    'backoff-factor': z.optional(z.number()),
    'backoff-limit': str(),
    'kill-delay': str(),
  }),
);

const checkExecSchema = () =>
  z.object({
    command: str(),
    'service-context': str(),
    environment: strMap(),
    'user-id': num(),
    user: str(),
    'group-id': num(),
    group: str(),
    'working-dir': str(),
  });

/** Wire (kebab-case) schema of a check entry. @internal */
export const checkDictSchema = memo(() =>
  z.object({
    override: override(),
    level: str(),
    startup: str(),
    period: str(),
    timeout: str(),
    threshold: num(),
    http: z.optional(z.object({ url: str(), headers: strMap() })),
    tcp: z.optional(z.object({ port: num(), host: str() })),
    exec: z.optional(checkExecSchema()),
  }),
);

/** Wire (kebab-case) schema of a log target entry. @internal */
export const logTargetDictSchema = memo(() =>
  z.object({
    type: str(),
    location: str(),
    services: strList(),
    override: override(),
    labels: strMap(),
  }),
);

/** Wire schema of a whole layer or plan document. @internal */
export const layerDictSchema = memo(() =>
  z.catchall(
    z.object({
      summary: str(),
      description: str(),
      services: z.nullish(z.record(z.string(), serviceDictSchema())),
      checks: z.nullish(z.record(z.string(), checkDictSchema())),
      'log-targets': z.nullish(z.record(z.string(), logTargetDictSchema())),
    }),
    z.unknown(),
  ),
);

/** A layer document as Pebble spells it (kebab-case keys). */
export type LayerDict = ZodInput<ReturnType<typeof layerDictSchema>>;

type Override = 'merge' | 'replace';

/** A service in a layer or plan. Field names are the camelCase of Pebble's. */
export interface Service {
  /** `merge` or `replace`; required in a layer. */
  override?: Override;
  command?: string;
  summary?: string;
  description?: string;
  /** `enabled` or `disabled` (the default). */
  startup?: 'enabled' | 'disabled' | (string & {});
  after?: string[];
  before?: string[];
  requires?: string[];
  /** Name of an entry in the plan's `workloads` section. */
  workload?: string;
  environment?: Record<string, string>;
  userId?: number;
  user?: string;
  groupId?: number;
  group?: string;
  workingDir?: string;
  onSuccess?: 'restart' | 'shutdown' | 'failure-shutdown' | 'ignore' | (string & {});
  onFailure?: 'restart' | 'shutdown' | 'success-shutdown' | 'ignore' | (string & {});
  onCheckFailure?: Record<string, string>;
  /** Go duration, such as `"500ms"`. */
  backoffDelay?: string;
  backoffFactor?: number;
  /** Go duration, such as `"30s"`. */
  backoffLimit?: string;
  /** Go duration, such as `"5s"`. */
  killDelay?: string;
}

/** An HTTP check: success is a 2xx reply to a GET of `url`. */
export interface HttpCheck {
  /** Required in the combined plan; a merging layer may leave it out. */
  url?: string;
  headers?: Record<string, string>;
}

/** A TCP check: success is a connection to `host:port`. */
export interface TcpCheck {
  /** Required in the combined plan; a merging layer may leave it out. */
  port?: number;
  host?: string;
}

/** An exec check: success is the command exiting 0. */
export interface ExecCheck {
  /** Required in the combined plan; a merging layer may leave it out. */
  command?: string;
  serviceContext?: string;
  environment?: Record<string, string>;
  userId?: number;
  user?: string;
  groupId?: number;
  group?: string;
  workingDir?: string;
}

/** A health check in a layer or plan. */
export interface Check {
  override?: Override;
  level?: 'alive' | 'ready' | (string & {});
  startup?: 'enabled' | 'disabled' | (string & {});
  /** Go duration, default `"10s"`. */
  period?: string;
  /** Go duration, default `"3s"`. */
  timeout?: string;
  threshold?: number;
  http?: HttpCheck;
  tcp?: TcpCheck;
  exec?: ExecCheck;
}

/** A log forwarding target in a layer or plan. */
export interface LogTarget {
  override?: Override;
  type?: 'loki' | 'opentelemetry' | 'syslog' | (string & {});
  location?: string;
  services?: string[];
  labels?: Record<string, string>;
}

/** A Pebble layer: a partial configuration that is merged into the plan. */
export interface Layer {
  summary?: string;
  description?: string;
  services?: Record<string, Service>;
  checks?: Record<string, Check>;
  logTargets?: Record<string, LogTarget>;
  /** Other top-level sections (such as `workloads`), kept as parsed. */
  sections?: Record<string, unknown>;
}

/** The combined plan Pebble runs: the same shape as a layer. */
export type Plan = Layer;

type Pair = readonly [camel: string, kebab: string];
const SERVICE_KEYS: readonly Pair[] = [
  ['summary', 'summary'],
  ['description', 'description'],
  ['startup', 'startup'],
  ['override', 'override'],
  ['command', 'command'],
  ['after', 'after'],
  ['before', 'before'],
  ['requires', 'requires'],
  ['workload', 'workload'],
  ['environment', 'environment'],
  ['userId', 'user-id'],
  ['user', 'user'],
  ['groupId', 'group-id'],
  ['group', 'group'],
  ['workingDir', 'working-dir'],
  ['onSuccess', 'on-success'],
  ['onFailure', 'on-failure'],
  ['onCheckFailure', 'on-check-failure'],
  ['backoffDelay', 'backoff-delay'],
  ['backoffFactor', 'backoff-factor'],
  ['backoffLimit', 'backoff-limit'],
  ['killDelay', 'kill-delay'],
];
const CHECK_KEYS: readonly Pair[] = [
  ['override', 'override'],
  ['level', 'level'],
  ['startup', 'startup'],
  ['period', 'period'],
  ['timeout', 'timeout'],
  ['threshold', 'threshold'],
  ['http', 'http'],
  ['tcp', 'tcp'],
  ['exec', 'exec'],
];
const EXEC_CHECK_KEYS: readonly Pair[] = [
  ['command', 'command'],
  ['serviceContext', 'service-context'],
  ['environment', 'environment'],
  ['userId', 'user-id'],
  ['user', 'user'],
  ['groupId', 'group-id'],
  ['group', 'group'],
  ['workingDir', 'working-dir'],
];
const LOG_TARGET_KEYS: readonly Pair[] = [
  ['type', 'type'],
  ['location', 'location'],
  ['services', 'services'],
  ['override', 'override'],
  ['labels', 'labels'],
];

function rename(
  source: Record<string, unknown>,
  pairs: readonly Pair[],
  toCamel: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [camel, kebab] of pairs) {
    const from = toCamel ? kebab : camel;
    const to = toCamel ? camel : kebab;
    const value = source[from];
    if (value === undefined || value === null) continue;
    out[to] = value;
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapValues<T>(
  value: Record<string, unknown> | null | undefined,
  fn: (entry: Record<string, unknown>) => T,
): Record<string, T> | undefined {
  if (value === null || value === undefined) return undefined;
  const out: Record<string, T> = {};
  for (const [name, entry] of Object.entries(value)) {
    out[name] = fn(isRecord(entry) ? entry : {});
  }
  return out;
}

function checkToCamel(entry: Record<string, unknown>): Check {
  const out = rename(entry, CHECK_KEYS, true);
  if (isRecord(entry.exec)) out.exec = rename(entry.exec, EXEC_CHECK_KEYS, true);
  return out as Check;
}

function checkToKebab(entry: Check): Record<string, unknown> {
  const out = rename({ ...entry }, CHECK_KEYS, false);
  if (entry.exec !== undefined) out.exec = rename({ ...entry.exec }, EXEC_CHECK_KEYS, false);
  return out;
}

/**
 * Parses a layer from YAML text or a kebab-case dictionary, validating every field's type.
 * @throws {LayerError} when the YAML does not parse or a field has the wrong type.
 */
export function parseLayer(source: string | LayerDict, what = 'layer'): Layer {
  let raw: unknown = source;
  if (typeof source === 'string') {
    try {
      raw = yaml.parseYaml(source) ?? {};
    } catch (cause) {
      throw new LayerError(`${what}: cannot parse YAML: ${(cause as Error).message}`, { cause });
    }
  }
  const parsed = safeParse(layerDictSchema(), raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    throw new LayerError(`${what}: ${where}: ${issue?.message ?? 'invalid'}`, {
      cause: parsed.error,
    });
  }
  const dict = parsed.data;
  const layer: Layer = {};
  if (dict.summary !== undefined) layer.summary = dict.summary;
  if (dict.description !== undefined) layer.description = dict.description;
  // The schema above has checked every value's type, so the renamed records have the
  // shapes declared by Service, Check and LogTarget.
  const services = mapValues(dict.services, (e) => rename(e, SERVICE_KEYS, true) as Service);
  if (services !== undefined) layer.services = services;
  const checks = mapValues(dict.checks, checkToCamel);
  if (checks !== undefined) layer.checks = checks;
  const targets = mapValues(
    dict['log-targets'],
    (e) => rename(e, LOG_TARGET_KEYS, true) as LogTarget,
  );
  if (targets !== undefined) layer.logTargets = targets;
  const sections: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dict)) {
    if (['summary', 'description', 'services', 'checks', 'log-targets'].includes(key)) continue;
    sections[key] = value;
  }
  if (Object.keys(sections).length > 0) layer.sections = sections;
  return layer;
}

/** Converts a layer to Pebble's kebab-case dictionary, dropping unset fields. */
export function layerToDict(layer: Layer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (layer.summary) out.summary = layer.summary;
  if (layer.description) out.description = layer.description;
  if (layer.services !== undefined && Object.keys(layer.services).length > 0) {
    out.services = Object.fromEntries(
      Object.entries(layer.services).map(([n, s]) => [n, rename({ ...s }, SERVICE_KEYS, false)]),
    );
  }
  if (layer.checks !== undefined && Object.keys(layer.checks).length > 0) {
    out.checks = Object.fromEntries(
      Object.entries(layer.checks).map(([n, c]) => [n, checkToKebab(c)]),
    );
  }
  if (layer.logTargets !== undefined && Object.keys(layer.logTargets).length > 0) {
    out['log-targets'] = Object.fromEntries(
      Object.entries(layer.logTargets).map(([n, t]) => [
        n,
        rename({ ...t }, LOG_TARGET_KEYS, false),
      ]),
    );
  }
  for (const [key, value] of Object.entries(layer.sections ?? {})) out[key] = value;
  return out;
}

/** Serialises a layer to YAML text, as sent to Pebble. */
export function layerToYaml(layer: Layer): string {
  const dict = layerToDict(layer);
  return Object.keys(dict).length === 0 ? '{}\n' : yaml.stringifyYaml(dict);
}
