/**
 * Start-up settings of a dispatch process. This module is the first import of the package's
 * entry point, so it runs before any other module of opsjs builds a zod schema.
 *
 * Under Juju (`JUJU_UNIT_NAME` set: a hook or action process, which parses each schema about
 * once and exits), zod's `jitless` mode is switched on unless the charm already chose: zod's JIT
 * compiles a `new Function` fast path for every object schema on its first parse, which such a
 * short-lived process never pays back (about 5 ms of CPU per dispatch of a small charm).
 * Parsing results are the same either way. Long-lived processes (tests, Harness) keep the JIT.
 *
 * @packageDocumentation
 */
import { config } from 'zod/mini';

if (process.env.JUJU_UNIT_NAME !== undefined && config().jitless === undefined) {
  config({ jitless: true });
}
