/**
 * A GET whose reply body is streamed straight off its own unix-socket connection: the body
 * chunks handed on are views of the socket's reads. `node:http` copies each body chunk out of
 * its parser, which costs a file download (pull) about 40% more CPU; this reader does not.
 * The reply framing is HTTP/1.1's: `Content-Length`, chunked, or until the connection closes.
 * @internal
 */
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';

/** A download's reply, once its head is in. @internal */
export interface DownloadReply {
  status: number;
  contentType: string;
  body: Readable;
}

/** What {@link download} needs. @internal */
export interface DownloadOptions {
  socketPath: string;
  /** Path and query. */
  url: string;
  headers: Record<string, string>;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Errors of the transport's own making (timeouts, the connection closing early). */
  failure: (kind: 'connect' | 'headers' | 'body' | 'closed') => Error;
  /** Called with a function that ends the download (the client closing); `done` unregisters. */
  track: (end: (error: Error) => void) => () => void;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;

/**
 * Sends a GET with `Connection: close` and resolves with the reply once its head is in.
 * @internal
 */
export function download(options: DownloadOptions): Promise<DownloadReply> {
  return new Promise<DownloadReply>((resolve, reject) => {
    const socket: Socket = connect({ path: options.socketPath });
    const decoder = new BodyDecoder();
    let body: Readable | undefined;
    let head: Buffer = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const untrack = options.track((error) => end(error));
    const arm = (ms: number, fire: () => void): void => {
      clearTimeout(timer);
      timer = undefined;
      if (ms > 0 && Number.isFinite(ms)) {
        timer = setTimeout(fire, ms);
        timer.unref();
      }
    };
    /** Ends the exchange: an error before the head rejects, after it errors the body. */
    const end = (error: Error | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      untrack();
      socket.destroy();
      if (body === undefined) reject(error ?? options.failure('closed'));
      else if (error !== undefined) body.destroy(error);
      else body.push(null);
    };
    const feed = (chunk: Buffer): void => {
      if (body === undefined) return;
      let result: DecodeResult;
      try {
        result = decoder.push(chunk);
      } catch (error) {
        end(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      let more = true;
      for (const piece of result.data) more = body.push(piece);
      if (result.done) end(undefined);
      else if (!more) socket.pause();
    };
    const onHead = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const parsed = parseHead(head);
      if (parsed === undefined) return;
      if (parsed.status >= 100 && parsed.status < 200) {
        // An interim reply (100 Continue): the real head follows.
        head = Buffer.alloc(0);
        if (parsed.rest.length > 0) onHead(parsed.rest);
        return;
      }
      decoder.frame(parsed.headers, parsed.status);
      body = new Readable({
        highWaterMark: 64 * 1024,
        read: () => {
          if (!finished) socket.resume();
        },
        destroy: (error, callback) => {
          // The reader stopped reading: close the connection.
          if (!finished) {
            finished = true;
            clearTimeout(timer);
            untrack();
            socket.destroy();
          }
          callback(error);
        },
      });
      // The body timeout: no chunk for that long while the reader takes what comes (a reader
      // holding the body back pauses the socket, and the clock).
      arm(options.bodyTimeoutMs, () => {
        if (finished) return;
        if (socket.isPaused()) timer?.refresh();
        else end(options.failure('body'));
      });
      resolve({
        status: parsed.status,
        contentType: parsed.headers.get('content-type') ?? '',
        body,
      });
      if (decoder.complete) end(undefined);
      else if (parsed.rest.length > 0) feed(parsed.rest);
    };
    arm(options.connectTimeoutMs, () => end(options.failure('connect')));
    socket.on('connect', () => {
      arm(options.headersTimeoutMs, () => end(options.failure('headers')));
      const lines = [`GET ${options.url} HTTP/1.1`, 'Host: localhost', 'Connection: close'];
      for (const [name, value] of Object.entries(options.headers)) lines.push(`${name}: ${value}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (finished) return;
      if (body !== undefined) {
        timer?.refresh();
        feed(chunk);
        return;
      }
      try {
        onHead(chunk);
      } catch (error) {
        end(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on('error', (error) => end(error));
    socket.on('end', () => {
      if (body !== undefined && decoder.untilClose) end(undefined);
      else end(options.failure('closed'));
    });
    socket.on('close', () => end(options.failure('closed')));
  });
}

interface ParsedHead {
  status: number;
  headers: Map<string, string>;
  rest: Buffer;
}

/** Parses a reply head, or `undefined` while it is incomplete. */
function parseHead(buf: Buffer): ParsedHead | undefined {
  const at = buf.indexOf(HEAD_END);
  if (at === -1) {
    if (buf.length > MAX_HEAD_BYTES) throw new Error('reply head too large');
    return undefined;
  }
  const lines = buf.subarray(0, at).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: |$)/u.exec(lines[0] ?? '');
  if (match === null) throw new Error(`malformed status line ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers.get(name);
    headers.set(name, seen === undefined ? value : `${seen}, ${value}`);
  }
  return { status: Number(match[1]), headers, rest: buf.subarray(at + HEAD_END.length) };
}

interface DecodeResult {
  data: Buffer[];
  done: boolean;
}

/**
 * Removes the body framing: `Content-Length`, chunked (with extensions and trailers), or up to
 * the end of the connection. The data handed back are views of the input.
 * @internal
 */
export class BodyDecoder {
  #mode: 'length' | 'chunked' | 'close' = 'close';
  #remaining = 0;
  #state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  #line: Buffer = Buffer.alloc(0);

  /**
   * Chooses the framing from the reply status and headers (lower-case names).
   * @throws {Error} on a malformed Content-Length.
   */
  frame(headers: Map<string, string>, status: number): void {
    if (status === 204 || status === 304) {
      this.#mode = 'length';
      this.#state = 'done';
      return;
    }
    const te = headers.get('transfer-encoding');
    const length = headers.get('content-length');
    if (te !== undefined && /(?:^|,)\s*chunked\s*$/iu.test(te)) {
      this.#mode = 'chunked';
    } else if (length !== undefined) {
      if (!/^\d+$/u.test(length)) throw new Error(`malformed Content-Length ${length}`);
      this.#mode = 'length';
      this.#remaining = Number(length);
      if (this.#remaining === 0) this.#state = 'done';
    }
  }

  /** True when the body ends with the connection. */
  get untilClose(): boolean {
    return this.#mode === 'close';
  }

  /** True once the whole body has been read. */
  get complete(): boolean {
    return this.#state === 'done';
  }

  /**
   * Feeds bytes; returns the body data they hold and whether the body is complete.
   * @throws {Error} on malformed chunked framing.
   */
  push(chunk: Buffer): DecodeResult {
    const data: Buffer[] = [];
    if (this.#state === 'done') return { data, done: true };
    if (this.#mode === 'close') {
      data.push(chunk);
      return { data, done: false };
    }
    if (this.#mode === 'length') {
      if (chunk.length <= this.#remaining) {
        this.#remaining -= chunk.length;
        data.push(chunk);
      } else {
        data.push(chunk.subarray(0, this.#remaining));
        this.#remaining = 0;
      }
      if (this.#remaining === 0) this.#state = 'done';
      return { data, done: this.#state === 'done' };
    }
    let buf = chunk;
    while (buf.length > 0 && this.#state !== 'done') {
      if (this.#state === 'data') {
        const n = Math.min(this.#remaining, buf.length);
        data.push(buf.subarray(0, n));
        buf = buf.subarray(n);
        this.#remaining -= n;
        if (this.#remaining === 0) this.#state = 'data-end';
        continue;
      }
      // A line: a chunk size, the CRLF after chunk data, or a trailer line (its start may have
      // come in the previous input).
      if (this.#line.length > 0) {
        buf = Buffer.concat([this.#line, buf]);
        this.#line = Buffer.alloc(0);
      }
      const eol = buf.indexOf(CRLF);
      if (eol === -1) {
        if (buf.length > 4096) throw new Error('chunked body: line too long');
        this.#line = Buffer.from(buf);
        break;
      }
      const line = buf.subarray(0, eol).toString('latin1');
      buf = buf.subarray(eol + 2);
      if (this.#state === 'data-end') {
        if (line !== '') throw new Error('chunked body: missing CRLF after chunk data');
        this.#state = 'size';
      } else if (this.#state === 'size') {
        const size = /^([0-9a-fA-F]+)\s*(?:;.*)?$/u.exec(line);
        if (size?.[1] === undefined || size[1].length > 12) {
          throw new Error(`chunked body: malformed chunk size ${JSON.stringify(line)}`);
        }
        this.#remaining = Number.parseInt(size[1], 16);
        this.#state = this.#remaining === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        this.#state = 'done';
      }
    }
    return { data, done: this.#state === 'done' };
  }
}
