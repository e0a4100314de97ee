// `npm run demo`: the workspace is built (turbo), then the example charm is packed with
// `opsjs pack` and its packed `dispatch` is driven through a life of events, with fake hook
// tools and a fake Pebble server standing in for Juju and the container (no network, no Juju).
// The demo lives in the example charm's project, where its imports resolve.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const life: { runDemo: () => Promise<unknown> } = await import(
  pathToFileURL(join(import.meta.dirname, '..', 'apps', 'example-charm', 'demo', 'life.ts')).href
);
await life.runDemo();
