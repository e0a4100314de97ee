import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateStoreError } from '../errors.js';
import { describe, isPlainObject, snapshotProblem } from '../snapshot.js';
import { BufferedStateStore, type Notice, type SnapshotData } from './state-store.js';

/** File name of the local unit-state store inside the charm directory. */
export const LOCAL_STATE_FILE = '.unit-state.opsjs';

/** The first word of every record's header line. */
const FORMAT = 'opsjs-unit-state';
/** The record format this version reads and writes. */
const VERSION = 1;
/** Slots are whole multiples of this (a page, and a multiple of any disk sector). */
const BLOCK = 4096;
/** Longest header line a record may have (format and four fields of at most 15 characters). */
const HEADER_MAX = FORMAT.length + 4 * 16 + 1;

/** What a record's body holds, once checked. */
interface StateFile {
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
 * Check a parsed record body by hand. Not a zod schema: this file is opsjs's own (written by
 * {@link LocalStateStore.commit} from checked snapshots), and every dispatch reads it, where
 * building and first running a schema would cost more than the rest of the read.
 */
function checkStateFile(raw: unknown): StateFile | ShapeError {
  if (!isPlainObject(raw)) return new ShapeError('', `expected an object, got ${describe(raw)}`);
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
  return { snapshots, notices };
}

/** A record read back from one slot of the file. */
interface SlotRecord {
  /** Which slot (0 or 1) holds it. */
  readonly slot: 0 | 1;
  readonly version: number;
  readonly seq: number;
  /** The body's JSON text. */
  readonly body: string;
}

/**
 * 32-bit FNV-1a over the UTF-16 code units of `text`, as 8 hex digits: enough to tell a record
 * that was written whole from one a crash cut short or mixed with the slot's older bytes.
 */
function checksum(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** A header field that is a decimal integer (digits only, at most 15), or -1. */
function decimal(field: string | undefined): number {
  if (field === undefined || field.length === 0 || field.length > 15) return -1;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
  }
  return Number(field);
}

/**
 * The intact record in slot `slot` of `bytes` (slots of `capacity` bytes), if there is one: a
 * header line `opsjs-unit-state <version> <seq> <body bytes> <checksum>` (checked by hand: this
 * runs in every dispatch), then a body whose checksum matches.
 */
function readSlot(bytes: Buffer, slot: 0 | 1, capacity: number): SlotRecord | undefined {
  const start = slot * capacity;
  const end = start + capacity;
  // A blank slot (spaces) or a foreign file fails on the first byte.
  if (bytes[start] !== FORMAT.charCodeAt(0)) return undefined;
  const newline = bytes.indexOf(0x0a, start);
  if (newline === -1 || newline - start > HEADER_MAX) return undefined;
  const [format, versionField, seqField, lengthField, sum, ...rest] = bytes
    .toString('latin1', start, newline)
    .split(' ');
  const version = decimal(versionField);
  const seq = decimal(seqField);
  const length = decimal(lengthField);
  if (format !== FORMAT || version < 0 || seq < 0 || length < 0 || rest.length > 0) {
    return undefined;
  }
  const bodyStart = newline + 1;
  const bodyEnd = bodyStart + length;
  if (bodyEnd >= end || sum === undefined) return undefined;
  const body = bytes.toString('utf8', bodyStart, bodyEnd);
  if (checksum(body) !== sum) return undefined;
  return { slot, version, seq, body };
}

/**
 * One slot's bytes: the record (header line, body, newline) padded with spaces, and a newline
 * as the last byte, so that the file stays readable text.
 */
function slotBytes(record: string, capacity: number): Buffer {
  const bytes = Buffer.alloc(capacity, 0x20);
  bytes.write(record, 0, 'utf8');
  bytes[capacity - 1] = 0x0a;
  return bytes;
}

/**
 * The default {@link StateStore}: one file (`.unit-state.opsjs`, mode 0600) in the charm
 * directory, read once when opened and updated on `commit()`.
 *
 * Layout: two slots of equal size (a multiple of 4 KiB), each holding one record: a header line
 * `opsjs-unit-state <version> <sequence> <body bytes> <checksum>` and a JSON body
 * `{"snapshots":{...},"notices":[[eventPath, observerPath, methodName], ...]}`, padded with
 * spaces. The record with the higher sequence number whose checksum matches is the state.
 *
 * Crash safety: a commit overwrites the *other* slot in place and flushes it (`fdatasync`), so
 * the slot holding the current state is never written; a `kill -9` or power loss in the middle
 * leaves a torn record whose checksum does not match, and the previous state is read. When the
 * record outgrows its slot (and on the first commit) the whole file is replaced atomically
 * instead: a temporary file in the same directory, `fsync`, rename, directory `fsync`; leftover
 * temporary files are removed by the next such replacement. Either way a crash leaves the
 * previous or the next state, never a torn one; the in-place path costs one data flush (no
 * rename, no journal commit), which is what most hooks pay.
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
  /** The current record's body (a commit that would write the same body is skipped). */
  #onDisk: string | undefined;
  /** Slot size of the file on disk; `undefined` when there is no file yet. */
  #capacity: number | undefined;
  /** The slot holding the current record. */
  #slot: 0 | 1 = 0;
  /** The current record's sequence number. */
  #seq = 0;
  /** Whether the file's mode is 0600 (reset on the next commit when not). */
  #private = true;

  /**
   * Open the store, reading and validating the existing file if there is one.
   *
   * @param charmDir - the charm directory (`JUJU_CHARM_DIR`)
   * @param fileName - the file name inside it; defaults to {@link LOCAL_STATE_FILE}
   * @throws {StateStoreError} when the file cannot be read, holds no intact record (corrupted
   *   or truncated), was written in an unknown format version, or its state has the wrong shape
   */
  constructor(charmDir: string, fileName: string = LOCAL_STATE_FILE) {
    super();
    this.filePath = path.resolve(charmDir, fileName);
    let bytes: Buffer;
    try {
      const fd = fs.openSync(this.filePath, 'r');
      try {
        this.#private = (fs.fstatSync(fd).mode & 0o777) === 0o600;
        bytes = fs.readFileSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      if (isErrno(err) && err.code === 'ENOENT') {
        this.existed = false;
        return;
      }
      throw new StateStoreError(this.filePath, 'cannot read the unit state file', { cause: err });
    }
    this.existed = true;
    const damaged = (why: string) =>
      new StateStoreError(
        this.filePath,
        `the unit state file is corrupted or truncated (${bytes.length} bytes, ${why}); ` +
          'move it away to start from empty state',
      );
    if (bytes.length === 0 || bytes.length % (2 * BLOCK) !== 0) {
      throw damaged(`not two slots of a multiple of ${BLOCK} bytes`);
    }
    const capacity = bytes.length / 2;
    const first = readSlot(bytes, 0, capacity);
    const second = readSlot(bytes, 1, capacity);
    const record =
      first === undefined || (second !== undefined && second.seq > first.seq) ? second : first;
    if (record === undefined) throw damaged('no intact record');
    if (record.version > VERSION) {
      throw new StateStoreError(
        this.filePath,
        `the unit state file has format version ${record.version}, newer than the ` +
          `${VERSION} this opsjs reads; it was written by a newer opsjs`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(record.body);
    } catch (err) {
      throw new StateStoreError(
        this.filePath,
        `the unit state file's record ${record.seq} is not valid JSON`,
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
    this.snapshots = new Map(parsed.snapshots);
    this.noticeQueue = parsed.notices;
    this.#onDisk = record.body;
    this.#capacity = capacity;
    this.#slot = record.slot;
    this.#seq = record.seq;
  }

  /**
   * Make the pending state the file's current state (nothing is written when it already is).
   *
   * @throws {StateStoreError} when the file cannot be written; the previous state is then
   *   still the file's current state
   */
  commit(): void {
    if (this.#closed) throw new StateStoreError(this.filePath, 'commit after close');
    const body = JSON.stringify({
      snapshots: Object.fromEntries(this.snapshots),
      notices: this.noticeQueue.map((n) => [n.eventPath, n.observerPath, n.methodName]),
    });
    // Unchanged state (most hooks of a settled charm): skip the write and its flush.
    if (body === this.#onDisk) return;
    const seq = this.#seq + 1;
    const record = `${FORMAT} ${VERSION} ${seq} ${Buffer.byteLength(body)} ${checksum(body)}\n${body}\n`;
    const size = Buffer.byteLength(record);
    try {
      if (this.#capacity === undefined || size >= this.#capacity || !this.#overwrite(record)) {
        // No file yet, or the record outgrew its slot: a new file, with room to grow.
        const capacity = Math.max(BLOCK, Math.ceil((2 * size) / BLOCK) * BLOCK);
        this.#replace(record, capacity);
        this.#capacity = capacity;
        this.#slot = 0;
      }
    } catch (err) {
      throw new StateStoreError(this.filePath, 'cannot write the unit state file', {
        cause: err,
      });
    }
    this.#seq = seq;
    this.#onDisk = body;
  }

  /**
   * Write `record` over the slot that does not hold the current state and flush it. Returns
   * false when the file has gone (it is then written anew).
   */
  #overwrite(record: string): boolean {
    const capacity = this.#capacity ?? BLOCK;
    const slot = this.#slot === 0 ? 1 : 0;
    let fd: number;
    try {
      fd = fs.openSync(this.filePath, 'r+');
    } catch (err) {
      if (isErrno(err) && err.code === 'ENOENT') return false;
      throw err;
    }
    try {
      if (!this.#private) {
        fs.fchmodSync(fd, 0o600);
        this.#private = true;
      }
      try {
        writeAll(fd, slotBytes(record, capacity), slot * capacity);
        fs.fdatasyncSync(fd);
      } catch (err) {
        // The record may have reached the file whole although its flush failed: blank its
        // first byte, so that the state stays the one this commit was to replace.
        try {
          fs.writeSync(fd, ' ', slot * capacity);
        } catch {
          // Nothing more to do; the error below is the one to report.
        }
        throw err;
      }
    } finally {
      fs.closeSync(fd);
    }
    this.#slot = slot;
    return true;
  }

  /** Replace the file atomically by one whose first slot holds `record`. */
  #replace(record: string, capacity: number): void {
    const dir = path.dirname(this.filePath);
    const base = path.basename(this.filePath);
    const tmp = path.join(dir, `${base}.tmp-${process.pid}`);
    const bytes = Buffer.concat([slotBytes(record, capacity), slotBytes('', capacity)]);
    try {
      removeStaleTemps(dir, base);
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        writeAll(fd, bytes, 0);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.filePath);
      fsyncDir(dir);
      this.#private = true;
    } catch (err) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // The write error is the one that matters; a leftover temp file is harmless.
      }
      throw err;
    }
  }

  close(): void {
    this.#closed = true;
  }
}

/** Write all of `bytes` at `position` (a regular file takes it in one call; loop anyway). */
function writeAll(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
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
