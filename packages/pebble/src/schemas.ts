import type { ZodOutput, ZodType } from './zod.js';
import { memo, z } from './zod.js';

/**
 * Zod schemas for every reply Pebble sends, with the camelCase types derived from them.
 * Unknown fields are ignored; wrong types and missing required fields are errors.
 *
 * Each schema is built on its first use (`memo`): loading the client builds none, and a call
 * builds only the schemas of its endpoint.
 */

/** A Go integer field. */
const goInt = () => z.number().check(z.int());

/** A list Pebble may send as `null` or leave out, read as `[]`. */
const stringList = () =>
  z.pipe(
    z.nullish(z.array(z.string())),
    z.transform((value) => value ?? []),
  );

/** A list Pebble may send as `null` or leave out, read as `[]`. */
function nullableList<S extends ZodType>(schema: S) {
  return z.pipe(
    z.nullish(z.array(schema)),
    z.transform((value) => value ?? []),
  );
}

/** Schema of a string `result` or `change` field: a change ID, the plan's YAML. @internal */
export const stringSchema = memo(() => z.string());

/** Schema of an integer `result`. @internal */
export const intSchema = memo(goInt);

/** The envelope around every JSON reply. @internal */
export const envelopeSchema = memo(() =>
  z.object({
    type: z.enum(['sync', 'async', 'error']),
    'status-code': goInt(),
    status: z.string(),
    change: z.optional(z.string()),
    result: z.optional(z.unknown()),
  }),
);

/** The envelope of an error reply, every field optional. @internal */
export const partialEnvelopeSchema = memo(() => z.partial(envelopeSchema()));

/** The `result` of an error envelope. @internal */
export const errorResultSchema = memo(() =>
  z.object({
    message: z.string(),
    kind: z.optional(z.string()),
    value: z.optional(z.unknown()),
  }),
);

/** Schema of `GET /v1/system-info`. */
export const systemInfoSchema = memo(() =>
  z.pipe(
    z.object({
      version: z.string(),
      'boot-id': z.optional(z.string()),
      'http-address': z.optional(z.string()),
      'https-address': z.optional(z.string()),
    }),
    z.transform((v) => ({
      version: v.version,
      bootId: v['boot-id'],
      httpAddress: v['http-address'],
      httpsAddress: v['https-address'],
    })),
  ),
);
/** What `getSystemInfo()` returns. */
export type SystemInfo = ZodOutput<ReturnType<typeof systemInfoSchema>>;

/** Schema of `GET /v1/health`. @internal */
export const healthSchema = memo(() => z.object({ healthy: z.boolean() }));

/** Schema of a task inside a change. */
export const taskSchema = memo(() =>
  z.pipe(
    z.object({
      id: z.string(),
      kind: z.string(),
      summary: z.string(),
      status: z.string(),
      log: stringList(),
      progress: z.pipe(
        z.optional(z.object({ label: z.string(), done: z.number(), total: z.number() })),
        z.transform((p) => p ?? { label: '', done: 0, total: 0 }),
      ),
      'spawn-time': z.string(),
      'ready-time': z.optional(z.string()),
      data: z.nullish(z.record(z.string(), z.unknown())),
    }),
    z.transform((t) => ({
      id: t.id,
      kind: t.kind,
      summary: t.summary,
      status: t.status as ChangeStatus,
      log: t.log,
      progress: t.progress,
      spawnTime: new Date(t['spawn-time']),
      readyTime: t['ready-time'] === undefined ? undefined : new Date(t['ready-time']),
      data: t.data ?? {},
    })),
  ),
);
/** A task of a change. */
export type Task = ZodOutput<ReturnType<typeof taskSchema>>;

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
export const changeSchema = memo(() =>
  z.pipe(
    z.object({
      id: z.string(),
      kind: z.string(),
      summary: z.string(),
      status: z.string(),
      tasks: z.pipe(
        z.nullish(z.array(taskSchema())),
        z.transform((v) => v ?? []),
      ),
      ready: z.boolean(),
      err: z.optional(z.string()),
      'spawn-time': z.string(),
      'ready-time': z.optional(z.string()),
      data: z.nullish(z.record(z.string(), z.unknown())),
    }),
    z.transform((c) => ({
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
    })),
  ),
);
/** A change: a unit of work in Pebble made of tasks. */
export type Change = ZodOutput<ReturnType<typeof changeSchema>>;

/** Schema of `GET /v1/changes`. @internal */
export const changesSchema = memo(() => nullableList(changeSchema()));

/** Service status (`current`); `backoff` is kept, unlike ops' enum. */
export type ServiceStatus = 'active' | 'backoff' | 'error' | 'inactive' | (string & {});

/** Schema of an entry of `GET /v1/services`. */
export const serviceInfoSchema = memo(() =>
  z.pipe(
    z.object({
      name: z.string(),
      startup: z.string(),
      current: z.string(),
      'current-since': z.optional(z.string()),
    }),
    z.transform((s) => ({
      name: s.name,
      startup: s.startup as 'enabled' | 'disabled' | (string & {}),
      current: s.current as ServiceStatus,
      currentSince: s['current-since'] === undefined ? undefined : new Date(s['current-since']),
    })),
  ),
);
/** Status of one service, as `getServices()` returns it; use {@link isRunning}. */
export type ServiceInfo = ZodOutput<ReturnType<typeof serviceInfoSchema>>;

/** Schema of `GET /v1/services`. @internal */
export const servicesSchema = memo(() => nullableList(serviceInfoSchema()));

/**
 * Tells whether a service is running (its status is `active`), as ops' `is_running()`.
 * @param service - an entry from `getServices()`.
 */
export function isRunning(service: ServiceInfo): boolean {
  return service.current === 'active';
}

/** Schema of an entry of `GET /v1/checks`. */
export const checkInfoSchema = memo(() =>
  z.pipe(
    z.object({
      name: z.string(),
      level: z.optional(z.string()),
      startup: z.optional(z.string()),
      status: z.string(),
      successes: z.optional(goInt()),
      failures: z.optional(goInt()),
      threshold: goInt(),
      'change-id': z.optional(z.string()),
      'prev-change-id': z.optional(z.string()),
    }),
    z.transform((c) => ({
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
    })),
  ),
);
/** Status of one health check. */
export type CheckInfo = ZodOutput<ReturnType<typeof checkInfoSchema>>;

/** Schema of `GET /v1/checks`. @internal */
export const checksSchema = memo(() => nullableList(checkInfoSchema()));

/** Schema of `POST /v1/checks` results. @internal */
export const checksChangedSchema = memo(() => z.object({ changed: stringList() }));

/** Schema of `POST /v1/checks/refresh` results. */
export const refreshCheckResultSchema = memo(() =>
  z.pipe(
    z.object({ info: checkInfoSchema(), error: z.optional(z.string()) }),
    z.transform((r) => ({ info: r.info, error: r.error === '' ? undefined : r.error })),
  ),
);
/** What `refreshCheck()` returns: the check after running once, and its failure text. */
export type RefreshCheckResult = ZodOutput<ReturnType<typeof refreshCheckResultSchema>>;

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
export const fileInfoSchema = memo(() =>
  z.pipe(
    z.object({
      path: z.string(),
      name: z.string(),
      type: z.string(),
      size: z.optional(goInt()),
      permissions: z.string().check(z.regex(/^[0-7]{3,4}$/u)),
      'last-modified': z.string(),
      'user-id': z.nullish(goInt()),
      user: z.nullish(z.string()),
      'group-id': z.nullish(goInt()),
      group: z.nullish(z.string()),
    }),
    z.transform((f) => ({
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
    })),
  ),
);
/** Information about a file or directory (`permissions` is a number, such as `0o644`). */
export type FileInfo = ZodOutput<ReturnType<typeof fileInfoSchema>>;

/** Schema of `GET /v1/files?action=list`. @internal */
export const fileInfosSchema = memo(() => nullableList(fileInfoSchema()));

/** Schema of a per-path result of a file operation. @internal */
export const fileResultSchema = memo(() =>
  z.object({
    path: z.string(),
    error: z.optional(z.object({ message: z.string(), kind: z.optional(z.string()) })),
  }),
);

/** Schema of the per-path results of a file operation. @internal */
export const fileResultsSchema = memo(() => z.array(fileResultSchema()));

/** Schema of a `POST /v1/files` reply's JSON part, after a multipart `GET /v1/files`. @internal */
export const fileResultsReplySchema = memo(() => z.object({ result: fileResultsSchema() }));

/** Notice types; other values Pebble may add are kept as strings. */
export type NoticeType = 'change-update' | 'custom' | 'warning' | (string & {});

/** Schema of a notice. */
export const noticeSchema = memo(() =>
  z.pipe(
    z.object({
      id: z.string(),
      'user-id': z.nullish(goInt()),
      type: z.string(),
      key: z.string(),
      'first-occurred': z.string(),
      'last-occurred': z.string(),
      'last-repeated': z.string(),
      occurrences: goInt(),
      'last-data': z.nullish(z.record(z.string(), z.string())),
      'repeat-after': z.optional(z.string()),
      'expire-after': z.optional(z.string()),
    }),
    z.transform((n) => ({
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
    })),
  ),
);
/** A notice (`repeatAfter`/`expireAfter` are Go duration strings). */
export type Notice = ZodOutput<ReturnType<typeof noticeSchema>>;

/** Schema of `GET /v1/notices`. @internal */
export const noticesSchema = memo(() => nullableList(noticeSchema()));

/** Schema of `POST /v1/notices`. @internal */
export const notifyResultSchema = memo(() => z.object({ id: z.string() }));

/** Access levels of identities. */
export type IdentityAccess = 'admin' | 'metrics' | 'read' | 'untrusted' | (string & {});

/** Schema of one identity as Pebble reports it. */
export const identitySchema = memo(() =>
  z.pipe(
    z.object({
      access: z.string(),
      local: z.optional(z.object({ 'user-id': goInt() })),
      basic: z.optional(z.object({ password: z.string() })),
      cert: z.optional(z.object({ pem: z.string() })),
    }),
    z.transform((i) => ({
      access: i.access as IdentityAccess,
      local: i.local === undefined ? undefined : { userId: i.local['user-id'] },
      basic: i.basic,
      cert: i.cert,
    })),
  ),
);
/** An identity: its access level and at least one of `local`, `basic`, `cert`. */
export type Identity = ZodOutput<ReturnType<typeof identitySchema>>;

/** Schema of `GET /v1/identities`. @internal */
export const identitiesSchema = memo(() =>
  z.pipe(
    z.nullish(z.record(z.string(), identitySchema())),
    z.transform((v) => v ?? {}),
  ),
);

/** Schema of a legacy warning (`GET /v1/warnings`, Pebble before v1.16). */
export const warningSchema = memo(() =>
  z.pipe(
    z.object({
      message: z.string(),
      'first-added': z.string(),
      'last-added': z.string(),
      'last-shown': z.nullish(z.string()),
      'expire-after': z.optional(z.string()),
      'repeat-after': z.optional(z.string()),
    }),
    z.transform((w) => ({
      message: w.message,
      firstAdded: new Date(w['first-added']),
      lastAdded: new Date(w['last-added']),
      lastShown: w['last-shown'] == null ? undefined : new Date(w['last-shown']),
      expireAfter: w['expire-after'],
      repeatAfter: w['repeat-after'],
    })),
  ),
);
/** A warning from a Pebble older than v1.16. */
export type Warning = ZodOutput<ReturnType<typeof warningSchema>>;

/** Schema of `GET /v1/warnings`. @internal */
export const warningsSchema = memo(() => nullableList(warningSchema()));

/** Schema of one line of `GET /v1/logs`. */
export const logEntrySchema = memo(() =>
  z.pipe(
    z.object({ time: z.string(), service: z.string(), message: z.string() }),
    z.transform((l) => ({ time: new Date(l.time), service: l.service, message: l.message })),
  ),
);
/** One log line of a service. */
export type LogEntry = ZodOutput<ReturnType<typeof logEntrySchema>>;

/** Schema of the `result` of `POST /v1/exec`. @internal */
export const execResultSchema = memo(() =>
  z.object({
    'task-id': z.string(),
    environment: z.optional(z.record(z.string(), z.string())),
    'working-dir': z.optional(z.string()),
  }),
);
