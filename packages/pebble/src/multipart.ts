/**
 * A streaming multipart/form-data parser (linear in the body size: it searches for the
 * delimiter in each new chunk plus a short tail, never re-slicing the whole body) and the
 * helpers to write multipart bodies. Used by the client (pull) and the fake server (push).
 * @internal
 */

/** A part's headers, with the fields of its Content-Disposition. @internal */
export interface PartHeaders {
  name: string | undefined;
  filename: string | undefined;
  contentType: string | undefined;
}

/** An event from {@link MultipartParser.push}. @internal */
export type MultipartEvent =
  | { type: 'part'; headers: PartHeaders }
  | { type: 'data'; chunk: Buffer }
  | { type: 'end-part' }
  | { type: 'end' };

const CRLF2 = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

/**
 * The length of the longest end of `buf` that is the start of `delimiter` (and could be
 * completed by the next chunk): only those bytes must be held back. @internal
 */
export function partialSuffix(buf: Buffer, delimiter: Buffer): number {
  const first = delimiter[0] ?? 0;
  let i = buf.indexOf(first, Math.max(0, buf.length - delimiter.length + 1));
  while (i !== -1) {
    const rest = buf.length - i;
    if (buf.compare(delimiter, 0, rest, i) === 0) return rest;
    i = buf.indexOf(first, i + 1);
  }
  return 0;
}
const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Incremental multipart parser: feed it chunks, get events back.
 * @internal
 */
export class MultipartParser {
  readonly #delimiter: Buffer;
  #state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  #pending: Buffer = Buffer.from('\r\n');

  constructor(boundary: string) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** True once the closing delimiter has been read. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /**
   * Feeds a chunk; returns the events it completes.
   * @throws {Error} when the body is malformed.
   */
  push(chunk: Buffer): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    const d = this.#delimiter.length;
    if (
      this.#state === 'body' &&
      this.#pending.length < d &&
      (this.#pending.length === 0 || chunk.length >= d - 1)
    ) {
      // Fast path for large bodies: search the chunk in place (and, when the previous chunk
      // ended with what may be the start of a delimiter, the short join of that tail and the
      // chunk's head), so that no chunk is copied; a chunk that cannot end inside a delimiter
      // is passed on whole, as one event.
      const tail = this.#pending;
      const across =
        tail.length === 0
          ? -1
          : Buffer.concat([tail, chunk.subarray(0, d - 1)]).indexOf(this.#delimiter);
      if (across === -1) {
        const at = chunk.indexOf(this.#delimiter);
        if (at === -1) {
          const keep = partialSuffix(chunk, this.#delimiter);
          if (tail.length > 0) events.push({ type: 'data', chunk: tail });
          if (chunk.length > keep) {
            const data = keep === 0 ? chunk : chunk.subarray(0, chunk.length - keep);
            events.push({ type: 'data', chunk: data });
          }
          this.#pending = keep === 0 ? EMPTY : chunk.subarray(chunk.length - keep);
          return events;
        }
        if (tail.length > 0) events.push({ type: 'data', chunk: tail });
        this.#pending = chunk;
      } else {
        // The delimiter starts inside the tail: join them, the rest of the work is small.
        this.#pending = Buffer.concat([tail, chunk]);
      }
    } else {
      this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    }
    for (;;) {
      const buf = this.#pending;
      if (this.#state === 'done') {
        this.#pending = Buffer.alloc(0);
        return events;
      }
      if (this.#state === 'preamble' || this.#state === 'body') {
        const at = buf.indexOf(this.#delimiter);
        if (at === -1) {
          const keep = partialSuffix(buf, this.#delimiter);
          const emit = buf.length - keep;
          if (this.#state === 'body' && emit > 0) {
            events.push({ type: 'data', chunk: buf.subarray(0, emit) });
          }
          this.#pending = buf.subarray(emit);
          return events;
        }
        if (this.#state === 'body') {
          if (at > 0) events.push({ type: 'data', chunk: buf.subarray(0, at) });
          events.push({ type: 'end-part' });
        }
        this.#pending = buf.subarray(at + this.#delimiter.length);
        this.#state = 'after-delimiter';
        continue;
      }
      if (this.#state === 'after-delimiter') {
        if (buf.length < 2) return events;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          this.#state = 'done';
          events.push({ type: 'end' });
          continue;
        }
        // Transport padding (spaces, tabs) may follow the delimiter before the CRLF.
        const eol = buf.indexOf('\r\n');
        if (eol === -1) {
          if (buf.length > 1024) throw new Error('multipart: malformed delimiter line');
          return events;
        }
        this.#pending = buf.subarray(eol + 2);
        this.#state = 'headers';
        continue;
      }
      // headers
      const end = buf.indexOf(CRLF2);
      const startsBlank = buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a;
      if (end === -1 && !startsBlank) {
        if (buf.length > MAX_HEADER_BYTES) throw new Error('multipart: part headers too large');
        return events;
      }
      const headerText = startsBlank ? '' : buf.subarray(0, end).toString('utf8');
      this.#pending = buf.subarray(startsBlank ? 2 : end + 4);
      events.push({ type: 'part', headers: parsePartHeaders(headerText) });
      this.#state = 'body';
    }
  }
}

/** Parses a part's header block. @internal */
export function parsePartHeaders(text: string): PartHeaders {
  const headers: PartHeaders = { name: undefined, filename: undefined, contentType: undefined };
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') headers.contentType = value;
    if (key === 'content-disposition') {
      const params = parseParams(value);
      headers.name = params.get('name');
      headers.filename = params.get('filename');
    }
  }
  return headers;
}

/** Parses `type; a=b; c="d"` parameters (quoted strings with backslash escapes). @internal */
export function parseParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/gu;
  for (const match of value.matchAll(re)) {
    const key = match[1];
    if (key === undefined) continue;
    const quoted = match[2];
    params.set(
      key.toLowerCase(),
      quoted === undefined ? (match[3] ?? '') : quoted.replace(/\\(.)/gu, '$1'),
    );
  }
  return params;
}

/** Reads the boundary from a multipart Content-Type, or `undefined`. @internal */
export function boundaryOf(contentType: string): string | undefined {
  if (!/^multipart\/form-data\s*(;|$)/iu.test(contentType)) return undefined;
  const boundary = parseParams(contentType).get('boundary');
  return boundary === '' ? undefined : boundary;
}

/** Quotes a MIME parameter value, escaping `"` and `\`. @internal */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/gu, (c) => `\\${c}`)}"`;
}
