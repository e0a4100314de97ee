import type { output } from 'zod/v4/core';
import type {
  cloudSpecSchema,
  goalStateSchema,
  networkSchema,
  secretRotateSchema,
  statusNameSchema,
  storageDetailsSchema,
} from './schemas.js';

/** A config value as Juju prints it: `int`/`float` → number, `boolean`, `string`/`secret`. */
export type ConfigValue = boolean | number | string;

/** Any workload status name. */
export type StatusName = output<ReturnType<typeof statusNameSchema>>;

/** The statuses a charm may set. */
export type SettableStatusName = 'active' | 'blocked' | 'maintenance' | 'waiting';

/** A status and its message, as read with `status-get`. */
export interface StatusValue {
  /** The status name. */
  readonly status: StatusName;
  /** The message ('' when none). */
  readonly message: string;
}

/** `network-get` output with camelCase keys (legacy `address` read as `value`). */
export type NetworkData = output<ReturnType<typeof networkSchema>>;

/** `storage-get` output: `kind` (`filesystem` or `block`) and `location`. */
export type StorageDetails = output<ReturnType<typeof storageDetailsSchema>>;

/** A secret rotation policy. */
export type SecretRotate = output<ReturnType<typeof secretRotateSchema>>;

/** `goal-state` output. */
export type GoalState = output<ReturnType<typeof goalStateSchema>>;

/** `credential-get` output with camelCase keys. */
export type CloudSpecData = output<ReturnType<typeof cloudSpecSchema>>;

/** Secret metadata as `secret-info-get` prints it. */
export interface SecretInfoData {
  /** The bare secret id (as the output's key). */
  readonly id: string;
  /** The owner's label ('' when none). */
  readonly label: string;
  /** The latest revision. */
  readonly revision: number;
  /** `application` or `unit`, when Juju says. */
  readonly owner?: string | undefined;
  /** The description, when set. */
  readonly description?: string | undefined;
  /** The rotation policy, when set. */
  readonly rotation?: SecretRotate | undefined;
  /** When the current revision expires, when set. */
  readonly expiry?: Date | undefined;
  /** When the secret is next due to rotate, when set. */
  readonly rotates?: Date | undefined;
}

/** Metadata arguments shared by `secret-add` and `secret-set`. */
export interface SecretMetadataArgs {
  /** `--label`. */
  readonly label?: string | undefined;
  /** `--description`. */
  readonly description?: string | undefined;
  /** `--expire`, an absolute time. */
  readonly expire?: Date | undefined;
  /** `--rotate`. */
  readonly rotate?: SecretRotate | undefined;
}

/** Arguments of `secret-add`. */
export interface SecretAddArgs extends SecretMetadataArgs {
  /** `--owner`: the application (leader-managed) or this unit. */
  readonly owner: 'application' | 'unit';
}

/** Arguments of `secret-set`. */
export interface SecretSetArgs extends SecretMetadataArgs {
  /** New content; absent for a metadata-only update. */
  readonly content?: Readonly<Record<string, string>> | undefined;
}

/** How to address a secret in `secret-get`. */
export interface SecretGetArgs {
  /** The secret URI. */
  readonly id?: string | undefined;
  /** The label (with `id`: set this label). */
  readonly label?: string | undefined;
  /** `--refresh`: read the latest revision and track it. */
  readonly refresh?: boolean | undefined;
  /** `--peek`: read the latest revision without tracking it. */
  readonly peek?: boolean | undefined;
}

/** One entry of `opened-ports`. */
export interface OpenedPortData {
  /** `tcp`, `udp`, `icmp` or whatever Juju printed. */
  readonly protocol: string;
  /** The port (`null` for icmp). */
  readonly port: number | null;
  /** The end of a port range, if it is one. */
  readonly toPort: number | null;
}
