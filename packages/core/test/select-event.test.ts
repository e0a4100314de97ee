import { describe, expect, it } from 'vitest';
import { CharmBase } from '../src/charm.js';
import type { CollectStatusEvent, UpdateStatusEvent } from '../src/charm-events.js';
import { runDispatch, type SelectedEvent } from '../src/dispatch.js';
import { EventBase, type Framework, FrameworkObject, ObjectEvents } from '../src/framework.js';
import type { Handle } from '../src/handle.js';
import { Logger, type LogLevel } from '../src/logger.js';
import {
  type MemoryStateSnapshot,
  MemoryStateStore,
  type SnapshotData,
} from '../src/storage/state-store.js';
import { context, meta } from './helpers/dispatch.js';
import { FakeBackend } from './helpers/fake-backend.js';

class ReadyEvent extends EventBase {
  url: string;
  attempt: number;
  constructor(handle: Handle, url: string, attempt: number) {
    super(handle);
    this.url = url;
    this.attempt = attempt;
  }
  override snapshot(): SnapshotData {
    return { url: this.url, attempt: this.attempt };
  }
  override restore(snapshot: SnapshotData): void {
    super.restore(snapshot);
    this.url = String(snapshot.url);
    this.attempt = Number(snapshot.attempt);
  }
}

class LibEvents extends ObjectEvents.define({ ready: ReadyEvent }) {}

/** A charm library: its events live on its own `on`, not on `charm.on`. */
class DbLib extends FrameworkObject {
  readonly on = new LibEvents(this);
  constructor(charm: CharmBase) {
    super(charm, 'db');
  }
}

class LibCharm extends CharmBase {
  static seen: string[] = [];
  readonly db = new DbLib(this);
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.db.on.ready, this.onReady);
    this.observe(this.on.updateStatus, this.onUpdateStatus);
    this.observe(this.on.collectUnitStatus, this.onCollect);
  }
  onReady(event: ReadyEvent): void {
    LibCharm.seen.push(`${event.handle.path} ${event.url} ${event.attempt}`);
  }
  onUpdateStatus(event: UpdateStatusEvent): void {
    LibCharm.seen.push(event.handle.path);
    if (LibCharm.seen.length === 1) event.defer();
  }
  onCollect(event: CollectStatusEvent): void {
    LibCharm.seen.push(event.handle.path);
  }
}

async function run(
  dispatchPath: string,
  selectEvent: ((charm: LibCharm) => SelectedEvent | undefined) | undefined,
  committed?: MemoryStateSnapshot,
) {
  const store = new MemoryStateStore(committed);
  const logger = new Logger();
  const logs: Array<[LogLevel, string]> = [];
  logger.addSink((level, message) => logs.push([level, message]));
  const result = await runDispatch(LibCharm, {
    context: context(dispatchPath),
    meta: meta(),
    backend: new FakeBackend(),
    store,
    logger,
    ...(selectEvent === undefined
      ? {}
      : {
          selectEvent: (charm) => {
            if (!(charm instanceof LibCharm)) throw new Error('not the charm under test');
            return selectEvent(charm);
          },
        }),
  });
  return { ...result, store, logs };
}

describe('runDispatch selectEvent', () => {
  it("emits a library's event with its arguments, after deferred events and before collect-status", async () => {
    LibCharm.seen = [];
    const first = await run('hooks/update-status', undefined);
    expect(first.store.committed.notices).toHaveLength(1);

    // The dispatch path names no event: the selected event's kind becomes the event name.
    const second = await run(
      'hooks/custom',
      (charm) => ({ event: charm.db.on.ready, args: ['pg://db', 2] }),
      first.store.committed,
    );
    expect(second.exitCode).toBe(0);
    expect(second.emitted).toBe(true);
    expect(second.committed).toBe(true);
    expect(second.eventName).toBe('ready');
    expect(LibCharm.seen.slice(2)).toEqual([
      'LibCharm/on/update_status[1]',
      'LibCharm/DbLib[db]/on/ready[5] pg://db 2',
      'LibCharm/on/collect_unit_status[6]',
    ]);
    const messages = second.logs.map(([, m]) => m);
    expect(messages).toContain('Emitting Juju event ready.');
    expect(messages).not.toContain(
      'Emitting custom event <ReadyEvent via LibCharm/DbLib[db]/on/ready[5]>.',
    );
    expect(messages.findIndex((m) => m.startsWith('Re-emitting deferred event'))).toBeLessThan(
      messages.indexOf('Emitting Juju event ready.'),
    );
    // The deferred update-status ran again and was not deferred again.
    expect(second.store.committed.notices).toEqual([]);
  });

  it('handles a selection of nothing as an event the charm does not define', async () => {
    LibCharm.seen = [];
    const result = await run('hooks/ready', () => undefined);
    expect(result.exitCode).toBe(0);
    expect(result.emitted).toBe(false);
    expect(result.committed).toBe(true);
    expect(result.logs).toContainEqual(['DEBUG', 'Event ready not defined for <LibCharm>.']);
  });

  it('reports an error thrown while selecting as an uncaught error', async () => {
    const result = await run('hooks/ready', () => {
      throw new Error('no such library');
    });
    expect(result.exitCode).toBe(1);
    expect(result.committed).toBe(false);
    expect(result.logs.find(([l]) => l === 'ERROR')?.[1]).toContain('Error: no such library');
  });
});
