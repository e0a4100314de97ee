/**
 * Test helpers shared by the relation-interface packages (private to this repository): the
 * published-JSON-Schema check of databags, and a bundle report for the zod/mini bundle tests.
 */
export { type BundleReport, bundleCharmFile, bundleReport } from './bundle.js';
export {
  loadPublished,
  type PublishedSchemas,
  type Schema,
  validatePublished,
} from './published.js';
