import type * as Pebble from '@opsjs/pebble';
import { PebbleUnavailableError } from './errors.js';

/** The `@opsjs/pebble` module, as loaded at run time. */
export type PebbleModule = typeof Pebble;

/** @internal Loads the Pebble module (replaceable in tests). */
export type PebbleLoader = () => Promise<PebbleModule>;

let pending: Promise<PebbleModule> | undefined;

/**
 * @internal Load `@opsjs/pebble` on first use. This is the only module that reaches Pebble at
 * run time, so a charm that never touches a container never loads it (nor undici).
 *
 * @throws {PebbleUnavailableError} If `@opsjs/pebble` is not installed.
 */
export function loadPebble(): Promise<PebbleModule> {
  pending ??= import('@opsjs/pebble').catch((err: unknown) => {
    pending = undefined;
    throw new PebbleUnavailableError(
      'cannot reach a container: install @opsjs/pebble (an optional peer dependency of @opsjs/model)',
      { cause: err },
    );
  });
  return pending;
}
