import type { $ZodType, output } from 'zod/v4/core';
import {
  HookToolMissingError,
  HookToolOutputError,
  HookToolTimeoutError,
  ModelError,
} from '../errors.js';
import { safeParseEnglish } from '../schemas/parse.js';
import { spawnSync } from './spawn-sync.js';

/** Options of one hook-tool call. */
export interface HookToolCallOptions {
  /** Text written to the tool's stdin. */
  readonly input?: string;
  /** The argv to report in errors instead of the real one (to hide values). */
  readonly reportedArgv?: readonly string[];
}

/** Runs one hook tool synchronously and returns its stdout. */
export type HookToolRunner = (
  tool: string,
  args: readonly string[],
  options?: HookToolCallOptions,
) => string;

/** Options of {@link createHookToolRunner}. */
export interface HookToolRunnerOptions {
  /** The environment of the tools (and the `PATH` they are looked up in). Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Kill a tool that runs longer than this (ms). Default 60 000. */
  readonly timeoutMs?: number;
  /** Working directory. Default: the current one. */
  readonly cwd?: string;
  /**
   * Let the tools inherit this process's environment as the operating system holds it, instead
   * of a copy of `env` made for each call (`env` is then ignored). On the main thread that is
   * what `process.env` shows, changes included, and it spares a pass over it per call (each
   * read of `process.env` goes through Node's C++ accessors); in a worker thread, whose
   * `process.env` is a copy of its own, leave it off. Default `false`.
   */
  readonly inheritEnv?: boolean;
}

/** The default hook-tool timeout in milliseconds. */
export const DEFAULT_HOOK_TOOL_TIMEOUT_MS = 60_000;

/**
 * A runner that spawns each tool by name (looked up on `PATH`) with no shell, UTF-8
 * output captured.
 *
 * The runner throws {@link ModelError} (message = stderr, with `exitCode`) on a non-zero exit,
 * {@link HookToolMissingError} when the tool is not on PATH, {@link HookToolTimeoutError} when
 * it runs too long.
 */
export function createHookToolRunner(options: HookToolRunnerOptions = {}): HookToolRunner {
  const timeout = options.timeoutMs ?? DEFAULT_HOOK_TOOL_TIMEOUT_MS;
  return (tool, args, call = {}) => {
    const reported = call.reportedArgv ?? args;
    // Not child_process.spawnSync: see ./spawn-sync.ts (same behaviour, ≈ 3.5 ms less per hook).
    const result = spawnSync(tool, args, {
      input: call.input ?? '',
      env: options.inheritEnv === true ? null : (options.env ?? process.env),
      timeout,
      maxBuffer: 256 * 1024 * 1024,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const failure = {
      hookTool: tool,
      argv: [tool, ...reported],
      exitCode: result.status,
      stderr: result.stderr,
    };
    if (result.error !== undefined) {
      const code: unknown = Reflect.get(result.error, 'code');
      if (code === 'ENOENT') {
        throw new HookToolMissingError(
          `hook tool ${tool} not found on PATH (not in a Juju hook context, or Juju too old)`,
          { failure, cause: result.error },
        );
      }
      if (code === 'ETIMEDOUT') {
        throw new HookToolTimeoutError(`hook tool ${tool} did not finish within ${timeout} ms`, {
          failure,
          cause: result.error,
        });
      }
      throw new ModelError(`hook tool ${tool} could not run: ${result.error.message}`, {
        failure,
        cause: result.error,
      });
    }
    if (result.status !== 0) {
      const signal = result.signal === null ? '' : ` (killed by ${result.signal})`;
      throw new ModelError(failure.stderr || `hook tool ${tool} failed${signal}`, { failure });
    }
    return result.stdout;
  };
}

/**
 * @internal Parse a tool's JSON stdout with a schema. Errors name the tool and what was
 * expected, never the output (it may hold secret values). With `orNull`, a JSON `null` is
 * returned as `null` without going through the schema.
 */
export function parseToolJson<S extends $ZodType>(
  tool: string,
  args: readonly string[],
  stdout: string,
  schema: S,
): output<S>;
export function parseToolJson<S extends $ZodType>(
  tool: string,
  args: readonly string[],
  stdout: string,
  schema: S,
  orNull: 'orNull',
): output<S> | null;
export function parseToolJson<S extends $ZodType>(
  tool: string,
  args: readonly string[],
  stdout: string,
  schema: S,
  orNull?: 'orNull',
): output<S> | null {
  const failure = { hookTool: tool, argv: [tool, ...args], exitCode: 0, stderr: '' };
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (err) {
    throw new HookToolOutputError(`${tool} printed output that is not JSON`, {
      failure,
      cause: err,
    });
  }
  if (value === null && orNull !== undefined) return null;
  const parsed = safeParseEnglish(schema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where =
      issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw new HookToolOutputError(
      `${tool} printed unexpected JSON${where}: ${issue?.message ?? 'invalid'}`,
      { failure, cause: parsed.error },
    );
  }
  return parsed.data;
}

/** @internal `<endpoint>:<id>` when the endpoint is known, else `<id>`. */
export function relationRef(id: number, endpoint: string | undefined): string {
  return endpoint === undefined ? String(id) : `${endpoint}:${id}`;
}
