/**
 * Changes and tasks of the fake Pebble server, with Pebble's status rules.
 * @internal
 */

/** A task of a fake change. @internal */
export interface FakeTask {
  id: string;
  kind: string;
  summary: string;
  status: string;
  log: string[];
  spawnTime: Date;
  readyTime: Date | undefined;
  data: Record<string, unknown> | undefined;
}

/** A fake change. @internal */
export interface FakeChange {
  id: string;
  kind: string;
  summary: string;
  tasks: FakeTask[];
  /** Status of a task-less change. */
  bareStatus: string;
  spawnTime: Date;
  readyTime: Date | undefined;
  serviceNames: string[];
  lastStatus: string;
  aborted: boolean;
}

const PRIORITY = [
  'Abort',
  'Undoing',
  'Undo',
  'Doing',
  'Do',
  'Wait',
  'Error',
  'Undone',
  'Done',
  'Hold',
];
const READY = new Set(['Done', 'Error', 'Hold', 'Undone']);

/** Formats a time as Pebble does (RFC 3339, trailing zeros trimmed). @internal */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.?0+Z$/u, 'Z');
}

/** Formats a time with whole seconds, as in task logs. @internal */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/u, 'Z');
}

/** The store of changes. @internal */
export class ChangeStore {
  readonly changes = new Map<string, FakeChange>();
  #nextChange = 1;
  #nextTask = 1;
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #onStatus: (change: FakeChange) => void;

  constructor(onStatus: (change: FakeChange) => void) {
    this.#onStatus = onStatus;
  }

  create(
    kind: string,
    summary: string,
    tasks: readonly { kind: string; summary: string }[],
    serviceNames: string[] = [],
    bareStatus = 'Hold',
  ): FakeChange {
    const now = new Date();
    const change: FakeChange = {
      id: String(this.#nextChange++),
      kind,
      summary,
      tasks: tasks.map((t) => ({
        id: String(this.#nextTask++),
        kind: t.kind,
        summary: t.summary,
        status: 'Do',
        log: [],
        spawnTime: now,
        readyTime: undefined,
        data: undefined,
      })),
      bareStatus,
      spawnTime: now,
      readyTime: undefined,
      serviceNames,
      lastStatus: '',
      aborted: false,
    };
    this.changes.set(change.id, change);
    this.#update(change);
    return change;
  }

  findTask(taskId: string): { change: FakeChange; task: FakeTask } | undefined {
    for (const change of this.changes.values()) {
      const task = change.tasks.find((t) => t.id === taskId);
      if (task !== undefined) return { change, task };
    }
    return undefined;
  }

  static status(change: FakeChange): string {
    if (change.tasks.length === 0) return change.bareStatus;
    for (const status of PRIORITY) if (change.tasks.some((t) => t.status === status)) return status;
    return 'Hold';
  }

  static ready(change: FakeChange): boolean {
    return READY.has(ChangeStore.status(change));
  }

  static err(change: FakeChange): string | undefined {
    if (ChangeStore.status(change) !== 'Error') return undefined;
    const lines = ['cannot perform the following tasks:'];
    for (const task of change.tasks) {
      if (task.status !== 'Error') continue;
      for (const line of task.log.slice(-10)) {
        const at = line.indexOf(' ERROR ');
        if (at !== -1) lines.push(`- ${task.summary} (${line.slice(at + 7)})`);
      }
    }
    return lines.join('\n');
  }

  log(task: FakeTask, level: 'INFO' | 'ERROR', text: string): void {
    task.log.push(`${rfc3339Seconds(new Date())} ${level} ${text}`);
    if (task.log.length > 10) task.log.splice(0, task.log.length - 10);
  }

  setTask(change: FakeChange, task: FakeTask, status: string): void {
    task.status = status;
    if (READY.has(status)) task.readyTime = new Date();
    this.#update(change);
  }

  setBare(change: FakeChange, status: string): void {
    change.bareStatus = status;
    this.#update(change);
  }

  #update(change: FakeChange): void {
    const status = ChangeStore.status(change);
    if (status === change.lastStatus) return;
    const previous = change.lastStatus;
    change.lastStatus = status;
    if (READY.has(status) && change.readyTime === undefined) change.readyTime = new Date();
    if (
      !(previous === 'Doing' && status === 'Do') &&
      !(previous === 'Undoing' && status === 'Undo')
    ) {
      this.#onStatus(change);
    }
    if (READY.has(status)) {
      const waiters = this.#waiters.get(change.id);
      this.#waiters.delete(change.id);
      for (const wake of waiters ?? []) wake();
    }
  }

  /** Calls `wake` when the change becomes ready; returns a function that cancels. */
  onReady(change: FakeChange, wake: () => void): () => void {
    let set = this.#waiters.get(change.id);
    if (set === undefined) {
      set = new Set();
      this.#waiters.set(change.id, set);
    }
    set.add(wake);
    return () => set.delete(wake);
  }

  toJSON(change: FakeChange): Record<string, unknown> {
    const status = ChangeStore.status(change);
    const out: Record<string, unknown> = {
      id: change.id,
      kind: change.kind,
      summary: change.summary,
      status,
    };
    if (change.tasks.length > 0) {
      out.tasks = change.tasks.map((t) => {
        const task: Record<string, unknown> = {
          id: t.id,
          kind: t.kind,
          summary: t.summary,
          status: t.status,
        };
        if (t.log.length > 0) task.log = t.log;
        task.progress = { label: '', done: t.status === 'Do' ? 0 : 1, total: 1 };
        task['spawn-time'] = rfc3339(t.spawnTime);
        if (t.readyTime !== undefined) task['ready-time'] = rfc3339(t.readyTime);
        if (t.data !== undefined) task.data = t.data;
        return task;
      });
    }
    out.ready = READY.has(status);
    const err = ChangeStore.err(change);
    if (err !== undefined) out.err = err;
    out['spawn-time'] = rfc3339(change.spawnTime);
    if (change.readyTime !== undefined) out['ready-time'] = rfc3339(change.readyTime);
    return out;
  }
}

const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00';

/**
 * Parses a timestamp as Go's `time.Parse(time.RFC3339, text)` does, returning Go's error text
 * when it is not one (Pebble's notices `after` filter). @internal
 */
export function parseRfc3339(text: string): Date | string {
  const steps: [string, RegExp][] = [
    ['2006', /^\d{4}/u],
    ['-', /^-/u],
    ['01', /^\d{2}/u],
    ['-', /^-/u],
    ['02', /^\d{2}/u],
    ['T', /^T/u],
    ['15', /^\d{2}/u],
    [':', /^:/u],
    ['04', /^\d{2}/u],
    [':', /^:/u],
    ['05', /^\d{2}(?:[.,]\d+)?/u],
    ['Z07:00', /^(?:Z|[+-]\d{2}:\d{2})/u],
  ];
  const parts: string[] = [];
  let rest = text;
  for (const [elem, pattern] of steps) {
    const match = pattern.exec(rest);
    if (match === null) {
      return `parsing time ${JSON.stringify(text)} as ${JSON.stringify(RFC3339_LAYOUT)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`;
    }
    parts.push(match[0]);
    rest = rest.slice(match[0].length);
  }
  if (rest !== '') {
    return `parsing time ${JSON.stringify(text)}: extra text: ${JSON.stringify(rest)}`;
  }
  const [year, , month, , day, , hour, , minute, , second] = parts.map((p) => Number.parseFloat(p));
  const outOfRange = (what: string): string =>
    `parsing time ${JSON.stringify(text)}: ${what} out of range`;
  if (month === undefined || month < 1 || month > 12) return outOfRange('month');
  if (hour === undefined || hour >= 24) return outOfRange('hour');
  if (minute === undefined || minute >= 60) return outOfRange('minute');
  if (second === undefined || second >= 60) return outOfRange('second');
  const daysIn = new Date(Date.UTC(year ?? 0, month, 0)).getUTCDate();
  if (day === undefined || day < 1 || day > daysIn) return outOfRange('day');
  return new Date(text.replace(',', '.'));
}
