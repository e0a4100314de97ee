import { type HookToolBackendOptions, ModelError } from '@opsjs/model';
import { runHookTool } from './hook-tool-cli.js';
import type { World } from './world.js';

/** The hook-tool runner type of `@opsjs/model`'s `HookToolBackend`. */
export type HookToolRunner = NonNullable<HookToolBackendOptions['runner']>;

/**
 * A hook-tool runner that serves every call in-process from the simulated unit, printing
 * what Juju's tools print. Given to `@opsjs/model`'s `HookToolBackend`, it runs the
 * production backend (argv building, JSON parsing, error mapping) without spawning processes.
 * @internal
 */
export function worldRunner(world: World): HookToolRunner {
  return (tool, args, options) => {
    const result = runHookTool(world, tool, args, () => options?.input ?? '');
    if (result.exitCode !== 0) {
      throw new ModelError(result.stderr, {
        failure: {
          hookTool: tool,
          argv: [tool, ...(options?.reportedArgv ?? args)],
          exitCode: result.exitCode,
          stderr: result.stderr,
        },
      });
    }
    return result.stdout;
  };
}
