import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Bundles a fixture charm entry into one ESM file in a new temp dir; returns its path. */
export async function bundleCharm(entry: string): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'opsjs-ingress-')), 'charm.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL(`../fixtures/${entry}`, import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile,
    keepNames: true,
    logLevel: 'silent',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return outfile;
}
