import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHookToolRunner } from '../../src/backend/run-hook-tool.js';
import { type SpawnSyncOptions, spawnSync } from '../../src/backend/spawn-sync.js';

// The fast path (Node's spawn_sync binding) must give exactly what child_process.spawnSync
// gives: every case runs through both and the results are compared field by field.
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-spawn-'));
  const tool = (name: string, body: string) =>
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  tool('echo-args', 'for a in "$@"; do printf "[%s]" "$a"; done');
  tool('cat-stdin', 'cat');
  tool('fail', 'printf "out"; printf "bad thing\\n" >&2; exit 3');
  tool('show-env', 'printf "%s|%s" "$OPSJS_X" "$HOME"');
  tool('show-cwd', 'pwd');
  tool('sleepy', 'sleep 5');
  tool('term-self', 'kill -TERM $$');
  tool('flood', 'head -c 200000 /dev/zero');
  tool('unicode', 'printf "caf\\303\\251 \\342\\234\\223"');
  tool('stdin-closed', 'if read line; then printf "got %s" "$line"; else printf "eof"; fi');
  env = { PATH: `${dir}:/usr/bin:/bin`, OPSJS_X: 'x value' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const options = (extra: Partial<SpawnSyncOptions> = {}): SpawnSyncOptions => ({
  input: '',
  env,
  timeout: 10_000,
  maxBuffer: 1024 * 1024,
  ...extra,
});

/** Runs both ways; returns the binding's result after checking it equals the public one. */
function both(
  file: string,
  args: readonly string[],
  opts: SpawnSyncOptions,
  { compareStdout = true } = {},
) {
  const fast = spawnSync(file, args, opts, 'auto');
  const pub = spawnSync(file, args, opts, 'public');
  const view = (r: typeof fast) => ({
    status: r.status,
    signal: r.signal,
    stdout: compareStdout ? r.stdout : '(not compared)',
    stderr: r.stderr,
    error:
      r.error === undefined
        ? undefined
        : {
            message: r.error.message,
            code: r.error.code,
            errno: r.error.errno,
            syscall: r.error.syscall,
            path: r.error.path,
            spawnargs: Reflect.get(r.error, 'spawnargs'),
          },
  });
  expect(view(fast)).toEqual(view(pub));
  return fast;
}

describe('spawnSync (binding and child_process agree)', () => {
  it('passes arguments verbatim, no shell', () => {
    const r = both('echo-args', ['a b', '$HOME', '', "'q'", '--', 'ü'], options());
    expect(r).toMatchObject({ status: 0, signal: null, stdout: "[a b][$HOME][]['q'][--][ü]" });
  });

  it('writes input to stdin, and gives an empty stdin end of file', () => {
    expect(both('cat-stdin', [], options({ input: 'line 1\nlïne 2\n' })).stdout).toBe(
      'line 1\nlïne 2\n',
    );
    expect(both('stdin-closed', [], options()).stdout).toBe('eof');
  });

  it('reports a non-zero exit with stdout and stderr', () => {
    expect(both('fail', [], options())).toMatchObject({
      status: 3,
      stdout: 'out',
      stderr: 'bad thing\n',
    });
  });

  it('gives the child exactly the environment passed (undefined values left out)', () => {
    const r = both('show-env', [], options({ env: { ...env, HOME: undefined } }));
    expect(r.stdout).toBe('x value|');
  });

  it("with env null, gives the child this process's environment, changes included", () => {
    // Vitest runs this file on a process's main thread, where process.env is the OS environment.
    process.env.OPSJS_X = 'set at run time';
    try {
      // The process's PATH does not have the test tools: name the tool by its path.
      const r = both(path.join(dir, 'show-env'), [], options({ env: null }));
      expect(r.stdout).toBe(`set at run time|${process.env.HOME ?? ''}`);
    } finally {
      delete process.env.OPSJS_X;
    }
    expect(both(path.join(dir, 'show-env'), [], options({ env: null })).stdout).toBe(
      `|${process.env.HOME ?? ''}`,
    );
  });

  it('runs in cwd', () => {
    expect(both('show-cwd', [], options({ cwd: os.tmpdir() })).stdout.trim()).toBe(
      fs.realpathSync(os.tmpdir()),
    );
  });

  it('decodes UTF-8 output', () => {
    expect(both('unicode', [], options()).stdout).toBe('café ✓');
  });

  it('a missing program: ENOENT, as child_process words it', () => {
    const r = both('no-such-tool-here', ['x'], options());
    expect(r.status).toBeNull();
    expect(r.error?.code).toBe('ENOENT');
    expect(r.error?.message).toBe('spawnSync no-such-tool-here ENOENT');
  });

  it('a program past its timeout: killed with SIGKILL, ETIMEDOUT', () => {
    const r = both('sleepy', [], options({ timeout: 100 }));
    expect(r).toMatchObject({ status: null, signal: 'SIGKILL' });
    expect(r.error?.code).toBe('ETIMEDOUT');
  });

  it('a program killed by a signal reports it', () => {
    expect(both('term-self', [], options())).toMatchObject({ status: null, signal: 'SIGTERM' });
  });

  it('output past maxBuffer: killed, ENOBUFS', () => {
    // How much was read before the kill depends on timing: stdout is not compared.
    const r = both('flood', [], options({ maxBuffer: 1000 }), { compareStdout: false });
    expect(r.error?.code).toBe('ENOBUFS');
    expect(r.signal).toBe('SIGKILL');
  });

  it('a timeout or maxBuffer out of range is rejected as child_process rejects it', () => {
    for (const bad of [
      { timeout: -1 },
      { timeout: 1.5 },
      { timeout: Number.NaN },
      { maxBuffer: -1 },
    ]) {
      const run = (impl: 'auto' | 'public') => () => spawnSync('echo-args', [], options(bad), impl);
      expect(run('auto')).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
      expect(run('public')).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    }
  });

  it('an argument or variable with a NUL byte is rejected as child_process rejects it', () => {
    const run = (impl: 'auto' | 'public') => () =>
      spawnSync('echo-args', ['a\0b'], options(), impl);
    expect(run('auto')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(run('public')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    const inEnv = (impl: 'auto' | 'public') => () =>
      spawnSync('echo-args', [], options({ env: { ...env, BAD: 'a\0b' } }), impl);
    expect(inEnv('auto')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(inEnv('public')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});

describe('createHookToolRunner({ inheritEnv })', () => {
  it('runs tools in the process environment (PATH included), not in `env`', () => {
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved ?? ''}`;
    process.env.OPSJS_X = 'from the process';
    try {
      const inherit = createHookToolRunner({ inheritEnv: true, env: { PATH: '/nowhere' } });
      expect(inherit('show-env', [])).toBe(`from the process|${process.env.HOME ?? ''}`);
      const copy = createHookToolRunner({ env: { ...process.env, OPSJS_X: 'from env' } });
      expect(copy('show-env', [])).toBe(`from env|${process.env.HOME ?? ''}`);
    } finally {
      process.env.PATH = saved;
      delete process.env.OPSJS_X;
    }
  });
});
