/** Log levels, as `juju-log --log-level` names them, lowest first. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where log records go: `main()` installs one that runs `juju-log --log-level <level> -- <message>`. */
export type LogSink = (level: LogLevel, message: string) => void;

const REDACTED = '<redacted>';

/**
 * The charm's logger. Records at or above `level` (default `DEBUG`, as ops sets the root
 * logger) go to every sink; `main()` adds a sink that calls `juju-log`, so Juju filters by its
 * own `logging-config`. With no sink installed, records are dropped.
 *
 * Values registered with {@link Logger.redact} (the framework registers secret contents it
 * sees) are replaced by `<redacted>` in every record, so secret values never reach the log.
 *
 * @example
 * ```ts
 * import { logger } from '@opsjs/core';
 * logger.info(`listening on port ${port}`);
 * ```
 */
export class Logger {
  /** Records below this level are dropped. */
  level: LogLevel = 'DEBUG';
  readonly #sinks: LogSink[] = [];
  readonly #redactions = new Set<string>();

  /** Add a sink; returns a function that removes it again. */
  addSink(sink: LogSink): () => void {
    this.#sinks.push(sink);
    return () => {
      const i = this.#sinks.indexOf(sink);
      if (i >= 0) this.#sinks.splice(i, 1);
    };
  }

  /** Never log `value` verbatim again in this process (strings shorter than 4 are ignored). */
  redact(value: string): void {
    if (value.length >= 4) this.#redactions.add(value);
  }

  /** Whether a record at `level` would be emitted. */
  isEnabledFor(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.level);
  }

  /** `text` with every redacted value replaced by `<redacted>`. */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.#redactions) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /** Emit a record at `level`. */
  log(level: LogLevel, message: string): void {
    if (!this.isEnabledFor(level) || this.#sinks.length === 0) return;
    const text = this.scrub(message);
    for (const sink of [...this.#sinks]) sink(level, text);
  }

  /** Emit at `TRACE`. */
  trace(message: string): void {
    this.log('TRACE', message);
  }

  /** Emit at `DEBUG`. */
  debug(message: string): void {
    this.log('DEBUG', message);
  }

  /** Emit at `INFO`. */
  info(message: string): void {
    this.log('INFO', message);
  }

  /** Emit at `WARNING`. */
  warning(message: string): void {
    this.log('WARNING', message);
  }

  /** Emit at `ERROR`; with `error`, its stack (or message) and causes are appended. */
  error(message: string, error?: unknown): void {
    this.log('ERROR', error === undefined ? message : `${message}\n${formatError(error)}`);
  }

  /** Emit at `CRITICAL`. */
  critical(message: string): void {
    this.log('CRITICAL', message);
  }
}

/** @internal Render an error with its stack and its `cause` chain. */
export function formatError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(current.stack ?? `${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
    if (current !== undefined) parts.push('Caused by:');
  }
  return parts.join('\n');
}

/** The process-wide logger used by the framework and by charms. */
export const logger: Logger = new Logger();
