import type { Readable, Writable } from 'node:stream';

/** What an exec handler gets: the command, its context and its standard streams. */
export interface FakeExecContext {
  /** The command line, `command[0]` being the program. */
  readonly command: readonly string[];
  /** The environment the process would get. */
  readonly environment: Readonly<Record<string, string>>;
  readonly workingDir: string;
  readonly userId: number | undefined;
  readonly user: string | undefined;
  readonly groupId: number | undefined;
  readonly group: string | undefined;
  readonly serviceContext: string | undefined;
  /** Standard input sent by the client (ends when the client sends `end`). */
  readonly stdin: Readable;
  /** Standard output, sent to the client as binary frames (with backpressure). */
  readonly stdout: Writable;
  /** Standard error (merged into stdout when the client asked for combined output). */
  readonly stderr: Writable;
  /** Aborted when Pebble would kill the process (timeout, signal without a listener). */
  readonly signal: AbortSignal;
  /**
   * Registers a listener for signals the client sends (`SIGTERM`...). Without a listener a
   * signal kills the process: exit code 128 + signal number.
   */
  onSignal(listener: (name: string) => void): void;
}

/** A test's stand-in for a program: returns the exit code (`undefined` is 0). */
export type FakeExecHandler = (
  context: FakeExecContext,
) => number | undefined | Promise<number | undefined>;

/** Selects commands: an argv prefix (`'echo'`, `['git', 'status']`) or a predicate. */
export type ExecMatcher = string | readonly string[] | ((command: readonly string[]) => boolean);
