/**
 * vitest helpers for charm tests: the entry point `@opsjs/testing/vitest` (vitest is an
 * optional peer dependency; the main entry point does not load it).
 */
import { onTestFinished } from 'vitest';
import type { CharmType } from './charm-type.js';
import { Context, type ContextOptions } from './context.js';
import { Harness, type HarnessOptions } from './harness.js';

/** Something that holds servers or temporary directories until cleaned up. */
export interface Cleanable {
  /** Release resources (Harness). */
  cleanup?(): void | Promise<void>;
  /** Release resources (Context, fake Pebble server). */
  close?(): void | Promise<void>;
}

/**
 * Cleans `thing` up (its `cleanup()` or `close()`) when the current test finishes, passed
 * or failed, and returns it. Call it inside a test.
 *
 * @example
 * ```ts
 * it('opens the port', async () => {
 *   const harness = autoCleanup(new Harness(MyCharm, { meta }));
 *   await harness.begin();
 * });
 * ```
 */
export function autoCleanup<T extends Cleanable>(thing: T): T {
  onTestFinished(async () => {
    if (thing.cleanup !== undefined) await thing.cleanup();
    else await thing.close?.();
  });
  return thing;
}

/** A {@link Harness} for the current test, cleaned up when the test finishes. */
export function useHarness<C extends CharmType>(
  charm: C,
  options: HarnessOptions = {},
): Harness<C> {
  return autoCleanup(new Harness(charm, options));
}

/** A {@link Context} for the current test, closed when the test finishes. */
export function useContext<C extends CharmType>(
  charm: C,
  options: ContextOptions = {},
): Context<C> {
  return autoCleanup(new Context(charm, options));
}
