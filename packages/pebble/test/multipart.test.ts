import { describe, expect, it } from 'vitest';
import { MultipartParser, partialSuffix } from '../src/multipart.js';

const BOUNDARY = 'b0undary0123456789';

function body(parts: { name: string; data: Buffer }[]): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    pieces.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n`),
      part.data,
      Buffer.from('\r\n'),
    );
  }
  pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}

/** A deterministic pseudo-random generator (no Math.random in tests). */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

function parse(input: Buffer, cuts: number[]): { name: string | undefined; data: Buffer }[] {
  const parser = new MultipartParser(BOUNDARY);
  const out: { name: string | undefined; data: Buffer[] }[] = [];
  let start = 0;
  for (const end of [...cuts, input.length]) {
    for (const event of parser.push(input.subarray(start, end))) {
      if (event.type === 'part') out.push({ name: event.headers.name, data: [] });
      else if (event.type === 'data') out.at(-1)?.data.push(Buffer.from(event.chunk));
    }
    start = end;
  }
  expect(parser.done).toBe(true);
  return out.map((p) => ({ name: p.name, data: Buffer.concat(p.data) }));
}

describe('MultipartParser', () => {
  it('finds only the real delimiters, whatever the chunking, with near-misses in the data', () => {
    const random = prng(7);
    // Data full of CRs, CRLF-- and boundary prefixes: the held-back tails must be exact.
    const nearMisses = ['\r', '\r\n', '\r\n-', '\r\n--', `\r\n--${BOUNDARY.slice(0, 9)}`, 'x'];
    const make = (n: number): Buffer =>
      Buffer.from(
        Array.from({ length: n }, () => nearMisses[Math.floor(random() * nearMisses.length)]).join(
          '',
        ),
      );
    const parts = [
      { name: 'request', data: Buffer.from('{"a":1}') },
      { name: 'files', data: make(3000) },
      { name: 'files', data: make(500) },
    ];
    const input = body(parts);
    for (let round = 0; round < 200; round++) {
      const cuts: number[] = [];
      let at = 0;
      for (;;) {
        at += 1 + Math.floor(random() * (round % 2 === 0 ? 8 : 300));
        if (at >= input.length) break;
        cuts.push(at);
      }
      expect(parse(input, cuts)).toEqual(parts);
    }
  });

  it('passes a chunk that cannot end inside a delimiter on whole, without copying', () => {
    const parser = new MultipartParser(BOUNDARY);
    parser.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"\r\n\r\n`),
    );
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const events = parser.push(chunk);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.type === 'data' && event.chunk).toBe(chunk);
  });

  it('measures the partial delimiter at the end of a chunk', () => {
    const delimiter = Buffer.from(`\r\n--${BOUNDARY}`);
    expect(partialSuffix(Buffer.from('abc'), delimiter)).toBe(0);
    expect(partialSuffix(Buffer.from('abc\r'), delimiter)).toBe(1);
    expect(partialSuffix(Buffer.from('abc\r\n--b0u'), delimiter)).toBe(7);
    expect(partialSuffix(Buffer.from('\r\n--b0u\rx'), delimiter)).toBe(0);
    expect(partialSuffix(Buffer.from('\r\r\n'), delimiter)).toBe(2);
  });
});
