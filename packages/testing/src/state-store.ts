import type { MemoryStateSnapshot, SnapshotData } from '@opsjs/core';
import { deepFreeze } from './state/freeze.js';
import { DeferredEvent, StoredState } from './state/misc.js';
import type { State } from './state/state.js';

const STORED = /^(?:(.*)\/)?StoredStateData\[(.+)\]$/;

function eventKey(handlePath: string): number {
  const match = /\[(\d+)\]$/.exec(handlePath);
  return match === null ? 0 : Number(match[1]);
}

/**
 * The framework's persisted state (snapshots and notices) that the stored states and
 * deferred events of `state` stand for. `charmPath` is the charm's handle path.
 * @internal
 */
export function stateToStore(state: State, charmPath: string): MemoryStateSnapshot {
  const snapshots: Record<string, SnapshotData> = {};
  for (const s of state.storedStates) {
    snapshots[`${s.ownerPath ?? charmPath}/StoredStateData[${s.name}]`] = structuredClone(
      s.content,
    ) as SnapshotData;
  }
  const notices = [];
  let maxKey = 0;
  for (const d of state.deferred) {
    snapshots[d.handlePath] = structuredClone(d.snapshotData) as SnapshotData;
    notices.push({ eventPath: d.handlePath, observerPath: d.owner, methodName: d.observer });
    maxKey = Math.max(maxKey, eventKey(d.handlePath));
  }
  if (maxKey > 0) snapshots['StoredStateData[_stored]'] = { event_count: maxKey };
  return { snapshots, notices };
}

/**
 * The stored states and deferred events held in the framework's committed state. The
 * snapshots are frozen in place and shared, not copied: pass a store's data that nothing
 * else changes afterwards.
 * @internal
 */
export function storeToState(committed: MemoryStateSnapshot): {
  storedStates: StoredState[];
  deferred: DeferredEvent[];
} {
  const storedStates: StoredState[] = [];
  for (const [path, data] of Object.entries(committed.snapshots)) {
    const match = STORED.exec(path);
    if (match === null) continue;
    const owner = match[1];
    if (owner === undefined) continue; // the framework's own counter
    storedStates.push(
      new StoredState({
        name: match[2] ?? '_stored',
        ownerPath: owner,
        content: deepFreeze(data),
      }),
    );
  }
  // As Scenario, which lists deferred events by walking the snapshot table (ordered by handle
  // path, byte-wise) and each handle's notices in queue order: sort by handle path, stably.
  const notices = committed.notices
    .map((n, i) => ({ n, i }))
    .sort((a, b) =>
      a.n.eventPath < b.n.eventPath ? -1 : a.n.eventPath > b.n.eventPath ? 1 : a.i - b.i,
    )
    .map(({ n }) => n);
  const deferred = notices.map(
    (n) =>
      new DeferredEvent({
        handlePath: n.eventPath,
        owner: n.observerPath,
        observer: n.methodName,
        snapshotData: deepFreeze(committed.snapshots[n.eventPath] ?? {}),
      }),
  );
  return { storedStates, deferred };
}
