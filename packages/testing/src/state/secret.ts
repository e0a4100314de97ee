import { randomBytes } from 'node:crypto';
import { StateValidationError } from '../errors.js';
import { copyBag } from './freeze.js';

/** Secret content: key → value, both strings. */
export type SecretContent = Readonly<Record<string, string>>;

/** Secret rotation policy. */
export type SecretRotate =
  | 'never'
  | 'hourly'
  | 'daily'
  | 'weekly'
  | 'monthly'
  | 'quarterly'
  | 'yearly';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Generates a Juju-shaped secret id: `secret:` + 20 characters of `[0-9a-z]`. */
export function generateSecretId(): string {
  const bytes = randomBytes(20);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return `secret:${id}`;
}

/** A Juju secret as the charm sees it (Scenario's `Secret`). */
export interface SecretInit {
  /** Content of the revision the charm tracks (what `getContent()` returns). */
  trackedContent: SecretContent;
  /** Content of the latest revision (what `peekContent()` returns); default the tracked one. */
  latestContent?: SecretContent;
  /** Secret id (`secret:<20 chars>`); generated when omitted. */
  id?: string;
  /** `app` or `unit` when this charm owns it; `undefined` when it only observes it. */
  owner?: 'app' | 'unit';
  /** Relation id → names of remote apps/units the secret is granted to. */
  remoteGrants?: Readonly<Record<number, readonly string[]>>;
  /** Label the charm set. */
  label?: string;
  /** Description. */
  description?: string;
  /** Expiry time. */
  expire?: Date;
  /** Rotation policy. */
  rotate?: SecretRotate;
  /** Revision the charm tracks (default 1). */
  trackedRevision?: number;
  /** Latest revision (default: `trackedRevision`, or 2 when `latestContent` differs). */
  latestRevision?: number;
}

function validateContent(content: SecretContent | undefined, what: string): SecretContent {
  const copy = copyBag(content, what, (m) => new StateValidationError(m));
  if (Object.keys(copy).length === 0) {
    throw new StateValidationError(`${what} must not be empty; Juju requires at least one key`);
  }
  return copy;
}

/** A secret in a `State`. Immutable. */
export class Secret {
  /** Content of the tracked revision. */
  readonly trackedContent: SecretContent;
  /** Content of the latest revision. */
  readonly latestContent: SecretContent;
  /** Secret id. */
  readonly id: string;
  /** Owner, or `undefined` for an observed secret. */
  readonly owner: 'app' | 'unit' | undefined;
  /** Grants by relation id. */
  readonly remoteGrants: Readonly<Record<number, readonly string[]>>;
  /** Label. */
  readonly label: string | undefined;
  /** Description. */
  readonly description: string | undefined;
  /** Expiry. */
  readonly expire: Date | undefined;
  /** Rotation policy. */
  readonly rotate: SecretRotate | undefined;
  /** Tracked revision number. */
  readonly trackedRevision: number;
  /** Latest revision number. */
  readonly latestRevision: number;

  /** @throws {StateValidationError} for empty content or non-string values. */
  constructor(init: SecretInit) {
    this.trackedContent = validateContent(init.trackedContent, 'Secret.trackedContent');
    this.latestContent =
      init.latestContent === undefined
        ? this.trackedContent
        : validateContent(init.latestContent, 'Secret.latestContent');
    this.id = init.id ?? generateSecretId();
    this.owner = init.owner;
    const grants: Record<number, readonly string[]> = {};
    for (const [k, v] of Object.entries(init.remoteGrants ?? {})) {
      grants[Number(k)] = Object.freeze([...v]);
    }
    this.remoteGrants = Object.freeze(grants);
    this.label = init.label;
    this.description = init.description;
    this.expire = init.expire;
    this.rotate = init.rotate;
    this.trackedRevision = init.trackedRevision ?? 1;
    this.latestRevision =
      init.latestRevision ??
      (init.latestContent !== undefined && init.latestContent !== init.trackedContent
        ? this.trackedRevision + 1
        : this.trackedRevision);
    Object.freeze(this);
  }

  /** The bare unique id (the part after `secret:` or the last `/`). */
  get uniqueId(): string {
    return secretUniqueId(this.id);
  }
}

/** The unique part of a secret id or URI. @internal */
export function secretUniqueId(id: string): string {
  const trimmed = id.trim();
  const slash = trimmed.lastIndexOf('/');
  if (slash >= 0) return trimmed.slice(slash + 1);
  return trimmed.startsWith('secret:') ? trimmed.slice('secret:'.length) : trimmed;
}
