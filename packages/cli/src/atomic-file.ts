import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError, OutputError } from './errors.js';

/**
 * Runs `write` on a temporary path beside `target`, then renames it onto `target`; on any
 * failure the temporary file is removed, so no partial file is ever left behind.
 *
 * @internal
 * @throws {OutputError} when the directory cannot be created or written.
 */
export async function withTempFile<T>(
  target: string,
  what: string,
  write: (tempPath: string) => Promise<T>,
): Promise<T> {
  const dir = dirname(target);
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    throw new OutputError(
      `${dir}: cannot create the output directory for ${what}: ${reason(cause)}`,
      {
        file: dir,
        cause,
      },
    );
  }
  const temp = join(
    dir,
    `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const result = await write(temp);
    await rename(temp, target);
    return result;
  } catch (cause) {
    await rm(temp, { force: true });
    if (cause instanceof CliError || !isSystemError(cause)) {
      throw cause;
    }
    throw new OutputError(`${target}: cannot write ${what}: ${reason(cause)}`, {
      file: target,
      cause,
    });
  }
}

/**
 * Writes `data` to `target` atomically (temporary file + rename).
 *
 * @internal
 * @throws {OutputError} when the file cannot be written.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  what: string,
  mode = 0o644,
): Promise<void> {
  await withTempFile(target, what, async (temp) => {
    await writeFile(temp, data, { mode });
  });
}

/** A short reason for a Node file-system error, without its stack. @internal */
export function reason(cause: unknown): string {
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
    switch (code) {
      case 'EACCES':
      case 'EPERM':
        return 'permission denied';
      case 'ENOTDIR':
        return 'a parent path is not a directory';
      case 'ENOENT':
        return 'no such file or directory';
      case 'EROFS':
        return 'read-only file system';
      case 'EEXIST':
        return 'already exists';
      case 'EISDIR':
        return 'is a directory';
      default:
        return code === undefined ? cause.message : `${code}: ${cause.message}`;
    }
  }
  return String(cause);
}

function isSystemError(cause: unknown): boolean {
  return cause instanceof Error && 'code' in cause && typeof cause.code === 'string';
}
