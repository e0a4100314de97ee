import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateStoreError } from '../errors.js';
import { describe, isPlainObject, snapshotProblem } from '../snapshot.js';
import { BufferedStateStore, type Notice, type SnapshotData } from './state-store.js';

/** File name of the local unit-state store inside the charm directory. */
export const LOCAL_STATE_FILE = '.unit-state.json';

const FORMAT = 'opsjs-unit-state';
const VERSION = 1;

/** What a state file holds, once checked. */
interface StateFile {
  readonly version: number;
  readonly snapshots: ReadonlyMap<string, SnapshotData>;
  readonly notices: Notice[];
}

/** Where (a dotted path, `''` for the whole file) and how a state file is not {@link StateFile}. */
class ShapeError {
  readonly where: string;
  readonly message: string;
  constructor(where: string, message: string) {
    this.where = where;
    this.message = message;
  }
}

/**
 * Check a parsed state file by hand. Not a zod schema: this file is opsjs's own (written by
 * {@link LocalStateStore.commit} from checked snapshots), and every dispatch reads it, where
 * building and first running a schema would cost more than the rest of the read.
 */
function checkStateFile(raw: unknown): StateFile | ShapeError {
  if (!isPlainObject(raw)) return new ShapeError('', `expected an object, got ${describe(raw)}`);
  if (raw.format !== FORMAT) {
    return new ShapeError('format', `expected ${JSON.stringify(FORMAT)}`);
  }
  const version = raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return new ShapeError('version', `expected an integer, got ${describe(version)}`);
  }
  const snapshotsIn = raw.snapshots;
  if (!isPlainObject(snapshotsIn)) {
    return new ShapeError('snapshots', `expected an object, got ${describe(snapshotsIn)}`);
  }
  const snapshots = new Map<string, SnapshotData>();
  for (const [handle, data] of Object.entries(snapshotsIn)) {
    // The check a snapshot passes before it is saved (JSON.parse gives no cycles).
    const bad = snapshotProblem(data);
    if (bad !== undefined) {
      const at = bad.at === '' ? '' : bad.at.startsWith('[') ? bad.at : `.${bad.at}`;
      return new ShapeError(`snapshots.${handle}${at}`, bad.problem);
    }
    // Checked just above: a plain object of JSON values, which is what SnapshotData is.
    snapshots.set(handle, data as SnapshotData);
  }
  const noticesIn = raw.notices;
  if (!Array.isArray(noticesIn)) {
    return new ShapeError('notices', `expected an array, got ${describe(noticesIn)}`);
  }
  const notices: Notice[] = [];
  for (const [i, entry] of noticesIn.entries()) {
    if (
      !Array.isArray(entry) ||
      entry.length !== 3 ||
      !entry.every((part): part is string => typeof part === 'string')
    ) {
      return new ShapeError(
        `notices.${i}`,
        'expected [eventPath, observerPath, methodName], three strings',
      );
    }
    const [eventPath, observerPath, methodName] = entry as [string, string, string];
    notices.push({ eventPath, observerPath, methodName });
  }
  return { version, snapshots, notices };
}

/**
 * The default {@link StateStore}: one JSON file (`.unit-state.json`, mode 0600) in the charm
 * directory, read once when opened and replaced atomically on `commit()`.
 *
 * Crash safety: the new content is written to a temporary file in the same directory, flushed
 * with `fsync`, renamed over the old file, and the directory is flushed. A `kill -9` at any
 * instant therefore leaves either the previous or the next state, never a torn file; leftover
 * temporary files are ignored and removed by the next commit.
 *
 * Differs from ops, which uses SQLite (`.unit-state.db`, pickled snapshots): opsjs cannot read
 * a state file written by Python ops and uses another file name so the two never collide.
 *
 * @example
 * ```ts
 * const store = new LocalStateStore('/var/lib/juju/agents/unit-demo-0/charm');
 * ```
 */
export class LocalStateStore extends BufferedStateStore {
  /** Absolute path of the state file. */
  readonly filePath: string;
  /** Whether the state file existed when the store was opened. */
  readonly existed: boolean;
  #closed = false;
  /** The file's text as read when opened (a commit that would write the same text is skipped). */
  #onDisk: string | undefined;

  /**
   * Open the store, reading and validating the existing file if there is one.
   *
   * @param charmDir - the charm directory (`JUJU_CHARM_DIR`)
   * @param fileName - the file name inside it; defaults to {@link LOCAL_STATE_FILE}
   * @throws {StateStoreError} when the file cannot be read, is not valid JSON (corrupted or
   *   truncated), or was written in an unknown format version
   */
  constructor(charmDir: string, fileName: string = LOCAL_STATE_FILE) {
    super();
    this.filePath = path.resolve(charmDir, fileName);
    let text: string;
    try {
      text = fs.readFileSync(this.filePath, 'utf8');
    } catch (err) {
      if (isErrno(err) && err.code === 'ENOENT') {
        this.existed = false;
        return;
      }
      throw new StateStoreError(this.filePath, 'cannot read the unit state file', { cause: err });
    }
    this.existed = true;
    this.#onDisk = text;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new StateStoreError(
        this.filePath,
        `the unit state file is corrupted or truncated (${text.length} bytes, not valid JSON); ` +
          'move it away to start from empty state',
        { cause: err },
      );
    }
    const parsed = checkStateFile(raw);
    if (parsed instanceof ShapeError) {
      throw new StateStoreError(
        this.filePath,
        `the unit state file does not have the expected shape at ${parsed.where || '(root)'}: ` +
          parsed.message,
      );
    }
    if (parsed.version > VERSION) {
      throw new StateStoreError(
        this.filePath,
        `the unit state file has format version ${parsed.version}, newer than the ` +
          `${VERSION} this opsjs reads; it was written by a newer opsjs`,
      );
    }
    this.snapshots = new Map(parsed.snapshots);
    this.noticeQueue = parsed.notices;
  }

  /**
   * Atomically replace the state file with the pending state (nothing is written when the file
   * already holds exactly that state).
   *
   * @throws {StateStoreError} when the file cannot be written; the previous file is then
   *   left as it was
   */
  commit(): void {
    if (this.#closed) throw new StateStoreError(this.filePath, 'commit after close');
    const body = `${JSON.stringify({
      format: FORMAT,
      version: VERSION,
      snapshots: Object.fromEntries(this.snapshots),
      notices: this.noticeQueue.map((n) => [n.eventPath, n.observerPath, n.methodName]),
    })}\n`;
    // Unchanged state (most hooks of a settled charm): the file already holds exactly this, so
    // skip the write and its two fsyncs.
    if (body === this.#onDisk) return;
    const dir = path.dirname(this.filePath);
    const base = path.basename(this.filePath);
    const tmp = path.join(dir, `${base}.tmp-${process.pid}`);
    try {
      removeStaleTemps(dir, base);
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, body);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.filePath);
      fsyncDir(dir);
      this.#onDisk = body;
    } catch (err) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // The write error below is the one that matters; a leftover temp file is harmless.
      }
      throw new StateStoreError(this.filePath, 'cannot write the unit state file', {
        cause: err,
      });
    }
  }

  close(): void {
    this.#closed = true;
  }
}

function removeStaleTemps(dir: string, base: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(`${base}.tmp-`)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (err) {
    // Some filesystems refuse fsync on a directory (EINVAL/EISDIR/EPERM); the rename is
    // already atomic there.
    if (!(isErrno(err) && ['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(err.code ?? ''))) {
      throw err;
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}
