// docs/getting-started.md, run: every `sh` block's commands in order and every file it shows
// (a code block whose first line is `# file: <path>` or `// file: <path>`), in a temporary
// folder. `npm install` links the workspace packages instead of downloading them; `console`
// blocks (the deploy step, which needs Juju) are not run.
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { charmRoot } from './helpers/temp.js';

const require = createRequire(join(charmRoot, 'package.json'));
const docFile = join(charmRoot, '..', '..', 'docs', 'getting-started.md');

function packageRoot(name: string): string {
  return dirname(realpathSync(require.resolve(`${name}/package.json`)));
}

/** The fenced blocks of a Markdown text, in order. */
function blocks(markdown: string): { lang: string; body: string }[] {
  const found: { lang: string; body: string }[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(markdown); m !== null; m = fence.exec(markdown)) {
    found.push({ lang: m[1] ?? '', body: m[2] ?? '' });
  }
  return found;
}

/** What `npm install` would put in `node_modules`, linked from this workspace. */
function linkDependencies(projectDir: string): void {
  const modules = join(projectDir, 'node_modules');
  for (const name of [
    '@opsjs/cli',
    '@opsjs/core',
    '@opsjs/testing',
    '@types/node',
    'typescript',
    'vitest',
  ]) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(packageRoot(name), join(modules, name));
  }
}

function commandFor(line: string): { file: string; args: string[] } {
  const words = line.split(/\s+/);
  const cli = join(packageRoot('@opsjs/cli'), 'dist', 'bin.js');
  if (line.startsWith('npx -p @opsjs/cli opsjs '))
    return { file: process.execPath, args: [cli, ...words.slice(4)] };
  if (line.startsWith('npx opsjs '))
    return { file: process.execPath, args: [cli, ...words.slice(2)] };
  if (line.startsWith('npx tsc')) {
    return {
      file: process.execPath,
      args: [join(packageRoot('typescript'), 'bin', 'tsc'), ...words.slice(2)],
    };
  }
  if (line === 'npm test')
    return { file: process.execPath, args: [join(packageRoot('vitest'), 'vitest.mjs'), 'run'] };
  throw new Error(`docs/getting-started.md: the test does not know how to run '${line}'`);
}

describe('docs/getting-started.md', () => {
  it('runs from an empty folder to a packed charm', () => {
    const doc = readFileSync(docFile, 'utf8');
    const work = mkdtempSync(join(tmpdir(), 'getting-started-'));
    let cwd = work;
    const ran: string[] = [];
    try {
      for (const block of blocks(doc)) {
        const marker = /^(?:#|\/\/) file: (\S+)\n/.exec(block.body);
        if (marker?.[1] !== undefined) {
          writeFileSync(join(cwd, marker[1]), block.body);
          ran.push(`write ${marker[1]}`);
          continue;
        }
        if (block.lang !== 'sh') continue;
        for (const line of block.body.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim())) {
          if (line === '') continue;
          ran.push(line);
          if (line.startsWith('cd ')) {
            cwd = join(cwd, line.slice(3));
            continue;
          }
          if (line === 'npm install') {
            linkDependencies(cwd);
            continue;
          }
          const { file, args } = commandFor(line);
          const result = spawnSync(file, args, {
            cwd,
            encoding: 'utf8',
            env: {
              ...process.env,
              NO_COLOR: '1',
              PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
            },
          });
          expect(result.status, `${line}\n${result.stdout}${result.stderr}`).toBe(0);
          if (line === 'npm test') expect(`${result.stdout}`).toMatch(/Tests +\d+ passed/);
        }
      }
      expect(ran).toEqual(
        expect.arrayContaining(['write src/hello.ts', 'write test/greet.test.ts', 'npm test']),
      );
      expect(
        readFileSync(join(cwd, 'build', 'hello_ubuntu-24.04-amd64.charm')).length,
      ).toBeGreaterThan(0);
      expect(readFileSync(join(cwd, 'src', 'charm-metadata.ts'), 'utf8')).toContain('greet');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
