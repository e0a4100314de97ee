import type { ZodOutput } from './zod.js';
import { z } from './zod.js';

/**
 * Zod schemas for every reply Pebble sends, with the camelCase types derived from them.
 * Unknown fields are ignored; wrong types and missing required fields are errors.
 */

const stringList = z
  .array(z.string())
  .nullish()
  .transform((value) => value ?? []);

/** The envelope around every JSON reply. @internal */
export const EnvelopeSchema = z.object({
  type: z.enum(['sync', 'async', 'error']),
  'status-code': z.number().int(),
  status: z.string(),
  change: z.string().optional(),
  result: z.unknown().optional(),
});

/** The `result` of an error envelope. @internal */
export const ErrorResultSchema = z.object({
  message: z.string(),
  kind: z.string().optional(),
  value: z.unknown().optional(),
});

/** Schema of `GET /v1/system-info`. */
export const SystemInfoSchema = z
  .object({
    version: z.string(),
    'boot-id': z.string().optional(),
    'http-address': z.string().optional(),
    'https-address': z.string().optional(),
  })
  .transform((v) => ({
    version: v.version,
    bootId: v['boot-id'],
    httpAddress: v['http-address'],
    httpsAddress: v['https-address'],
  }));
/** What `getSystemInfo()` returns. */
export type SystemInfo = ZodOutput<typeof SystemInfoSchema>;

/** Schema of `GET /v1/health`. @internal */
export const HealthSchema = z.object({ healthy: z.boolean() });

/** Schema of a task inside a change. */
export const TaskSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    summary: z.string(),
    status: z.string(),
    log: stringList,
    progress: z
      .object({ label: z.string(), done: z.number(), total: z.number() })
      .optional()
      .transform((p) => p ?? { label: '', done: 0, total: 0 }),
    'spawn-time': z.string(),
    'ready-time': z.string().optional(),
    data: z.record(z.string(), z.unknown()).nullish(),
  })
  .transform((t) => ({
    id: t.id,
    kind: t.kind,
    summary: t.summary,
    status: t.status as ChangeStatus,
    log: t.log,
    progress: t.progress,
    spawnTime: new Date(t['spawn-time']),
    readyTime: t['ready-time'] === undefined ? undefined : new Date(t['ready-time']),
    data: t.data ?? {},
  }));
/** A task of a change. */
export type Task = ZodOutput<typeof TaskSchema>;

/** Statuses of changes and tasks; other values Pebble may add are kept as strings. */
export type ChangeStatus =
  | 'Abort'
  | 'Do'
  | 'Doing'
  | 'Done'
  | 'Error'
  | 'Hold'
  | 'Undo'
  | 'Undoing'
  | 'Undone'
  | 'Wait'
  | (string & {});

/** Schema of a change. */
export const ChangeSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    summary: z.string(),
    status: z.string(),
    tasks: z
      .array(TaskSchema)
      .nullish()
      .transform((v) => v ?? []),
    ready: z.boolean(),
    err: z.string().optional(),
    'spawn-time': z.string(),
    'ready-time': z.string().optional(),
    data: z.record(z.string(), z.unknown()).nullish(),
  })
  .transform((c) => ({
    id: c.id,
    kind: c.kind,
    summary: c.summary,
    status: c.status as ChangeStatus,
    tasks: c.tasks,
    ready: c.ready,
    err: c.err === '' ? undefined : c.err,
    spawnTime: new Date(c['spawn-time']),
    readyTime: c['ready-time'] === undefined ? undefined : new Date(c['ready-time']),
    data: c.data ?? {},
  }));
/** A change: a unit of work in Pebble made of tasks. */
export type Change = ZodOutput<typeof ChangeSchema>;

/** Service status (`current`); `backoff` is kept, unlike ops' enum. */
export type ServiceStatus = 'active' | 'backoff' | 'error' | 'inactive' | (string & {});

/** Schema of an entry of `GET /v1/services`. */
export const ServiceInfoSchema = z
  .object({
    name: z.string(),
    startup: z.string(),
    current: z.string(),
    'current-since': z.string().optional(),
  })
  .transform((s) => ({
    name: s.name,
    startup: s.startup as 'enabled' | 'disabled' | (string & {}),
    current: s.current as ServiceStatus,
    currentSince: s['current-since'] === undefined ? undefined : new Date(s['current-since']),
  }));
/** Status of one service, as `getServices()` returns it; use {@link isRunning}. */
export type ServiceInfo = ZodOutput<typeof ServiceInfoSchema>;

/**
 * Tells whether a service is running (its status is `active`), as ops' `is_running()`.
 * @param service - an entry from `getServices()`.
 */
export function isRunning(service: ServiceInfo): boolean {
  return service.current === 'active';
}

/** Schema of an entry of `GET /v1/checks`. */
export const CheckInfoSchema = z
  .object({
    name: z.string(),
    level: z.string().optional(),
    startup: z.string().optional(),
    status: z.string(),
    successes: z.number().int().optional(),
    failures: z.number().int().optional(),
    threshold: z.number().int(),
    'change-id': z.string().optional(),
    'prev-change-id': z.string().optional(),
  })
  .transform((c) => ({
    name: c.name,
    level: c.level as 'alive' | 'ready' | (string & {}) | undefined,
    startup: (c.startup ?? 'enabled') as 'enabled' | 'disabled' | (string & {}),
    // As ops: a Pebble that reports startup but gives no change ID is not running the check.
    status: (c.startup !== undefined && c['change-id'] === undefined ? 'inactive' : c.status) as
      | 'up'
      | 'down'
      | 'inactive'
      | (string & {}),
    successes: c.successes ?? 0,
    failures: c.failures ?? 0,
    threshold: c.threshold,
    changeId: c['change-id'],
    prevChangeId: c['prev-change-id'],
  }));
/** Status of one health check. */
export type CheckInfo = ZodOutput<typeof CheckInfoSchema>;

/** Schema of `POST /v1/checks` results. @internal */
export const ChecksChangedSchema = z.object({ changed: stringList });

/** Schema of `POST /v1/checks/refresh` results. */
export const RefreshCheckResultSchema = z
  .object({ info: CheckInfoSchema, error: z.string().optional() })
  .transform((r) => ({ info: r.info, error: r.error === '' ? undefined : r.error }));
/** What `refreshCheck()` returns: the check after running once, and its failure text. */
export type RefreshCheckResult = ZodOutput<typeof RefreshCheckResultSchema>;

/** File types Pebble reports. */
export type FileType =
  | 'device'
  | 'directory'
  | 'file'
  | 'named-pipe'
  | 'socket'
  | 'symlink'
  | 'unknown'
  | (string & {});

/** Schema of an entry of `GET /v1/files?action=list`. */
export const FileInfoSchema = z
  .object({
    path: z.string(),
    name: z.string(),
    type: z.string(),
    size: z.number().int().optional(),
    permissions: z.string().regex(/^[0-7]{3,4}$/u),
    'last-modified': z.string(),
    'user-id': z.number().int().nullish(),
    user: z.string().nullish(),
    'group-id': z.number().int().nullish(),
    group: z.string().nullish(),
  })
  .transform((f) => ({
    path: f.path,
    name: f.name,
    type: f.type as FileType,
    size: f.size,
    permissions: Number.parseInt(f.permissions, 8),
    lastModified: new Date(f['last-modified']),
    userId: f['user-id'] ?? undefined,
    user: f.user ?? undefined,
    groupId: f['group-id'] ?? undefined,
    group: f.group ?? undefined,
  }));
/** Information about a file or directory (`permissions` is a number, such as `0o644`). */
export type FileInfo = ZodOutput<typeof FileInfoSchema>;

/** Schema of a per-path result of a file operation. @internal */
export const FileResultSchema = z.object({
  path: z.string(),
  error: z.object({ message: z.string(), kind: z.string().optional() }).optional(),
});

/** Notice types; other values Pebble may add are kept as strings. */
export type NoticeType = 'change-update' | 'custom' | 'warning' | (string & {});

/** Schema of a notice. */
export const NoticeSchema = z
  .object({
    id: z.string(),
    'user-id': z.number().int().nullish(),
    type: z.string(),
    key: z.string(),
    'first-occurred': z.string(),
    'last-occurred': z.string(),
    'last-repeated': z.string(),
    occurrences: z.number().int(),
    'last-data': z.record(z.string(), z.string()).nullish(),
    'repeat-after': z.string().optional(),
    'expire-after': z.string().optional(),
  })
  .transform((n) => ({
    id: n.id,
    userId: n['user-id'] ?? undefined,
    type: n.type as NoticeType,
    key: n.key,
    firstOccurred: new Date(n['first-occurred']),
    lastOccurred: new Date(n['last-occurred']),
    lastRepeated: new Date(n['last-repeated']),
    /** The raw `last-repeated` text, with nanoseconds, for use as an `after` filter. */
    lastRepeatedText: n['last-repeated'],
    occurrences: n.occurrences,
    lastData: n['last-data'] ?? {},
    repeatAfter: n['repeat-after'],
    expireAfter: n['expire-after'],
  }));
/** A notice (`repeatAfter`/`expireAfter` are Go duration strings). */
export type Notice = ZodOutput<typeof NoticeSchema>;

/** Schema of `POST /v1/notices`. @internal */
export const NotifyResultSchema = z.object({ id: z.string() });

/** Access levels of identities. */
export type IdentityAccess = 'admin' | 'metrics' | 'read' | 'untrusted' | (string & {});

/** Schema of one identity as Pebble reports it. */
export const IdentitySchema = z
  .object({
    access: z.string(),
    local: z.object({ 'user-id': z.number().int() }).optional(),
    basic: z.object({ password: z.string() }).optional(),
    cert: z.object({ pem: z.string() }).optional(),
  })
  .transform((i) => ({
    access: i.access as IdentityAccess,
    local: i.local === undefined ? undefined : { userId: i.local['user-id'] },
    basic: i.basic,
    cert: i.cert,
  }));
/** An identity: its access level and at least one of `local`, `basic`, `cert`. */
export type Identity = ZodOutput<typeof IdentitySchema>;

/** Schema of `GET /v1/identities`. @internal */
export const IdentitiesSchema = z
  .record(z.string(), IdentitySchema)
  .nullish()
  .transform((v) => v ?? {});

/** Schema of a legacy warning (`GET /v1/warnings`, Pebble before v1.16). */
export const WarningSchema = z
  .object({
    message: z.string(),
    'first-added': z.string(),
    'last-added': z.string(),
    'last-shown': z.string().nullish(),
    'expire-after': z.string().optional(),
    'repeat-after': z.string().optional(),
  })
  .transform((w) => ({
    message: w.message,
    firstAdded: new Date(w['first-added']),
    lastAdded: new Date(w['last-added']),
    lastShown: w['last-shown'] == null ? undefined : new Date(w['last-shown']),
    expireAfter: w['expire-after'],
    repeatAfter: w['repeat-after'],
  }));
/** A warning from a Pebble older than v1.16. */
export type Warning = ZodOutput<typeof WarningSchema>;

/** Schema of one line of `GET /v1/logs`. */
export const LogEntrySchema = z
  .object({ time: z.string(), service: z.string(), message: z.string() })
  .transform((l) => ({ time: new Date(l.time), service: l.service, message: l.message }));
/** One log line of a service. */
export type LogEntry = ZodOutput<typeof LogEntrySchema>;

/** Schema of the `result` of `POST /v1/exec`. @internal */
export const ExecResultSchema = z.object({
  'task-id': z.string(),
  environment: z.record(z.string(), z.string()).optional(),
  'working-dir': z.string().optional(),
});
