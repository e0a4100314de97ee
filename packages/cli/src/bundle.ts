import { statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, relative, resolve } from 'node:path';
import type { Message, Plugin } from 'esbuild';
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
 * The identifiers the bundle uses for `import.meta.url`, `import.meta.dirname` and
 * `import.meta.filename`: set once by the banner, so that the code after it has no `import.meta`.
 *
 * @internal
 */
export const importMetaNames = {
  url: '__opsjsImportMetaUrl',
  dirname: '__opsjsImportMetaDirname',
  filename: '__opsjsImportMetaFilename',
} as const;

/**
 * The first lines of every bundle, a fixed text: the `require` of Node builtins and CommonJS
 * dependencies, and the `import.meta` values. The code after it is plain script code but for a
 * top-level `await`, which `dist/dispatch.cjs` runs inside an async function with these
 * bindings as parameters (see `dispatchLoader`).
 *
 * @internal
 */
export const bundleBanner = [
  "import { createRequire as __opsjsCreateRequire } from 'node:module';",
  `const ${importMetaNames.url} = import.meta.url;`,
  `const ${importMetaNames.dirname} = import.meta.dirname;`,
  `const ${importMetaNames.filename} = import.meta.filename;`,
  `const require = __opsjsCreateRequire(${importMetaNames.url});`,
].join('\n');

/**
 * Turns `import ... from 'node:fs'` (and bare builtin names such as `'fs'`) into a CommonJS
 * module `module.exports = require("node:fs")`, so that esbuild emits `__require("node:fs")`
 * through the banner's `require`: an ES module import of a builtin makes Node build its ES
 * module namespace (for `fs`, that loads `fs/promises`, streams and watchers: about 3 ms per hook).
 */
const builtinsAsRequire: Plugin = {
  name: 'opsjs-builtins-as-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) => {
      if (args.kind !== 'import-statement' || !isBuiltin(args.path)) return undefined;
      const path = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      return { path, namespace: 'opsjs-builtin', sideEffects: false };
    });
    build.onLoad({ filter: /.*/, namespace: 'opsjs-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
      loader: 'js',
    }));
  },
};

/**
 * Bundles a charm's entry into one ES module for Node 22+ with esbuild: every dependency
 * inlined and tree-shaken, class and function names kept (state handle paths use them), and a
 * linked source map (`dist/charm.mjs.map`; `dispatch` enables it under `JUJU_DEBUG`). The module
 * starts with a fixed banner that makes a `require` (for CommonJS dependencies and Node
 * builtins: `import ... from 'node:fs'` becomes `require("node:fs")`, which spares Node building
 * the builtin's ES module namespace) and reads `import.meta.url`, `.dirname` and `.filename` once;
 * so the rest is script code, which `dist/dispatch.cjs` runs with a V8 code cache (see
 * `dispatchLoader`). Deterministic: the same sources give the same bytes.
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
      plugins: [builtinsAsRequire],
      define: {
        'import.meta.url': importMetaNames.url,
        'import.meta.dirname': importMetaNames.dirname,
        'import.meta.filename': importMetaNames.filename,
      },
      sourcemap: 'linked',
      sourcesContent: false,
      legalComments: 'none',
      // Non-ASCII characters escaped: V8 then holds the source as a one-byte string, which
      // `dist/dispatch.cjs` reads, wraps and compiles ~2.5 ms faster per hook than a two-byte one.
      charset: 'ascii',
      write: false,
      logLevel: 'silent',
      banner: { js: bundleBanner },
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
