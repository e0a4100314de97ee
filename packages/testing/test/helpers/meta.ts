import type { CharmMeta } from '@opsjs/model';
import { stringify } from 'yaml';
import { resolveMeta } from '../../src/charm-spec.js';
import { SAMPLE_META } from '../fixtures/sample-meta.js';

/** The sample charm's metadata as charmcraft.yaml text. */
export const SAMPLE_CHARMCRAFT = stringify(SAMPLE_META);

/** The sample charm's parsed metadata. */
export function sampleMeta(): CharmMeta {
  return resolveMeta({ meta: SAMPLE_META });
}
