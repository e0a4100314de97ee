import {
  CharmBase,
  type ConfigChangedEvent,
  type Framework,
  type RelationChangedEvent,
} from '@opsjs/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { Metadata as CoreCharmMetadata } from './fixtures/core-charm/src/charm-metadata.js';
import type { Metadata as HookCharmMetadata } from './fixtures/hook-charm/src/charm-metadata.js';

// `opsjs typegen` output is consumed by @opsjs/core's typed metadata: `CharmBase<Metadata>`.
class TypedCharm extends CharmBase<HookCharmMetadata> {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.configChanged, this.onConfigChanged);
    this.observe(this.on.dbRelationChanged, this.onDbChanged);
    // @ts-expect-error a misspelt relation event does not compile
    this.observe(this.on.dvRelationChanged, this.onDbChanged);
  }

  onConfigChanged(_event: ConfigChangedEvent): void {
    expectTypeOf(this.config.get('port')).toEqualTypeOf<number | undefined>();
    // @ts-expect-error a misspelt config option does not compile
    this.config.get('prot');
  }

  onDbChanged(_event: RelationChangedEvent): void {}
}

class MachineCharm extends CharmBase<CoreCharmMetadata> {
  port(): number | undefined {
    return this.config.get('port');
  }
}

describe('typegen output in CharmBase<Metadata>', () => {
  it('types events and config from the generated metadata', () => {
    expectTypeOf<TypedCharm['on']['sayAction']>().not.toBeNever();
    expectTypeOf<ReturnType<MachineCharm['port']>>().toEqualTypeOf<number | undefined>();
  });
});
