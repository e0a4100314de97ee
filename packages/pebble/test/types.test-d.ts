import type { Readable } from 'node:stream';
import { describe, expectTypeOf, it } from 'vitest';
import type { ChangeError, ExecError } from '../src/errors.js';
import type { ExecOutput, ExecProcess } from '../src/exec-process.js';
import type { PebbleClient } from '../src/pebble-client.js';

describe('PebbleClient types', () => {
  it('types pull by encoding', () => {
    expectTypeOf<PebbleClient['pull']>().toBeCallableWith('/a');
    type TextPull = (path: string) => Promise<string>;
    type StreamPull = (path: string, options: { encoding: null }) => Promise<Readable>;
    expectTypeOf<PebbleClient['pull']>().toMatchTypeOf<TextPull>();
    expectTypeOf<PebbleClient['pull']>().toMatchTypeOf<StreamPull>();
  });

  it('types exec output by encoding', () => {
    expectTypeOf<ReturnType<ExecProcess<string>['waitOutput']>>().toEqualTypeOf<
      Promise<ExecOutput<string>>
    >();
    expectTypeOf<ReturnType<ExecProcess<Buffer>['waitOutput']>>().toEqualTypeOf<
      Promise<ExecOutput<Buffer>>
    >();
    type BytesExec = (
      command: string[],
      options: { encoding: null },
    ) => Promise<ExecProcess<Buffer>>;
    expectTypeOf<PebbleClient['exec']>().toMatchTypeOf<BytesExec>();
  });

  it('carries typed fields on errors', () => {
    expectTypeOf<ExecError['exitCode']>().toEqualTypeOf<number>();
    expectTypeOf<ChangeError['change']['id']>().toEqualTypeOf<string>();
  });
});
