// `npm run demo`: the workspace is built (turbo), then each package's public API is listed.
// The example-charm issue turns this into a packed charm's life through fake Juju and Pebble.
import { globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
for (const manifest of globSync('packages/*/package.json', { cwd: root }).sort()) {
  const pkg = JSON.parse(readFileSync(join(root, manifest), 'utf8')) as {
    name: string;
    version: string;
    description: string;
  };
  const entry = pathToFileURL(join(root, dirname(manifest), 'dist', 'index.js')).href;
  const api: Record<string, unknown> = await import(entry);
  const names = Object.keys(api).sort();
  console.log(`${pkg.name}@${pkg.version} — ${pkg.description}`);
  console.log(`  exports ${names.length}: ${names.join(', ')}\n`);
}
