import packageJson from '../package.json' with { type: 'json' };

/**
 * The version of `@opsjs/core`, from its `package.json` (bundled into a charm by esbuild, so
 * nothing is read from disk at run time). It appears in the start-up log line
 * `opsjs <version> up and running.`, as ops logs its own version.
 */
export const OPSJS_VERSION: string = packageJson.version;
