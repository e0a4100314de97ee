import { afterEach } from 'vitest';
import { FakePebbleServer, type FakePebbleServerOptions } from '../../src/fake/index.js';
import { PebbleClient, type PebbleClientOptions } from '../../src/pebble-client.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Users and groups the tests' fake servers know. */
export const USERS = [
  { name: 'root', uid: 0, gid: 0, home: '/root' },
  { name: 'app', uid: 1000, gid: 1000, home: '/home/app' },
];
export const GROUPS = [
  { name: 'root', gid: 0 },
  { name: 'app', gid: 1000 },
  { name: 'staff', gid: 50 },
];

/** Starts a fake server and a client on its socket; both are closed after the test. */
export async function setup(
  options: FakePebbleServerOptions = {},
  clientOptions: Partial<PebbleClientOptions> = {},
): Promise<{ server: FakePebbleServer; client: PebbleClient }> {
  const server = await FakePebbleServer.start({ users: USERS, groups: GROUPS, ...options });
  const client = new PebbleClient({ socketPath: server.socketPath, ...clientOptions });
  cleanups.push(async () => {
    await client.close();
    await server.close();
  });
  return { server, client };
}

/** Registers a cleanup to run after the test. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** Waits for pending I/O callbacks without timers. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
