import { statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Message } from 'esbuild';
import { build } from 'esbuild';
import { charmLayout } from './dispatch-script.js';
import { BundleError, EntryNotFoundError } from './errors.js';

/** The output of {@link bundleCharm}. */
export interface CharmBundle {
  /** The bundled ES module (one file, tree-shaken). */
  readonly code: Uint8Array;
  /** Its source map (sources relative to the bundle, no sources content). */
  readonly sourceMap: Uint8Array;
}

/** Options of {@link bundleCharm}. */
export interface BundleOptions {
  /** The charm project directory (paths in the source map are relative to it). */
  readonly projectDir: string;
  /** The entry file, relative to the project (default `src/charm.ts`). */
  readonly entry?: string;
  /**
   * Modules left out of the bundle (kept as imports). `pack` leaves out `@opsjs/pebble` for a
   * charm without containers, so that a machine charm ships no Pebble client nor undici.
   */
  readonly external?: readonly string[];
}

/** The entry file `opsjs pack` bundles when none is given. */
export const defaultEntry = 'src/charm.ts';

/**
 * Bundles a charm's entry into one ES module for Node 22+ with esbuild: every dependency
 * inlined and tree-shaken, class and function names kept (state handle paths use them), a `require` shim for CommonJS dependencies, and a linked source map
 * (`dist/charm.mjs.map`; `dispatch` enables it under `JUJU_DEBUG`). Deterministic: the same sources
 * give the same bytes.
 *
 * @throws {EntryNotFoundError} when the entry file does not exist.
 * @throws {BundleError} with esbuild's first error (file:line: text) when bundling fails.
 */
export async function bundleCharm(options: BundleOptions): Promise<CharmBundle> {
  const projectDir = resolve(options.projectDir);
  const entryField = options.entry ?? defaultEntry;
  const entry = resolve(projectDir, entryField);
  let isFile = false;
  try {
    isFile = statSync(entry).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new EntryNotFoundError(
      `${entry}: entry file does not exist (--entry, default ${defaultEntry})`,
      { file: entry, field: '--entry' },
    );
  }
  const outfile = join(projectDir, charmLayout.bundle);
  try {
    const result = await build({
      absWorkingDir: projectDir,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      treeShaking: true,
      // Class names are part of persisted state: `@opsjs/core` derives handle paths from them
      // (as ops does), so esbuild must not rename a class whose name collides with another.
      keepNames: true,
      external: [...(options.external ?? [])],
      sourcemap: 'linked',
      sourcesContent: false,
      legalComments: 'none',
      charset: 'utf8',
      write: false,
      logLevel: 'silent',
      banner: {
        js: "import { createRequire as __opsjsCreateRequire } from 'node:module';\nconst require = __opsjsCreateRequire(import.meta.url);",
      },
    });
    const code = result.outputFiles.find((f) => f.path === outfile);
    const map = result.outputFiles.find((f) => f.path === `${outfile}.map`);
    if (code === undefined || map === undefined) {
      throw new BundleError(`${entry}: esbuild produced no bundle`, { file: entry });
    }
    return { code: code.contents, sourceMap: map.contents };
  } catch (cause) {
    if (cause instanceof BundleError) throw cause;
    const errors = isBuildFailure(cause) ? cause.errors : [];
    const first = errors[0];
    if (first !== undefined) {
      const where =
        first.location === null
          ? relative(projectDir, entry)
          : `${first.location.file}:${first.location.line}:${first.location.column}`;
      const hint = /^Could not resolve "@opsjs\/pebble"/.test(first.text)
        ? ' (a charm with containers needs the npm package @opsjs/pebble)'
        : '';
      throw new BundleError(`${join(projectDir, where)}: cannot bundle: ${first.text}${hint}`, {
        file: entry,
        cause,
      });
    }
    throw new BundleError(`${entry}: cannot bundle: ${String(cause)}`, { file: entry, cause });
  }
}

function isBuildFailure(value: unknown): value is { errors: Message[] } {
  return typeof value === 'object' && value !== null && Array.isArray(Reflect.get(value, 'errors'));
}
