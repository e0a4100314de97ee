// The workload the charm pushes into its container: the real server on a loopback port.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workloadServerSource } from '../src/workload-source.js';
import { charmRoot, useTempDirs } from './helpers/state.js';

const tempDir = useTempDirs();
const serverFile = join(charmRoot, 'workload', 'server.mjs');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the server with `config` (port 0: any free port) and resolves with its port. */
function startServer(
  config: Record<string, unknown>,
): Promise<{ port: number; configFile: string }> {
  const dir = tempDir();
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ port: 0, ...config }));
  const child = spawn(process.execPath, [serverFile, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on port (\d+)/.exec(out);
      if (match?.[1] !== undefined) {
        const port = Number(match[1]);
        // The --stats mode reads the port from the config file.
        writeFileSync(configFile, JSON.stringify({ ...config, port }));
        resolve({ port, configFile });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

function fetchText(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('workload/server.mjs', () => {
  it('is what src/workload-source.ts embeds (run `pnpm run embed` after editing it)', () => {
    expect(workloadServerSource).toBe(readFileSync(serverFile, 'utf8'));
  });

  it('answers the greeting, the checks and token-protected stats', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'token'), 'tok\n');
    const { port, configFile } = await startServer({
      greeting: 'hello test',
      rateLimit: 100,
      debug: false,
      tokenFile: join(dir, 'token'),
    });
    expect(await fetchText(port, '/')).toEqual({ status: 200, body: 'hello test\n' });
    expect((await fetchText(port, '/alive')).status).toBe(200);
    expect((await fetchText(port, '/ready')).status).toBe(200);
    expect((await fetchText(port, '/nope')).status).toBe(404);
    expect((await fetchText(port, '/stats')).status).toBe(401);
    const stats = await fetchText(port, '/stats', { authorization: 'Bearer tok' });
    expect(JSON.parse(stats.body)).toMatchObject({ requests: 6, rejected: 0 });
    const printed = execFileSync(
      process.execPath,
      [serverFile, '--config', configFile, '--stats'],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(printed)).toMatchObject({ requests: 7, rejected: 0 });
  });

  it('answers 429 beyond the rate limit; the checks are never limited', async () => {
    // Below one request per second, every request is over the limit: deterministic.
    const { port } = await startServer({ greeting: 'x', rateLimit: 0.5, debug: false });
    expect((await fetchText(port, '/')).status).toBe(429);
    expect((await fetchText(port, '/alive')).status).toBe(200);
    expect((await fetchText(port, '/ready')).status).toBe(200);
  });
});
