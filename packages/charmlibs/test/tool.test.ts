import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ToolError } from '../src/errors.js';
import { scaffoldInterface } from '../src/scaffold.js';
import { runTool } from '../src/tool.js';
import { RELEASED_PROVIDER, writeInterfacePackage } from './helpers/fixture-package.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function temp(base = tmpdir()): string {
  const dir = mkdtempSync(join(base, 'charmlibs-'));
  temps.push(dir);
  return dir;
}

function released(version: string): object {
  return {
    package: '@fixture/interface-demo',
    version,
    interfaces: {
      'demo@v1': { provider: RELEASED_PROVIDER, requirer: { type: 'object', properties: {} } },
    },
  };
}

function charmlibs(args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('charmlibs check (the bin)', () => {
  it('passes an unchanged package and one that adds an optional field', () => {
    const root = temp();
    const pkg = join(root, 'pkg');
    const wider = structuredClone(RELEASED_PROVIDER);
    Object.assign(wider.properties.app.properties, { extra: { type: 'string' } });
    writeInterfacePackage(pkg, {
      version: '1.1.0',
      providerSchema: wider,
      released: released('1.0.0'),
    });
    const r = charmlibs(['check', 'pkg'], root);
    expect(r.out).toContain('@fixture/interface-demo: no breaking schema change since 1.0.0');
    expect(r.status).toBe(0);
  });

  it('fails a breaking change without a major bump and says which field and why', () => {
    const root = temp();
    const pkg = join(root, 'pkg');
    const breaking = structuredClone(RELEASED_PROVIDER);
    breaking.properties.app.properties = {
      url: { type: 'string' },
    } as typeof breaking.properties.app.properties;
    breaking.properties.app.required = ['url', 'host'];
    writeInterfacePackage(pkg, {
      version: '1.1.0',
      providerSchema: breaking,
      released: released('1.0.0'),
    });
    const r = charmlibs(['check', 'pkg'], root);
    expect(r.status).toBe(1);
    expect(r.out).toContain('2 breaking schema change(s) since 1.0.0 without a major version bump');
    expect(r.out).toContain('removed demo@v1 provider app.port: the field was removed');
    expect(r.out).toContain('required demo@v1 provider app.host: the field is newly required');
  });

  it('accepts the breaking change with a pending major changeset or a major version', () => {
    const root = temp();
    const pkg = join(root, 'pkg');
    const breaking = structuredClone(RELEASED_PROVIDER);
    breaking.properties.app.required = ['url', 'port'];
    writeInterfacePackage(pkg, {
      version: '1.1.0',
      providerSchema: breaking,
      released: released('1.0.0'),
    });
    expect(charmlibs(['check', 'pkg'], root).status).toBe(1);
    mkdirSync(join(root, '.changeset'));
    writeFileSync(
      join(root, '.changeset', 'big.md'),
      '---\n"@fixture/interface-demo": major\n---\n\nRequire the port.\n',
    );
    const r = charmlibs(['check', 'pkg'], root);
    expect(r.status).toBe(0);
    expect(r.out).toContain('allowed by a major version bump');
    rmSync(join(root, '.changeset'), { recursive: true });
    writeInterfacePackage(pkg, { version: '2.0.0', providerSchema: breaking });
    expect(charmlibs(['check', 'pkg'], root).status).toBe(0);
  });

  it('checks every package under packages/interfaces when run at the repository root', () => {
    const root = temp();
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'repo', private: true }));
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    const pkg = join(root, 'packages', 'interfaces', 'demo');
    writeInterfacePackage(pkg, {
      version: '1.0.0',
      providerSchema: RELEASED_PROVIDER,
      released: released('1.0.0'),
    });
    mkdirSync(join(root, 'packages', 'interfaces', 'notes'));
    const r = charmlibs(['check'], root);
    expect(r.out.trim()).toBe('@fixture/interface-demo: no breaking schema change since 1.0.0');
    expect(r.status).toBe(0);
  });

  it('reports an unbuilt package and usage errors', () => {
    const root = temp();
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({ name: 'x', version: '1.0.0', charmlibs: { interfaces: [] } }),
    );
    const r = charmlibs(['check', '.'], root);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/charmlibs: .*dist\/index\.js: not built/);
    expect(charmlibs(['frobnicate'], root).out).toContain('usage: charmlibs <command>');
  });
});

describe('charmlibs new', () => {
  it('scaffolds a working interface package that lints and type-checks', async () => {
    // Inside this package so that the scaffold's imports (@opsjs/charmlibs, zod) resolve.
    const root = temp(fileURLToPath(new URL('..', import.meta.url)));
    const written = scaffoldInterface({
      name: 'redis_client',
      version: 1,
      dir: root,
      tsconfigBase: fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)),
    });
    expect(written.some((f) => f.endsWith('src/index.ts'))).toBe(true);
    mkdirSync(join(root, 'node_modules', '@opsjs'), { recursive: true });
    symlinkSync(
      fileURLToPath(new URL('..', import.meta.url)),
      join(root, 'node_modules', '@opsjs', 'charmlibs'),
    );
    const pkgDir = join(root, 'redis-client');
    for (const f of [
      'package.json',
      'README.md',
      'src/index.ts',
      'test/interface.test.ts',
      'tsconfig.json',
    ]) {
      expect(existsSync(join(pkgDir, f))).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@opsjs/interface-redis-client',
      charmlibs: { interfaces: [{ name: 'redis_client', version: 1 }] },
    });
    const mod = await import(join(pkgDir, 'src', 'index.ts'));
    expect(mod.redisClientV1.name).toBe('redis_client');
    expect(mod.redisClientV1.requirer.app.encode({ port: 6379 })).toEqual({ port: '6379' });
    expect(typeof mod.RedisClientProvider).toBe('function');
    // The scaffold passes the repository's lint and type-checks as it is.
    const bin = (name: string) =>
      fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));
    const lint = spawnSync(bin('biome'), ['check', pkgDir], { encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toContain('No fixes applied');
    expect(lint.status).toBe(0);
    const tsc = spawnSync(bin('tsc'), ['-p', join(pkgDir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    expect(() => scaffoldInterface({ name: 'redis_client', version: 1, dir: root })).toThrow(
      ToolError,
    );
  });

  it('writes a changeset at the repository root', async () => {
    const root = temp();
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    const lines: string[] = [];
    expect(await runTool(['new', 'demo'], { cwd: root, out: (l) => lines.push(l) })).toBe(0);
    expect(lines).toHaveLength(8);
    expect(
      JSON.parse(
        readFileSync(join(root, 'packages', 'interfaces', 'demo', 'tsconfig.json'), 'utf8'),
      ).extends,
    ).toBe('../../../tsconfig.base.json');
    expect(readFileSync(join(root, '.changeset', 'new-interface-demo.md'), 'utf8')).toBe(
      '---\n"@opsjs/interface-demo": minor\n---\n\nAdd the demo v0 relation interface with typed provider and requirer.\n',
    );
    expect(existsSync(join(root, 'packages', 'interfaces', 'demo', 'src', 'index.ts'))).toBe(true);
    await expect(runTool(['new', 'Bad Name'], { cwd: root, out: () => {} })).rejects.toThrow(
      /interface name "Bad Name"/,
    );
  });
});

describe('charmlibs list', () => {
  it('shows the interface libraries a charm depends on, with versions', () => {
    const charm = temp();
    writeFileSync(
      join(charm, 'package.json'),
      JSON.stringify({
        name: 'my-charm',
        version: '1.0.0',
        dependencies: { '@opsjs/interface-ingress': '^0.1.0', '@opsjs/core': '^0.1.0' },
      }),
    );
    const dep = join(charm, 'node_modules', '@opsjs', 'interface-ingress');
    mkdirSync(dep, { recursive: true });
    writeFileSync(
      join(dep, 'package.json'),
      JSON.stringify({
        name: '@opsjs/interface-ingress',
        version: '0.1.3',
        charmlibs: { interfaces: [{ name: 'ingress', version: 2 }] },
      }),
    );
    const core = join(charm, 'node_modules', '@opsjs', 'core');
    mkdirSync(core, { recursive: true });
    writeFileSync(
      join(core, 'package.json'),
      JSON.stringify({ name: '@opsjs/core', version: '0.1.0' }),
    );
    const r = charmlibs(['list', charm], charm);
    expect(r.out.trim()).toBe('@opsjs/interface-ingress@0.1.3  ingress v2');
    expect(r.status).toBe(0);
  });
});

describe('charmlibs publish', () => {
  it('versions with changesets, snapshots released schemas and dry-runs pnpm publish', async () => {
    const root = temp();
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: []\n');
    const pkg = join(root, 'packages', 'interfaces', 'demo');
    writeInterfacePackage(pkg, { version: '1.0.0', providerSchema: RELEASED_PROVIDER });
    const calls: string[] = [];
    const lines: string[] = [];
    await runTool(['publish'], {
      cwd: root,
      out: (l) => lines.push(l),
      run: (cmd, args, cwd) => {
        calls.push(`${cwd.replace(root, '<root>')}: ${cmd} ${args.join(' ')}`);
        if (args[0] === 'changeset') {
          // What `changeset version` does to a package with a pending minor changeset.
          const file = join(pkg, 'package.json');
          const json = JSON.parse(readFileSync(file, 'utf8'));
          writeFileSync(file, JSON.stringify({ ...json, version: '1.1.0' }));
        }
      },
    });
    expect(calls).toEqual([
      '<root>: pnpm changeset version',
      '<root>/packages/interfaces/demo: pnpm publish --dry-run --no-git-checks',
    ]);
    expect(lines).toContain('@fixture/interface-demo: 1.0.0 -> 1.1.0 (dry run)');
    const snapshot = JSON.parse(readFileSync(join(pkg, 'schemas', 'released.json'), 'utf8'));
    expect(snapshot).toEqual(released('1.1.0'));
    // The snapshot is what the next check compares against.
    expect(charmlibs(['check', pkg], root).out).toContain('no breaking schema change since 1.1.0');
  });

  it('reports when nothing changed and wraps a failing command', async () => {
    const root = temp();
    const lines: string[] = [];
    await runTool(['publish', '--root', root], {
      cwd: root,
      out: (l) => lines.push(l),
      run: () => {},
    });
    expect(lines).toEqual(['no package versions changed']);
    await expect(
      runTool(['publish', '--root', root], {
        cwd: root,
        out: () => {},
        run: () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow(/pnpm changeset version failed/);
  });

  it('prints usage and exits 2 without a command', () => {
    const r = spawnSync(process.execPath, [bin], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('publish [--root DIR]');
  });
});
