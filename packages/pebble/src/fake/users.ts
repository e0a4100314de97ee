import { readFileSync } from 'node:fs';
import { HttpError } from './http-error.js';

/** A user the fake server knows. */
export interface FakeUser {
  name: string;
  uid: number;
  gid: number;
  home?: string;
}

/** A group the fake server knows. */
export interface FakeGroup {
  name: string;
  gid: number;
}

/** Resolved ownership. @internal */
export interface Ownership {
  userId: number;
  user: string;
  groupId: number;
  group: string;
}

function readTable(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}

/** Reads the host's /etc/passwd. @internal */
export function hostUsers(): FakeUser[] {
  return readTable('/etc/passwd').flatMap(([name, , uid, gid, , home]) =>
    name === undefined
      ? []
      : [{ name, uid: Number(uid), gid: Number(gid), ...(home ? { home } : {}) }],
  );
}

/** Reads the host's /etc/group. @internal */
export function hostGroups(): FakeGroup[] {
  return readTable('/etc/group').flatMap(([name, , gid]) =>
    name === undefined ? [] : [{ name, gid: Number(gid) }],
  );
}

/** User and group lookups with Pebble's rules (§11.3). @internal */
export class UserDb {
  readonly users: FakeUser[];
  readonly groups: FakeGroup[];

  constructor(users: FakeUser[], groups: FakeGroup[]) {
    this.users = users;
    this.groups = groups;
  }

  userName(uid: number): string {
    return this.users.find((u) => u.uid === uid)?.name ?? '';
  }

  groupName(gid: number): string {
    return this.groups.find((g) => g.gid === gid)?.name ?? '';
  }

  userById(uid: number): FakeUser | undefined {
    return this.users.find((u) => u.uid === uid);
  }

  /**
   * Resolves user/group fields; `undefined` when none are given.
   * @throws {HttpError} 400 with Pebble's message.
   */
  resolve(fields: {
    userId?: number | null;
    user?: string | null;
    groupId?: number | null;
    group?: string | null;
  }): Ownership | undefined {
    const { userId, user, groupId, group } = fields;
    const hasUser =
      (userId !== undefined && userId !== null) ||
      (user !== undefined && user !== null && user !== '');
    const hasGroup =
      (groupId !== undefined && groupId !== null) ||
      (group !== undefined && group !== null && group !== '');
    if (!hasUser && !hasGroup) return undefined;
    if (!hasUser) throw new HttpError(400, 'must specify user, not just group');
    let u: FakeUser | undefined;
    if (user) {
      u = this.users.find((x) => x.name === user);
      if (u === undefined) throw new HttpError(400, `user: unknown user ${user}`);
      if (userId !== undefined && userId !== null && userId !== u.uid) {
        throw new HttpError(
          400,
          `user "${user}" UID (${u.uid}) does not match user-id (${userId})`,
        );
      }
    } else if (userId !== undefined && userId !== null) {
      u = this.userById(userId);
      if (u === undefined && !hasGroup) throw new HttpError(400, `user: unknown userid ${userId}`);
    }
    const uid = u?.uid ?? (userId as number);
    let gid: number;
    if (group) {
      const g = this.groups.find((x) => x.name === group);
      if (g === undefined) throw new HttpError(400, `group: unknown group ${group}`);
      if (groupId !== undefined && groupId !== null && groupId !== g.gid) {
        throw new HttpError(
          400,
          `group "${group}" GID (${g.gid}) does not match group-id (${groupId})`,
        );
      }
      gid = g.gid;
    } else if (groupId !== undefined && groupId !== null) {
      gid = groupId;
    } else {
      // The fields above guarantee a user record when no group is given.
      gid = u?.gid ?? 0;
    }
    return { userId: uid, user: this.userName(uid), groupId: gid, group: this.groupName(gid) };
  }
}
