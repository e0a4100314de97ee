import type { CharmClass } from '@opsjs/core';

/**
 * A charm class the testing tools can run: any `CharmBase` subclass, with or without typed
 * metadata (`CharmBase<typeof meta>`); `@opsjs/core`'s `CharmClass`.
 */
export type CharmType = CharmClass;
