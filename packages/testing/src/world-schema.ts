import { z } from 'zod';
import { TestingError } from './errors.js';

const str = z.string();
const strMap = z.record(z.string(), z.string());
const status = z.object({ status: str, message: str });

/** Data of one relation as Juju holds it. @internal */
export const WorldRelationSchema = z.object({
  id: z.number(),
  endpoint: str,
  interface: str.optional(),
  kind: z.enum(['regular', 'peer', 'subordinate']),
  remoteApp: str,
  /** Remote units currently in scope (for peers: the other units of this app). */
  units: z.array(str),
  /** Bags by app or unit name (this unit, this app, remote app, remote units). */
  bags: z.record(z.string(), strMap),
  remoteModelUuid: str.optional(),
  limit: z.number().optional(),
});

/** One revision of a secret. @internal */
export const WorldSecretRevisionSchema = z.object({ revision: z.number(), content: strMap });

/** A secret as Juju holds it. @internal */
export const WorldSecretSchema = z.object({
  /** The full id as given (e.g. `secret:abc…`). */
  id: str,
  /** `app`, `unit`, or null for a secret this charm only observes. */
  owner: z.enum(['app', 'unit']).nullable(),
  revisions: z.array(WorldSecretRevisionSchema),
  trackedRevision: z.number(),
  label: str.optional(),
  description: str.optional(),
  /** RFC 3339 expiry. */
  expire: str.optional(),
  rotate: str.optional(),
  grants: z.record(z.string(), z.array(str)),
  /** Revisions removed by the charm with `secret-remove --revision`. */
  removedRevisions: z.array(z.number()),
  /** Who owns it, when not this charm (a remote app or unit, or the model for user secrets). */
  ownerName: str.optional(),
  /** Names (this app or unit) it is visible to when it must be granted first; absent: visible. */
  observers: z.array(str).optional(),
});

/** A storage instance. @internal */
export const WorldStorageSchema = z.object({
  name: str,
  index: z.number(),
  kind: z.enum(['filesystem', 'block']),
  location: str,
  attached: z.boolean(),
});

/** `network-get` data in Juju's JSON shape. @internal */
export const WorldNetworkSchema = z.object({
  'bind-addresses': z.array(
    z.object({
      'mac-address': str,
      'interface-name': str,
      addresses: z.array(z.object({ hostname: str, value: str, cidr: str })),
    }),
  ),
  'egress-subnets': z.array(str),
  'ingress-addresses': z.array(str),
});

/** A status with its message. @internal */
export const WorldStatusSchema = status;

/** The running action, if any. @internal */
export const WorldActionSchema = z.object({
  name: str,
  id: str,
  params: z.record(z.string(), z.unknown()),
  results: z.record(z.string(), z.unknown()),
  logs: z.array(str),
  failureMessage: str.optional(),
  failed: z.boolean(),
});

/**
 * Schema of the simulated unit as the fake hook-tool executables share it through
 * `world.json` (a file crossing process boundaries, so it is parsed, not cast).
 * @internal
 */
export const WorldDataSchema = z.object({
  unitName: str,
  modelName: str,
  modelUuid: str,
  modelType: z.enum(['kubernetes', 'lxd']),
  jujuVersion: str,
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  leader: z.boolean(),
  relations: z.array(WorldRelationSchema),
  unitStatus: status,
  appStatus: status,
  unitStatusHistory: z.array(status),
  appStatusHistory: z.array(status),
  workloadVersion: str,
  workloadVersionHistory: z.array(str),
  action: WorldActionSchema.optional(),
  secrets: z.array(WorldSecretSchema),
  storages: z.array(WorldStorageSchema),
  storageRequests: z.record(z.string(), z.number()),
  networks: z.record(z.string(), WorldNetworkSchema),
  ports: z.array(str),
  resources: strMap,
  stateStore: strMap,
  jujuLog: z.array(z.object({ level: str, message: str })),
  plannedUnits: z.number(),
  cloudSpec: z.record(z.string(), z.unknown()).optional(),
  bindings: z.array(str),
  rebootRequested: z.enum(['now', 'later']).optional(),
  calls: z.array(z.array(str)),
});

/** @internal */ export type WorldRelation = z.infer<typeof WorldRelationSchema>;
/** @internal */ export type WorldSecretRevision = z.infer<typeof WorldSecretRevisionSchema>;
/** @internal */ export type WorldSecret = z.infer<typeof WorldSecretSchema>;
/** @internal */ export type WorldStorage = z.infer<typeof WorldStorageSchema>;
/** @internal */ export type WorldNetwork = z.infer<typeof WorldNetworkSchema>;
/** @internal */ export type WorldStatus = z.infer<typeof WorldStatusSchema>;
/** @internal */ export type WorldAction = z.infer<typeof WorldActionSchema>;
/** The whole simulated Juju state of one unit. @internal */
export type WorldData = z.infer<typeof WorldDataSchema>;

/**
 * Parses `world.json` text.
 * @throws {TestingError} naming the file and the first problem
 * @internal
 */
export function parseWorld(text: string, file: string): WorldData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TestingError(`${file}: not JSON`, { cause: error });
  }
  const parsed = WorldDataSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TestingError(
      `${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
