import { EventBase, type Handle, type Relation, type SnapshotData } from '@opsjs/core';
import type { BagIssue } from './bag-codec.js';
import { CharmLibError } from './errors.js';

/** Base of the events an interface endpoint emits about one relation. */
export class InterfaceRelationEvent extends EventBase {
  /** The relation. */
  relation: Relation;

  /**
   * @param handle - allocated by the framework
   * @param relation - the relation the event is about
   */
  constructor(handle: Handle, relation: Relation) {
    super(handle);
    this.relation = relation;
  }

  override snapshot(): SnapshotData {
    return { relation_name: this.relation.name, relation_id: this.relation.id };
  }

  /** @throws {CharmLibError} when the relation no longer exists */
  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    const name = String(snapshot.relation_name);
    const id = Number(snapshot.relation_id);
    const relation = this.framework.model.getRelation(name, id);
    if (relation === null) {
      throw new CharmLibError(`cannot restore ${this.handle.path}: relation ${name}:${id} is gone`);
    }
    this.relation = relation;
  }
}

/**
 * The remote side's data on a relation is valid: `ready` (the first time) or `changed`
 * (afterwards). `data` is the typed, validated remote data.
 *
 * A deferred event re-reads and re-validates the remote data when it is re-emitted.
 */
export abstract class RemoteDataEvent<D> extends InterfaceRelationEvent {
  /** The validated remote data. */
  data: D;

  constructor(handle: Handle, relation: Relation, data: D) {
    super(handle, relation);
    this.data = data;
  }

  /**
   * @throws {CharmLibError} when the relation is gone or its remote data is no longer valid
   */
  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.data = this.reload(this.relation);
  }

  /** Re-read and validate the remote data of `relation` (used when restoring). */
  protected abstract reload(relation: Relation): D;
}

/**
 * The remote side's data on a relation failed validation (invalid JSON, missing or mistyped
 * fields, oversized values, too many relations). The charm is not interrupted: it decides
 * what to do (usually a blocked or waiting status).
 */
export class RemoteInvalidEvent extends InterfaceRelationEvent {
  /** What is wrong, field by field (never containing the data itself). */
  issues: readonly BagIssue[];

  constructor(handle: Handle, relation: Relation, issues: readonly BagIssue[]) {
    super(handle, relation);
    this.issues = issues;
  }

  override snapshot(): SnapshotData {
    return {
      ...super.snapshot(),
      issues: this.issues.map((i) => ({
        bag: i.bag,
        path: i.path,
        code: i.code,
        message: i.message,
      })),
    };
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    const raw = snapshot.issues;
    this.issues = Array.isArray(raw)
      ? raw.map((i) => {
          const o = typeof i === 'object' && i !== null && !Array.isArray(i) ? i : {};
          return {
            bag: String(o.bag ?? ''),
            path: String(o.path ?? ''),
            code: String(o.code ?? ''),
            message: String(o.message ?? ''),
          };
        })
      : [];
  }
}

/** A relation of the endpoint is being removed (`relation-broken`): forget its data. */
export class RemoteGoneEvent extends EventBase {
  /** The endpoint name. */
  endpoint: string;
  /** The id of the relation that is going away. */
  relationId: number;

  constructor(handle: Handle, endpoint: string, relationId: number) {
    super(handle);
    this.endpoint = endpoint;
    this.relationId = relationId;
  }

  override snapshot(): SnapshotData {
    return { endpoint: this.endpoint, relation_id: this.relationId };
  }

  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.endpoint = String(snapshot.endpoint);
    this.relationId = Number(snapshot.relation_id);
  }
}
