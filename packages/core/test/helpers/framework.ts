import type { CharmMeta, Model } from '@opsjs/model';
import { Framework } from '../../src/framework.js';
import { Logger, type LogLevel } from '../../src/logger.js';
import { type MemoryStateSnapshot, MemoryStateStore } from '../../src/storage/state-store.js';

/** A framework over an in-memory store, with its log records captured. */
export interface TestFramework {
  readonly framework: Framework;
  readonly store: MemoryStateStore;
  readonly logs: Array<[LogLevel, string]>;
}

/**
 * Build a framework for tests that do not touch the model. Pass the previous store's
 * `committed` to simulate the next process.
 */
export function makeFramework(
  committed?: MemoryStateSnapshot,
  options: { eventName?: string; skipDuplicateEvents?: boolean } = {},
): TestFramework {
  const store = new MemoryStateStore(committed);
  const logger = new Logger();
  const logs: Array<[LogLevel, string]> = [];
  logger.addSink((level, message) => logs.push([level, message]));
  const framework = new Framework({
    store,
    // These framework tests never reach the model or the metadata.
    model: {} as Model,
    meta: {} as CharmMeta,
    charmDir: '/nonexistent',
    logger,
    eventName: options.eventName,
    skipDuplicateEvents: options.skipDuplicateEvents,
  });
  return { framework, store, logs };
}
