import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** What esbuild did with a charm-like entry, as `opsjs pack` bundles a charm. */
export interface BundleReport {
  /** Every module esbuild read, including those tree-shaking then dropped. */
  readonly read: readonly string[];
  /** The modules with code in the output (relative paths, symlinks resolved). */
  readonly used: readonly string[];
  /** The zod classic files among {@link read} (a charm bundle should have none). */
  readonly zodClassicRead: readonly string[];
  /** The zod locale files in the output, by file name (zod/mini re-exports every locale). */
  readonly zodLocalesUsed: readonly string[];
  /** Whether zod/mini code is in the output. */
  readonly zodMiniUsed: boolean;
  /** The bundle's text. */
  readonly text: string;
}

/**
 * Bundle `source` (TypeScript, resolved from `resolveDir`) for Node as an ES module, without
 * writing it, and report which modules it read and kept — what the zod/mini bundle tests of the
 * charm-library packages check. `external` modules are left out (checked by their own tests).
 */
export async function bundleReport(
  source: string,
  resolveDir: string,
  external: readonly string[] = [],
): Promise<BundleReport> {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: 'ts' },
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'silent',
    external: [...external],
  });
  const read = Object.keys(result.metafile.inputs);
  const used = Object.keys(Object.values(result.metafile.outputs)[0]?.inputs ?? {});
  return {
    read,
    used,
    zodClassicRead: read.filter((f) => f.includes('zod/v4/classic/')),
    zodLocalesUsed: used
      .filter((f) => f.includes('zod/v4/locales/'))
      .map((f) => f.replace(/.*\//, '')),
    zodMiniUsed: used.some((f) => f.includes('zod/v4/mini/')),
    text: result.outputFiles[0]?.text ?? '',
  };
}

/**
 * Bundle a charm entry file into one ES module file in a new temporary directory, as
 * `opsjs pack` does (names kept, a `require` for bundled CommonJS), and return its path.
 */
export async function bundleCharmFile(entry: URL): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'opsjs-interface-')), 'charm.mjs');
  await build({
    entryPoints: [fileURLToPath(entry)],
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
