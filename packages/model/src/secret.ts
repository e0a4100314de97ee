import type { ModelBackend } from './backend/model-backend.js';
import type { SecretRotate } from './backend/types.js';
import { InvalidArgumentError, SecretContentError } from './errors.js';
import type { Relation } from './relation.js';
import { pyRepr } from './security-log.js';
import type { Unit } from './unit.js';

export type { SecretRotate } from './backend/types.js';

/** An expiry: an absolute time, or a duration from now in milliseconds. */
export type SecretExpiry = Date | number;

/** Metadata arguments of `addSecret` and `Secret.setInfo`. */
export interface SecretMetadataOptions {
  /** A label for this owner/observer. */
  readonly label?: string;
  /** A description. */
  readonly description?: string;
  /** When the current revision expires. */
  readonly expire?: SecretExpiry;
  /** The rotation policy. */
  readonly rotate?: SecretRotate;
}

const KEY_RE = /^([a-z](?:-?[a-z0-9]){2,})$/;
const ROTATE: readonly string[] = [
  'never',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'yearly',
];

/** @internal Canonicalise a secret id: trim; without `secret:` make it `secret://<uuid>/<id>`. */
export function canonicalizeSecretId(id: string, modelUuid: string | undefined): string {
  const trimmed = id.trim();
  if (trimmed.startsWith('secret:')) return trimmed;
  return modelUuid === undefined ? `secret:${trimmed}` : `secret://${modelUuid}/${trimmed}`;
}

/** @internal Turn an expiry argument into an absolute time. */
export function calculateExpiry(expire: SecretExpiry | undefined): Date | undefined {
  if (expire === undefined) return undefined;
  if (expire instanceof Date) {
    if (Number.isNaN(expire.getTime())) throw new InvalidArgumentError('expire: invalid Date');
    return expire;
  }
  if (typeof expire === 'number' && Number.isFinite(expire)) return new Date(Date.now() + expire);
  throw new InvalidArgumentError('expire: expected a Date or a duration from now in milliseconds');
}

function isRotate(value: unknown): value is SecretRotate {
  return typeof value === 'string' && ROTATE.includes(value);
}

/** @internal Check the rotate argument. */
export function checkRotate(rotate: unknown): SecretRotate | undefined {
  if (rotate === undefined) return undefined;
  if (isRotate(rotate)) return rotate;
  throw new InvalidArgumentError(`rotate: expected one of ${ROTATE.join(', ')}`);
}

/**
 * @internal Validate secret content: a non-empty map, keys matching
 * `^[a-z](?:-?[a-z0-9]){2,}$`, string values. Values never appear in the message.
 */
export function validateSecretContent(content: unknown): Record<string, string> {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new SecretContentError('Secret content must be an object of string values');
  }
  const entries = Object.entries(content);
  if (entries.length === 0) throw new SecretContentError('Secret content must not be empty');
  const badKeys = entries.filter(([k]) => !KEY_RE.test(k)).map(([k]) => k);
  if (badKeys.length > 0) {
    throw new SecretContentError(
      `Invalid secret keys: ${pyList(badKeys)}. Keys should be lowercase letters and digits, ` +
        'at least 3 characters long, start with a letter, and not start or end with a hyphen.',
    );
  }
  const badValues = entries.filter(([, v]) => typeof v !== 'string');
  if (badValues.length > 0) {
    const types = [...new Set(badValues.map(([, v]) => pyTypeName(v)))].sort().join(' or ');
    throw new SecretContentError(
      `Invalid secret values for keys: ${pyList(badValues.map(([k]) => k))}. ` +
        `Values should be of type str, not ${types}.`,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of entries) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A Python list repr of strings, as ops prints key lists in its messages. */
function pyList(items: readonly string[]): string {
  return `[${items.map(pyRepr).join(', ')}]`;
}

/** The Python type name a JSON-like value would have (for ops-compatible messages). */
function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  return typeof v;
}

/** Secret metadata, as seen by its owner. */
export class SecretInfo {
  /** The canonical secret URI. */
  readonly id: string;
  /** The owner's label, or `undefined` when none. */
  readonly label: string | undefined;
  /** The latest revision. */
  readonly revision: number;
  /** When the current revision expires. */
  readonly expires: Date | undefined;
  /** The rotation policy. */
  readonly rotation: SecretRotate | undefined;
  /** When the secret is next due to rotate. */
  readonly rotates: Date | undefined;
  /** The description. */
  readonly description: string | undefined;

  constructor(fields: {
    id: string;
    label?: string | undefined;
    revision: number;
    expires?: Date | undefined;
    rotation?: SecretRotate | undefined;
    rotates?: Date | undefined;
    description?: string | undefined;
  }) {
    this.id = fields.id;
    this.label = fields.label;
    this.revision = fields.revision;
    this.expires = fields.expires;
    this.rotation = fields.rotation;
    this.rotates = fields.rotates;
    this.description = fields.description;
  }
}

/**
 * A secret, owned by this unit or application, or observed (granted to it).
 *
 * Get one with `model.getSecret()`, `app.addSecret()` or `unit.addSecret()`, or from a secret
 * event. Content is cached on the object after the first read. Write failures (permission,
 * missing secret) may surface only when the hook ends, as Juju applies them then.
 */
export class Secret {
  readonly #backend: ModelBackend;
  readonly #modelUuid: string;
  #id: string | undefined;
  #label: string | undefined;
  #content: Record<string, string> | undefined;
  readonly #onContent: (values: readonly string[]) => void;

  /** @internal Use `model.getSecret()` or `addSecret()`. */
  constructor(
    backend: ModelBackend,
    modelUuid: string,
    fields: {
      id?: string | undefined;
      label?: string | undefined;
      content?: Record<string, string>;
    },
    onContent: (values: readonly string[]) => void = () => {},
  ) {
    if (!fields.id && !fields.label) {
      throw new InvalidArgumentError('Must provide an id or label, or both');
    }
    this.#backend = backend;
    this.#modelUuid = modelUuid;
    this.#id = fields.id === undefined ? undefined : canonicalizeSecretId(fields.id, modelUuid);
    this.#label = fields.label;
    this.#content = fields.content;
    this.#onContent = onContent;
    if (fields.content !== undefined) onContent(Object.values(fields.content));
  }

  /** The secret URI, or `undefined` when the secret was fetched by label only. */
  get id(): string | undefined {
    return this.#id;
  }

  /** The unique part of the id (after the last `/` or after `secret:`). */
  get uniqueIdentifier(): string | undefined {
    const id = this.#id;
    if (id === undefined) return undefined;
    if (id.includes('/')) return id.slice(id.lastIndexOf('/') + 1);
    if (id.startsWith('secret:')) return id.slice('secret:'.length);
    return id;
  }

  /** The label this charm uses for the secret, if known. */
  get label(): string | undefined {
    return this.#label;
  }

  /** `<Secret id=... label=...>` (never the content). */
  toString(): string {
    const fields: string[] = [];
    if (this.#id !== undefined) fields.push(`id='${this.#id}'`);
    if (this.#label !== undefined) fields.push(`label='${this.#label}'`);
    return `<Secret ${fields.join(' ')}>`;
  }

  /**
   * The content of the tracked revision (a copy). Read once and cached; `refresh: true` reads
   * the latest revision and makes Juju track it.
   *
   * @throws {SecretNotFoundError} If the secret no longer exists.
   * @throws {ModelError} If this charm may not read it.
   */
  getContent(options: { readonly refresh?: boolean } = {}): Record<string, string> {
    const refresh = options.refresh ?? false;
    if (refresh || this.#content === undefined) {
      this.#content = this.#backend.secretGet({ id: this.#id, label: this.#label, refresh });
      this.#onContent(Object.values(this.#content));
    }
    return { ...this.#content };
  }

  /**
   * The content of the latest revision, without tracking it (not cached).
   *
   * @throws {SecretNotFoundError} If the secret no longer exists.
   */
  peekContent(): Record<string, string> {
    const content = this.#backend.secretGet({ id: this.#id, label: this.#label, peek: true });
    this.#onContent(Object.values(content));
    return content;
  }

  /**
   * The secret's metadata (owners only), with `secret-info-get` by id, else by label.
   *
   * @throws {SecretNotFoundError} If the secret does not exist or this charm does not own it.
   */
  getInfo(): SecretInfo {
    const raw = this.#backend.secretInfoGet(
      this.#id !== undefined ? { id: this.#id } : { label: this.#label ?? '' },
    );
    return new SecretInfo({
      id: canonicalizeSecretId(raw.id, this.#modelUuid),
      label: raw.label,
      revision: raw.revision,
      expires: raw.expiry,
      rotation: raw.rotation,
      rotates: raw.rotates,
      description: raw.description,
    });
  }

  #ensureId(): string {
    if (this.#id === undefined) this.#id = this.getInfo().id;
    return this.#id;
  }

  /**
   * Create a new revision with this content (owners only). Observers get `secret-changed`.
   *
   * @throws {SecretContentError} If the content is invalid (nothing is sent).
   */
  setContent(content: Readonly<Record<string, string>>): void {
    const valid = validateSecretContent(content);
    this.#onContent(Object.values(valid));
    const id = this.#ensureId();
    this.#backend.secretSet(id, { content: valid });
  }

  /**
   * Update metadata (owners only). Set attributes cannot be unset.
   *
   * @throws {InvalidArgumentError} If no attribute is given.
   */
  setInfo(options: SecretMetadataOptions): void {
    const { label, description, expire, rotate } = options;
    if (
      label === undefined &&
      description === undefined &&
      expire === undefined &&
      rotate === undefined
    ) {
      throw new InvalidArgumentError(
        'Must provide a label, description, expiration time, or rotation policy',
      );
    }
    const expiry = calculateExpiry(expire);
    const rotation = checkRotate(rotate);
    const id = this.#ensureId();
    this.#backend.secretSet(id, { label, description, expire: expiry, rotate: rotation });
  }

  /** Grant read access to the remote app of `relation`, or to one of its units. */
  grant(relation: Relation, options: { readonly unit?: Unit } = {}): void {
    const id = this.#ensureId();
    this.#backend.secretGrant(id, relation.id, options.unit?.name);
  }

  /** Revoke read access granted with {@link Secret.grant}. */
  revoke(relation: Relation, options: { readonly unit?: Unit } = {}): void {
    const id = this.#ensureId();
    this.#backend.secretRevoke(id, relation.id, options.unit?.name);
  }

  /** Remove one revision (usually the one of a secret-remove or secret-expired event). */
  removeRevision(revision: number): void {
    if (!Number.isInteger(revision) || revision < 1) {
      throw new InvalidArgumentError(`revision must be a positive integer, got ${revision}`);
    }
    const id = this.#ensureId();
    this.#backend.secretRemove(id, revision);
  }

  /** Remove the secret and all its revisions. */
  removeAllRevisions(): void {
    const id = this.#ensureId();
    this.#backend.secretRemove(id);
  }
}
