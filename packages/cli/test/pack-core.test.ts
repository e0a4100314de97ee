import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pack } from '../src/pack.js';
import {
  codeCacheFiles,
  copyFixture,
  coreCharmFixture,
  extractZip,
  fakeHookTools,
  installRuntimePackage,
  runDispatchScript,
} from './helpers/charm-dir.js';
import { readZip } from './helpers/read-zip.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

/** A copy of the core-charm fixture that resolves `@opsjs/core` to the workspace package. */
function coreProject(edit: (yaml: string) => string = (yaml) => yaml): string {
  const dir = copyFixture(coreCharmFixture, join(tempDir(), 'core-charm'));
  mkdirSync(join(dir, 'node_modules', '@opsjs'), { recursive: true });
  symlinkSync(
    join(import.meta.dirname, '..', 'node_modules', '@opsjs', 'core'),
    join(dir, 'node_modules', '@opsjs', 'core'),
  );
  const yamlFile = join(dir, 'charmcraft.yaml');
  writeFileSync(yamlFile, edit(readFileSync(yamlFile, 'utf8')));
  installRuntimePackage(dir);
  return dir;
}

function bundleOf(charmPath: string): string {
  const entry = readZip(charmPath).find((e) => e.path === 'dist/charm.mjs');
  return entry?.data.toString('utf8') ?? '';
}

describe('pack a charm written against @opsjs/core', () => {
  it('runs the packed dispatch for install, config-changed and start through main()', async () => {
    const dir = coreProject();
    const result = await pack({ dir, out: tempDir(), arch: 'amd64' });
    const charmDir = tempDir();
    extractZip(result.charmPath, charmDir);
    const tools = fakeHookTools(
      tempDir(),
      { port: 8080 },
      {
        'is-leader': 'false',
        'application-version-set': '',
      },
    );
    for (const hook of ['install', 'config-changed', 'start']) {
      const run = runDispatchScript(charmDir, `hooks/${hook}`, `${tools.dir}:/usr/bin:/bin`);
      expect(run.status, run.stderr).toBe(0);
    }
    // main() ends the process with process.exit(): the loader still writes its code cache.
    expect(result.loader).toBe(true);
    expect(codeCacheFiles(charmDir)).toHaveLength(1);
    const calls = tools.calls();
    const statuses = calls
      .filter((c) => c[0] === 'status-set')
      .map((c) => c.filter((arg) => arg !== '--').slice(-2));
    expect(statuses).toEqual([
      ['maintenance', 'installing'],
      ['active', 'serving on 8080'],
      ['active', 'serving on 8080'],
      ['maintenance', 'starting'],
      ['active', 'serving on 8080'],
    ]);
    expect(calls.filter((c) => c[0] === 'application-version-set').map((c) => c.at(-1))).toEqual([
      'port-8080',
    ]);
    const emitted = calls
      .filter((c) => c[0] === 'juju-log')
      .map((c) => c.at(-1))
      .filter((line) => line?.startsWith('Emitting Juju event'));
    expect(emitted).toEqual([
      'Emitting Juju event install.',
      'Emitting Juju event config_changed.',
      'Emitting Juju event start.',
    ]);
  });

  it('leaves @opsjs/pebble and undici out of a machine charm, and in a sidecar charm', async () => {
    const machine = await pack({ dir: coreProject(), out: tempDir(), arch: 'amd64' });
    const machineBundle = bundleOf(machine.charmPath);
    expect(machineBundle).toContain('Emitting Juju event');
    expect(machineBundle).not.toContain('undici');
    expect(machineBundle).toContain('import("@opsjs/pebble")');

    const sidecar = await pack({
      dir: coreProject(
        (yaml) =>
          `${yaml}containers:\n  web:\n    resource: web-image\nresources:\n  web-image:\n    type: oci-image\n`,
      ),
      out: tempDir(),
      arch: 'amd64',
    });
    const sidecarBundle = bundleOf(sidecar.charmPath);
    expect(sidecarBundle).not.toContain('import("@opsjs/pebble")');
    // undici (exec only) and yaml (YAML parsing only) are loaded lazily: files of their own.
    const files = (charm: string) =>
      readZip(charm)
        .map((e) => e.path)
        .filter((p) => p.startsWith('dist/vendor/'));
    expect(files(sidecar.charmPath)).toEqual(['dist/vendor/undici.cjs', 'dist/vendor/yaml.cjs']);
    expect(files(machine.charmPath)).toEqual(['dist/vendor/yaml.cjs']);
    expect(sidecarBundle).toContain('__require("./vendor/undici.cjs")');
    expect(sidecarBundle).not.toContain('node_modules/undici/');
    expect(sidecarBundle.length).toBeLessThan(machineBundle.length * 2);
  });

  it('parses YAML through its vendored yaml when the metadata cache is gone', async () => {
    const result = await pack({ dir: coreProject(), out: tempDir(), arch: 'amd64' });
    const charmDir = tempDir();
    extractZip(result.charmPath, charmDir);
    rmSync(join(charmDir, '.opsjs'), { recursive: true });
    const tools = fakeHookTools(
      tempDir(),
      { port: 8080 },
      { 'is-leader': 'false', 'application-version-set': '' },
    );
    const vendorCaches = () =>
      readdirSync(join(charmDir, '.node-compile-cache'))
        .filter((name) => /^opsjs-[0-9a-f]{16}-yaml\.v8$/.test(name))
        .map((name) => statSync(join(charmDir, '.node-compile-cache', name)));
    let first: ReturnType<typeof statSync> | undefined;
    for (const round of [1, 2]) {
      const run = runDispatchScript(charmDir, 'hooks/install', `${tools.dir}:/usr/bin:/bin`);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      // The loader runs dist/vendor/yaml.cjs with a code cache of its own, written after the
      // first run of the hook and used as it is by the next.
      const [cache, ...more] = vendorCaches();
      expect(more).toEqual([]);
      expect(cache?.size).toBeGreaterThan(1000);
      if (round === 2) expect(cache?.mtimeMs).toBe(first?.mtimeMs);
      first ??= cache;
    }
    const statuses = tools
      .calls()
      .filter((c) => c[0] === 'status-set')
      .map((c) => c.at(-1));
    expect(statuses[0]).toBe('installing');
    expect(statuses.slice(statuses.length / 2)).toEqual(statuses.slice(0, statuses.length / 2));
  });
});
