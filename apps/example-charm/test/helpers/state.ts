import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckInfo, Container, Exec, PeerRelation, Secret } from '@opsjs/testing';
import { afterEach } from 'vitest';
import { TOKEN_SECRET_KEY, type WebConfig, webLayer } from '../../src/example-charm.js';

/** The directory of the charm project (its charmcraft.yaml). */
export const charmRoot = join(import.meta.dirname, '..', '..');

/** The charm's config with every option at its default. */
export const DEFAULT_CONFIG: WebConfig = {
  port: 8080,
  greeting: 'Hello from opsjs',
  rateLimit: 10,
  debug: false,
  apiTokenSecret: undefined,
};

/** What `get-stats` prints in the tests. */
export const STATS_OUTPUT = '{"requests":7,"rejected":1,"uptimeSeconds":42}\n';

/** Temporary directories removed after each test. */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'example-charm-'));
    dirs.push(dir);
    return dir;
  };
}

/**
 * The `web` container with its `/etc/web` and `/srv/web` mounted from `hostDir` (so a test
 * reads what the charm pushed), and the stats command answering {@link STATS_OUTPUT}.
 */
export function webContainer(
  hostDir: string,
  options: {
    canConnect?: boolean;
    checks?: readonly CheckInfo[];
    statsOutput?: string;
    /** Start with the charm's layer in the plan and the service running. */
    configured?: boolean;
  } = {},
): Container {
  mkdirSync(join(hostDir, 'etc'), { recursive: true });
  mkdirSync(join(hostDir, 'srv'), { recursive: true });
  return new Container({
    name: 'web',
    canConnect: options.canConnect ?? true,
    mounts: {
      etc: { location: '/etc/web', source: join(hostDir, 'etc') },
      srv: { location: '/srv/web', source: join(hostDir, 'srv') },
    },
    execs: [
      new Exec({
        commandPrefix: ['node', '/srv/web/server.mjs'],
        stdout: options.statsOutput ?? STATS_OUTPUT,
      }),
    ],
    checkInfos: options.checks ?? [],
    ...(options.configured === true
      ? { layers: { web: webLayer(DEFAULT_CONFIG, 'seed') }, serviceStatuses: { web: 'active' } }
      : {}),
  });
}

/** The shared stats token secret, owned by the app, and the peer relation that carries its ID. */
export function sharedToken(token = 'shared-token'): { secret: Secret; peers: PeerRelation } {
  const secret = new Secret({ trackedContent: { token }, owner: 'app', label: 'stats-token' });
  const peers = new PeerRelation({
    endpoint: 'replicas',
    localAppData: { [TOKEN_SECRET_KEY]: secret.id },
  });
  return { secret, peers };
}

/** A `down` check, as Pebble reports it after its threshold of failures. */
export function downCheck(name: 'alive' | 'ready'): CheckInfo {
  return new CheckInfo({ name, level: name, status: 'down', failures: 3 });
}
