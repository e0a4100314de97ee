import type { CharmClass, CharmEvents, Framework, FrameworkObject } from '@opsjs/core';

/**
 * A charm class the testing tools can run: any `CharmBase` subclass, with or without typed
 * metadata (`CharmBase<typeof meta>`).
 */
export type CharmType = new (
  framework: Framework,
) => FrameworkObject & { readonly on: CharmEvents };

/**
 * The class as `@opsjs/core`'s `runDispatch` takes it. Its `CharmClass` type rejects charms
 * with typed metadata (reported to core); every `CharmBase` subclass is accepted at run time.
 * @internal
 */
export function asCharmClass(charm: CharmType): CharmClass {
  return charm as unknown as CharmClass;
}
