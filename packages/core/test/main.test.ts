import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { CharmBase } from '../src/charm.js';
import type { Framework } from '../src/framework.js';
import { Logger } from '../src/logger.js';
import { main } from '../src/main.js';
import { LOCAL_STATE_FILE } from '../src/storage/local-state-store.js';
import { ACTIONS, CONFIG, METADATA } from './helpers/dispatch.js';
import { FakeBackend } from './helpers/fake-backend.js';

let charmDir: string;

beforeEach(() => {
  charmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-main-'));
  fs.writeFileSync(path.join(charmDir, 'metadata.yaml'), METADATA);
  fs.writeFileSync(path.join(charmDir, 'config.yaml'), CONFIG);
  fs.writeFileSync(path.join(charmDir, 'actions.yaml'), ACTIONS);
});

afterEach(() => {
  fs.rmSync(charmDir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

function env(hook: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    JUJU_DISPATCH_PATH: `hooks/${hook}`,
    JUJU_HOOK_NAME: hook,
    JUJU_UNIT_NAME: 'demo/0',
    JUJU_MODEL_NAME: 'test',
    JUJU_MODEL_UUID: 'uuid',
    JUJU_VERSION: '3.6.4',
    JUJU_CHARM_DIR: charmDir,
    ...extra,
  };
}

class SocketCharm extends CharmBase {
  static socket = '';
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.install, this.onInstall);
  }
  onInstall(): void {
    SocketCharm.socket = this.unit.getContainer('web').socketPath;
  }
}

describe('main() in process', () => {
  it('uses controller storage when asked, and logs to stderr under JUJU_DEBUG', async () => {
    const backend = new FakeBackend();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(SocketCharm, {
      env: env('install', { JUJU_DEBUG: '' }),
      backend,
      logger: new Logger(),
      useJujuForStorage: true,
      exit: false,
    });
    expect(code).toBe(0);
    expect(backend.calls.filter((c) => c.startsWith('state-'))).toEqual([
      'state-get StoredStateData[_stored]',
      'state-get #notices#',
      // An empty notice list is written after the first event, as ops' JujuStorage does.
      'state-set #notices#',
      'state-set StoredStateData[_stored]',
    ]);
    expect(fs.existsSync(path.join(charmDir, LOCAL_STATE_FILE))).toBe(false);
    expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toMatch(
      /Z DEBUG +Emitting Juju event install\.\n/,
    );
    expect(SocketCharm.socket).toBe('/charm/containers/web/pebble.socket');
  });

  it('fails, as ops, when controller storage is asked for but state-get is missing', async () => {
    const bin = path.join(charmDir, 'bin');
    fs.mkdirSync(bin);
    const log = path.join(charmDir, 'juju-log.txt');
    fs.writeFileSync(path.join(bin, 'juju-log'), `#!/bin/sh\necho "$@" >> '${log}'\n`, {
      mode: 0o755,
    });
    const code = await main(SocketCharm, {
      env: env('install', { PATH: bin }),
      logger: new Logger(),
      useJujuForStorage: true,
      exit: false,
    });
    expect(code).toBe(1);
    expect(fs.readFileSync(log, 'utf8')).toContain(
      'charm set useJujuForStorage: true, but Juju version 3.6.4 does not support it',
    );
  });

  it('points containers at OPSJS_PEBBLE_SOCKET_DIR', async () => {
    const code = await main(SocketCharm, {
      env: env('install', { OPSJS_PEBBLE_SOCKET_DIR: '/tmp/fake-pebble' }),
      backend: new FakeBackend(),
      logger: new Logger(),
      exit: false,
    });
    expect(code).toBe(0);
    expect(SocketCharm.socket).toBe('/tmp/fake-pebble/web/pebble.socket');
  });

  it('skips restricted events of a podspec charm on controller storage, as ops does', async () => {
    fs.appendFileSync(path.join(charmDir, 'metadata.yaml'), 'series: [kubernetes]\n');
    const backend = new FakeBackend();
    const code = await main(SocketCharm, {
      env: env('collect-metrics'),
      backend,
      logger: new Logger(),
      exit: false,
    });
    expect(code).toBe(0);
    expect(backend.logs.map(([, m]) => m)).toEqual([
      `opsjs ${packageJson.version} up and running.`,
      'Using controller storage: JUJU_VERSION=3.6.4',
      '"collect_metrics" is not supported when using Juju for storage\n' +
        'see: https://github.com/canonical/operator/issues/348',
    ]);
  });

  it('reports invalid metadata through juju-log and exits 1', async () => {
    fs.writeFileSync(path.join(charmDir, 'metadata.yaml'), 'name: [not, a, string]\n');
    const backend = new FakeBackend();
    const code = await main(SocketCharm, {
      env: env('install'),
      backend,
      logger: new Logger(),
      exit: false,
    });
    expect(code).toBe(1);
    const error = backend.logs.find(([level]) => level === 'ERROR');
    expect(error?.[1]).toMatch(
      /^Uncaught exception while in charm code:\nMetadataError: metadata\.yaml/,
    );
  });

  it('takes the event from a hooks/<name> script path when JUJU_DISPATCH_PATH is unset', async () => {
    const backend = new FakeBackend();
    const code = await main(SocketCharm, {
      env: env('install', { JUJU_DISPATCH_PATH: '' }),
      argv: ['node', path.join(charmDir, 'hooks', 'start')],
      backend,
      logger: new Logger(),
      exit: false,
    });
    expect(code).toBe(0);
    expect(backend.logs).toContainEqual(['DEBUG', 'Emitting Juju event start.']);
  });

  it('forwards Node process warnings to juju-log', async () => {
    class Warning extends CharmBase {
      constructor(framework: Framework) {
        super(framework);
        this.observe(this.on.install, this.onInstall);
      }
      async onInstall(): Promise<void> {
        process.emitWarning('this API is going away', 'DeprecationWarning');
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const backend = new FakeBackend();
    const code = await main(Warning, {
      env: env('install'),
      backend,
      logger: new Logger(),
      exit: false,
    });
    expect(code).toBe(0);
    expect(backend.logs).toContainEqual(['WARNING', 'DeprecationWarning: this API is going away']);
  });
});
