import { bundleCharmFile } from '@opsjs/interface-test-kit';

/** Bundles a fixture charm entry into one ESM file in a new temp dir; returns its path. */
export function bundleCharm(entry: string): Promise<string> {
  return bundleCharmFile(new URL(`../fixtures/${entry}`, import.meta.url));
}
