import { loadPublished } from '@opsjs/interface-test-kit';

export { validatePublished } from '@opsjs/interface-test-kit';

/** The published JSON Schemas (structure transcribed in test/fixtures). */
export const published = loadPublished(
  new URL('../fixtures/published-schemas.json', import.meta.url),
);
