import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CharmMeta, Model } from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import { CharmBase } from '../src/charm.js';
import type { CollectStatusEvent, InstallEvent } from '../src/charm-events.js';
import { BreakpointError } from '../src/errors.js';
import { Framework } from '../src/framework.js';
import { Logger, type LogLevel } from '../src/logger.js';
import { MemoryStateStore } from '../src/storage/state-store.js';
import { dispatch } from './helpers/dispatch.js';

function framework(debugAt: string[], stops: Array<string | undefined>) {
  const logs: Array<[LogLevel, string]> = [];
  const logger = new Logger();
  logger.addSink((level, message) => logs.push([level, message]));
  const fw = new Framework({
    store: new MemoryStateStore(),
    model: {} as Model,
    meta: {} as CharmMeta,
    charmDir: '/x',
    logger,
    debugAt: new Set(debugAt),
    onBreakpoint: (name) => stops.push(name),
  });
  return { fw, logs };
}

describe('Framework.breakpoint', () => {
  it('does nothing without JUJU_DEBUG_AT, and rejects bad names', () => {
    const stops: Array<string | undefined> = [];
    const { fw, logs } = framework([], stops);
    fw.breakpoint('db-setup');
    fw.breakpoint();
    expect(stops).toEqual([]);
    expect(logs).toEqual([]);
    expect(() => fw.breakpoint('hook')).toThrow(BreakpointError);
    expect(() => fw.breakpoint('all')).toThrow('breakpoint names "all" and "hook" are reserved');
    expect(() => fw.breakpoint('Bad_Name')).toThrow(
      'breakpoint names must look like "foo" or "foo-bar"',
    );
  });

  it('stops at selected breakpoints and logs skipped ones', () => {
    const stops: Array<string | undefined> = [];
    const { fw, logs } = framework(['db-setup'], stops);
    fw.breakpoint('db-setup');
    fw.breakpoint('other');
    expect(stops).toEqual(['db-setup']);
    expect(logs).toEqual([
      [
        'WARNING',
        "Breakpoint 'other' skipped (not found in the requested breakpoints: {'db-setup'})",
      ],
    ]);
    const all: Array<string | undefined> = [];
    framework(['all'], all).fw.breakpoint();
    expect(all).toEqual([undefined]);
  });

  it('stops before Juju event handlers with `hook`, not before framework events', async () => {
    const stops: Array<string | undefined> = [];
    const order: string[] = [];
    class Charm extends CharmBase {
      constructor(fw: Framework) {
        super(fw);
        this.observe(this.on.install, this.onInstall);
        this.observe(this.on.collectUnitStatus, this.onStatus);
      }
      onInstall(_e: InstallEvent): void {
        order.push(`install after ${stops.length} stop(s)`);
      }
      onStatus(_e: CollectStatusEvent): void {
        order.push(`status after ${stops.length} stop(s)`);
      }
    }
    const run = await dispatch(Charm, 'hooks/install', {
      fields: { debugAt: new Set(['hook']) },
      onBreakpoint: (name) => stops.push(name),
    });
    expect(run.exitCode).toBe(0);
    expect(stops).toEqual(['hook']);
    expect(order).toEqual(['install after 1 stop(s)', 'status after 1 stop(s)']);
  });
});

describe('pauseInInspector', () => {
  it('waits for a debugger to attach in the Node inspector, then continues', async () => {
    const dist = pathToFileURL(
      path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'breakpoint.js'),
    ).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { pauseInInspector } from ${JSON.stringify(dist)}; pauseInInspector('db-setup'); console.log('continued');`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /waiting for a debugger at (ws:\/\/\S+)/.exec(stderr);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    expect(stderr).toContain('Starting the Node inspector to debug the charm.');
    expect(stderr).toContain('Breakpoint db-setup: waiting for a debugger at ws://127.0.0.1:');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const continued = new Promise<void>((resolve) => {
      child.stdout.on('data', () => {
        if (stdout.includes('continued')) resolve();
      });
    });
    const socket = new WebSocket(url);
    await new Promise<void>((resolve) => socket.addEventListener('open', () => resolve()));
    socket.send(JSON.stringify({ id: 1, method: 'Runtime.runIfWaitingForDebugger' }));
    await continued;
    // The attached debugger keeps the process alive until it detaches.
    socket.close();
    const code = await exited;
    expect(code).toBe(0);
    expect(stdout).toBe('continued\n');
  });
});
