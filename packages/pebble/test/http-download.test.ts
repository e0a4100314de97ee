import { describe, expect, it } from 'vitest';
import { BodyDecoder } from '../src/http-download.js';

/** Feeds `wire` to a decoder in pieces cut at `cuts`; returns the body and whether it ended. */
function decode(
  headers: Record<string, string>,
  wire: Buffer,
  cuts: number[],
  status = 200,
): { body: string; done: boolean } {
  const decoder = new BodyDecoder();
  decoder.frame(new Map(Object.entries(headers)), status);
  const parts: Buffer[] = [];
  let done = decoder.complete;
  let from = 0;
  for (const cut of [...cuts, wire.length]) {
    if (done) break;
    const result = decoder.push(wire.subarray(from, cut));
    parts.push(...result.data);
    done = result.done;
    from = cut;
  }
  return { body: Buffer.concat(parts).toString('latin1'), done };
}

describe('BodyDecoder', () => {
  const chunked = Buffer.from(
    '5;ext="a;b"\r\nhello\r\n1A\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nX-Trailer: 1\r\n\r\n',
  );
  const text = 'hello abcdefghijklmnopqrstuvwxy';

  it('decodes a chunked body cut at every position, with extensions and trailers', () => {
    const te = { 'transfer-encoding': 'chunked' };
    for (let i = 0; i <= chunked.length; i++) {
      expect(decode(te, chunked, [i]), `cut at ${i}`).toEqual({ body: text, done: true });
    }
    const bytewise = Array.from({ length: chunked.length }, (_, i) => i);
    expect(decode(te, chunked, bytewise)).toEqual({ body: text, done: true });
  });

  it('stops at the end of a chunked body, and is not done before it', () => {
    const te = { 'transfer-encoding': 'gzip, chunked' };
    expect(decode(te, Buffer.concat([chunked, Buffer.from('garbage')]), [])).toEqual({
      body: text,
      done: true,
    });
    expect(decode(te, chunked.subarray(0, chunked.length - 2), [])).toEqual({
      body: text,
      done: false,
    });
  });

  it('reads Content-Length bytes, or up to the close, or nothing for 204', () => {
    expect(decode({ 'content-length': '5' }, Buffer.from('helloXX'), [2])).toEqual({
      body: 'hello',
      done: true,
    });
    expect(decode({ 'content-length': '0' }, Buffer.from(''), [])).toEqual({
      body: '',
      done: true,
    });
    expect(decode({}, Buffer.from('until close'), [3])).toEqual({
      body: 'until close',
      done: false,
    });
    expect(decode({ 'content-length': '9' }, Buffer.from('x'), [], 204)).toEqual({
      body: '',
      done: true,
    });
  });

  it('rejects malformed framing', () => {
    const te = { 'transfer-encoding': 'chunked' };
    expect(() => decode(te, Buffer.from('zz\r\n'), [])).toThrow(
      'chunked body: malformed chunk size "zz"',
    );
    expect(() => decode(te, Buffer.from('1\r\nab\r\n'), [])).toThrow(
      'chunked body: missing CRLF after chunk data',
    );
    expect(() => decode({ 'content-length': '-1' }, Buffer.from(''), [])).toThrow(
      'malformed Content-Length -1',
    );
  });
});
