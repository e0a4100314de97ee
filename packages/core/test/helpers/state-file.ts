/**
 * The local state file's documented layout (see `LocalStateStore`), written and read
 * independently of the store, so that tests can build damaged, foreign or future files and
 * check what a commit wrote.
 */
import * as fs from 'node:fs';

export interface RecordSpec {
  readonly seq: number;
  /** The JSON body (any text: tests also write invalid JSON). */
  readonly body: string;
  readonly version?: number;
  /** Overrides the checksum in the header (a damaged record). */
  readonly checksum?: string;
}

export interface FoundRecord {
  readonly slot: 0 | 1;
  readonly version: number;
  readonly seq: number;
  readonly body: unknown;
}

/** The checksum a record's header carries for `body`: 32-bit FNV-1a over its UTF-16 units. */
export function checksumOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function slot(spec: RecordSpec | null, capacity: number): Buffer {
  const bytes = Buffer.alloc(capacity, ' ');
  if (spec !== null) {
    const sum = spec.checksum ?? checksumOf(spec.body);
    const length = Buffer.byteLength(spec.body);
    bytes.write(
      `opsjs-unit-state ${spec.version ?? 1} ${spec.seq} ${length} ${sum}\n${spec.body}\n`,
    );
  }
  bytes[capacity - 1] = 0x0a;
  return bytes;
}

/** The bytes of a state file whose two slots hold `first` and `second` (`null`: blank). */
export function stateFileBytes(
  first: RecordSpec | null,
  second: RecordSpec | null = null,
  capacity = 4096,
): Buffer {
  return Buffer.concat([slot(first, capacity), slot(second, capacity)]);
}

/** The body of a record holding `snapshots` and `notices`, as the store writes it. */
export function stateBody(
  snapshots: Record<string, unknown> = {},
  notices: Array<[string, string, string]> = [],
): string {
  return JSON.stringify({ snapshots, notices });
}

/** Every intact record of the state file at `file` (or of these bytes), slot 0 first. */
export function readRecords(file: string | Buffer): FoundRecord[] {
  const bytes = typeof file === 'string' ? fs.readFileSync(file) : file;
  const capacity = bytes.length / 2;
  const found: FoundRecord[] = [];
  for (const index of [0, 1] as const) {
    const text = bytes.toString('utf8', index * capacity, (index + 1) * capacity);
    const match = /^opsjs-unit-state (\d+) (\d+) (\d+) ([0-9a-f]{8})\n/.exec(text);
    if (match === null) continue;
    const start = index * capacity + match[0].length;
    const body = bytes.toString('utf8', start, start + Number(match[3]));
    if (checksumOf(body) !== match[4]) continue;
    found.push({
      slot: index,
      version: Number(match[1]),
      seq: Number(match[2]),
      body: JSON.parse(body),
    });
  }
  return found;
}

/** The current state in the file at `file` (or these bytes): the newest intact record. */
export function readState(file: string | Buffer): FoundRecord {
  const records = readRecords(file).sort((a, b) => b.seq - a.seq);
  const newest = records[0];
  if (newest === undefined) throw new Error('the state file holds no intact record');
  return newest;
}
