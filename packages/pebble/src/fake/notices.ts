import { rfc3339 } from './changes.js';

/** A notice held by the fake server. @internal */
export interface FakeNotice {
  id: string;
  userId: number | null;
  type: string;
  key: string;
  firstOccurred: Date;
  lastOccurred: Date;
  lastRepeated: Date;
  occurrences: number;
  lastData: Record<string, string> | undefined;
  repeatAfterMs: number | undefined;
  repeatAfter: string | undefined;
}

/** Filters of a notices query. @internal */
export interface NoticeQuery {
  types: string[];
  keys: string[];
  after: Date | undefined;
  userId: number | null | 'all';
}

/** Notices with long-poll support. @internal */
export class NoticeStore {
  readonly notices: FakeNotice[] = [];
  #nextId = 1;
  #clock = 0;
  readonly #waiters = new Set<() => void>();

  /** A strictly increasing time, so that `after` filters are exact. */
  #now(): Date {
    const now = Math.max(Date.now(), this.#clock + 1);
    this.#clock = now;
    return new Date(now);
  }

  add(
    userId: number | null,
    type: string,
    key: string,
    data: Record<string, string> | undefined,
    repeatAfterMs: number | undefined,
    repeatAfter: string | undefined,
  ): FakeNotice {
    const now = this.#now();
    let notice = this.notices.find((n) => n.userId === userId && n.type === type && n.key === key);
    if (notice === undefined) {
      notice = {
        id: String(this.#nextId++),
        userId,
        type,
        key,
        firstOccurred: now,
        lastOccurred: now,
        lastRepeated: now,
        occurrences: 1,
        lastData: data,
        repeatAfterMs,
        repeatAfter,
      };
      this.notices.push(notice);
    } else {
      notice.occurrences += 1;
      notice.lastOccurred = now;
      notice.lastData = data;
      const repeat =
        repeatAfterMs === undefined ||
        repeatAfterMs === 0 ||
        notice.lastRepeated.getTime() + repeatAfterMs <= now.getTime();
      notice.repeatAfterMs = repeatAfterMs;
      notice.repeatAfter = repeatAfter;
      if (repeat) notice.lastRepeated = now;
      else return notice;
    }
    this.notices.sort((a, b) => a.lastRepeated.getTime() - b.lastRepeated.getTime());
    for (const wake of [...this.#waiters]) wake();
    return notice;
  }

  query(q: NoticeQuery): FakeNotice[] {
    return this.notices.filter(
      (n) =>
        (q.userId === 'all' || n.userId === null || n.userId === q.userId) &&
        (q.types.length === 0 || q.types.includes(n.type)) &&
        (q.keys.length === 0 || q.keys.includes(n.key)) &&
        (q.after === undefined || n.lastRepeated.getTime() > q.after.getTime()),
    );
  }

  /** Calls `wake` on the next new or repeated notice; returns a canceller. */
  onChange(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }

  static toJSON(n: FakeNotice): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: n.id,
      'user-id': n.userId,
      type: n.type,
      key: n.key,
      'first-occurred': rfc3339(n.firstOccurred),
      'last-occurred': rfc3339(n.lastOccurred),
      'last-repeated': rfc3339(n.lastRepeated),
      occurrences: n.occurrences,
    };
    if (n.lastData !== undefined && Object.keys(n.lastData).length > 0)
      out['last-data'] = n.lastData;
    if (n.repeatAfter !== undefined) out['repeat-after'] = n.repeatAfter;
    out['expire-after'] = '168h0m0s';
    return out;
  }
}
