import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { APIError, ChangeError, ExecError, ExecTimeoutError } from '../src/errors.js';
import { setup } from './helpers/setup.js';

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describe('exec', () => {
  it('captures stdout and stderr separately with waitOutput', async () => {
    const { server, client } = await setup();
    server.handleExec('greet', ({ command, stdout, stderr }) => {
      stdout.write(`hello ${command[1]}\n`);
      stderr.write('warning\n');
      return 0;
    });
    const proc = await client.exec(['greet', 'world']);
    expect(await proc.waitOutput()).toEqual({ stdout: 'hello world\n', stderr: 'warning\n' });
    expect(proc.exitCode).toBe(0);
  });

  it('merges stderr into stdout with combineStderr', async () => {
    const { server, client } = await setup();
    server.handleExec('both', ({ stdout, stderr }) => {
      stdout.write('out ');
      stderr.write('err');
      return 0;
    });
    const proc = await client.exec(['both'], { combineStderr: true });
    expect(proc.stderr).toBeUndefined();
    expect(await proc.waitOutput()).toEqual({ stdout: 'out err', stderr: undefined });
  });

  it('sends the request fields and returns bytes with encoding null', async () => {
    const { server, client } = await setup();
    await client.addLayer('l', {
      services: {
        web: {
          override: 'replace',
          command: 'web',
          environment: { FROM: 'service' },
          workingDir: '/srv',
        },
      },
    });
    let seen: unknown;
    server.handleExec(['env', '-0'], (ctx) => {
      seen = {
        env: ctx.environment,
        workingDir: ctx.workingDir,
        user: ctx.user,
        group: ctx.group,
        serviceContext: ctx.serviceContext,
      };
      ctx.stdout.write(Buffer.from([0, 255]));
      return 0;
    });
    const proc = await client.exec(['env', '-0'], {
      environment: { FOO: 'bar' },
      serviceContext: 'web',
      user: 'app',
      encoding: null,
    });
    const { stdout } = await proc.waitOutput();
    expect([...stdout]).toEqual([0, 255]);
    expect(seen).toMatchObject({
      env: { FOO: 'bar', FROM: 'service', HOME: '/home/app', USER: 'app', LANG: 'C.UTF-8' },
      workingDir: '/srv',
      user: 'app',
      group: 'app',
      serviceContext: 'web',
    });
  });

  it('streams stdin from a Readable and both outputs to caller streams', async () => {
    const { server, client } = await setup();
    server.handleExec('tee', async ({ stdin, stdout, stderr }) => {
      for await (const chunk of stdin) {
        stdout.write(chunk);
        stderr.write(String(chunk).toUpperCase());
      }
      return 0;
    });
    const out = new PassThrough();
    const err = new PassThrough();
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`);
    const proc = await client.exec(['tee'], {
      stdin: Readable.from(lines),
      stdout: out,
      stderr: err,
    });
    expect(proc.stdout).toBeUndefined();
    await expect(proc.waitOutput()).rejects.toThrow(TypeError);
    await proc.wait();
    // Caller streams are written to, never ended by the client.
    expect(out.writableEnded).toBe(false);
    out.end();
    err.end();
    const [o, e] = await Promise.all([text(out), text(err)]);
    expect(o).toBe(lines.join(''));
    expect(e).toBe(lines.join('').toUpperCase());
  });

  it('exposes a stdin Writable that the caller ends', async () => {
    const { server, client } = await setup();
    server.handleExec('cat', async ({ stdin, stdout }) => {
      for await (const chunk of stdin) stdout.write(chunk);
      return 0;
    });
    const proc = await client.exec(['cat']);
    proc.stdin?.write('abc');
    proc.stdin?.end('def');
    const stdout = proc.stdout;
    if (stdout === undefined) throw new Error('stdout expected');
    const [output] = await Promise.all([text(stdout), proc.wait()]);
    expect(output).toBe('abcdef');
  });

  it('raises ExecError with exit code and captured output', async () => {
    const { server, client } = await setup();
    server.handleExec('fail', ({ stdout, stderr }) => {
      stdout.write('partial');
      stderr.write('oops');
      return 3;
    });
    const error = await (await client.exec(['fail'])).waitOutput().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecError);
    expect(error).toMatchObject({
      exitCode: 3,
      stdout: 'partial',
      stderr: 'oops',
      command: ['fail'],
    });
    expect((error as ExecError).message).toBe(
      "non-zero exit code 3 executing 'fail', stdout='partial', stderr='oops'",
    );
    const waited = await (await client.exec(['fail'])).wait().catch((e: unknown) => e);
    expect(waited).toMatchObject({ exitCode: 3, stdout: undefined });
  });

  it('reports a timeout as ExecTimeoutError, a ChangeError with exit code -1', async () => {
    const { server, client } = await setup();
    server.handleExec(
      'sleep',
      ({ signal }) =>
        new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(0))),
    );
    const proc = await client.exec(['sleep', '100'], { timeoutMs: 20 });
    const error = await proc.wait().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecTimeoutError);
    expect(error).toBeInstanceOf(ChangeError);
    expect((error as ExecTimeoutError).timedOut).toBe(true);
    expect((error as ExecTimeoutError).err).toContain(
      'timed out after 20ms: context deadline exceeded',
    );
    expect((error as ExecTimeoutError).change.tasks[0]).toMatchObject({ status: 'Error' });
  });

  it('sends signals over the control socket', async () => {
    const { server, client } = await setup();
    server.handleExec(
      'daemon',
      ({ onSignal }) =>
        new Promise<number>((resolve) => onSignal((name) => resolve(name === 'SIGUSR1' ? 42 : 1))),
    );
    server.handleExec(
      'victim',
      ({ signal }) =>
        new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(0))),
    );
    const daemon = await client.exec(['daemon']);
    daemon.sendSignal('SIGUSR1');
    await expect(daemon.wait()).rejects.toMatchObject({ exitCode: 42 });
    const victim = await client.exec(['victim']);
    victim.sendSignal(15);
    await expect(victim.wait()).rejects.toMatchObject({ exitCode: 128 + 15 });
  });

  it('reports a missing command and an unknown user as APIError', async () => {
    const { server, client } = await setup();
    server.handleExec('true', () => 0);
    const error = await client.exec(['nosuchcmd']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 400, apiMessage: 'cannot find executable "nosuchcmd"' });
    await expect(client.exec(['true'], { user: 'nobody-here' })).rejects.toMatchObject({
      apiMessage: 'user: unknown user nobody-here',
    });
    await expect(client.exec(['true'], { serviceContext: 'nope' })).rejects.toMatchObject({
      apiMessage: 'context service "nope" not found',
    });
    await expect(client.exec([])).rejects.toThrow(TypeError);
  });

  it('reports a failing handler as ChangeError', async () => {
    const { server, client } = await setup();
    server.handleExec('boom', () => {
      throw new Error('kaboom');
    });
    const error = await (await client.exec(['boom'])).wait().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangeError);
    expect((error as ChangeError).err).toContain('exec handler for "boom" failed: kaboom');
  });

  it('aborting an exec change ends it with exit code 137', async () => {
    const { server, client } = await setup();
    server.handleExec(
      'sleep',
      ({ signal }) =>
        new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(0))),
    );
    const proc = await client.exec(['sleep']);
    await client.abortChange(proc.changeId);
    await expect(proc.wait()).rejects.toMatchObject({ exitCode: 137 });
  });
});
