import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  callsFile,
  decodeCalls,
  HOOK_TOOL_NAMES,
  parseJujuLog,
  runHookTool,
  worldFile,
} from './hook-tool-cli.js';
import { World, type WorldData } from './world.js';
import { parseWorld } from './world-schema.js';

/** The compiled entry of the fake tools (next to this module in `dist/`, or the built copy). */
function toolMain(): string {
  const here = fileURLToPath(new URL('./hook-tool-main.js', import.meta.url));
  if (existsSync(here)) return here;
  // Running from the TypeScript sources (this package's own tests): use the build output.
  return fileURLToPath(new URL('../dist/hook-tool-main.js', import.meta.url));
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The argv forms ops (and @opsjs/model) use for the calls whose answer is fixed for a hook. */
function staticAnswers(data: WorldData): Map<string, [string[], string][]> {
  const argvs: [string, string[]][] = [
    ['is-leader', ['--format=json']],
    ['config-get', ['--format=json']],
    ['goal-state', ['--format=json']],
  ];
  if (data.action !== undefined) argvs.push(['action-get', ['--format=json']]);
  for (const endpoint of new Set(data.relations.map((r) => r.endpoint))) {
    argvs.push(['relation-ids', [endpoint, '--format=json']]);
  }
  for (const rel of data.relations) {
    const ref = `${rel.endpoint}:${rel.id}`;
    argvs.push(['relation-list', ['--format=json', '-r', ref]]);
    argvs.push(['relation-list', ['--format=json', '--app', '-r', ref]]);
  }
  const out = new Map<string, [string[], string][]>();
  for (const [tool, argv] of argvs) {
    // Answer from a copy, so that computing answers changes nothing.
    const result = runHookTool(new World(structuredClone(data)), tool, argv, () => '');
    if (result.exitCode !== 0) continue;
    const list = out.get(tool) ?? [];
    list.push([argv, result.stdout]);
    out.set(tool, list);
  }
  return out;
}

/**
 * A directory of fake Juju hook-tool executables (`config-get`, `relation-set`, ...) that
 * serve a simulated unit from `world.json` and record every call, for running a charm as a
 * real process. Put {@link FakeHookTools.binDir} first on `PATH`.
 * @internal
 */
export class FakeHookTools {
  /** Directory holding `world.json`. */
  readonly dir: string;
  /** Directory of the executables. */
  readonly binDir: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.binDir = join(dir, 'bin');
  }

  /**
   * Writes the tools and the world into a new temporary directory.
   *
   * Every call is recorded by the script itself. `juju-log`, and the read-only calls whose
   * answer cannot change during a hook (`is-leader`, `config-get`, `action-get`,
   * `relation-ids`, `relation-list`, `goal-state` with the argv ops uses), are answered by the
   * shell script from answers computed here; every other call starts Node on the simulated unit.
   */
  static create(world: WorldData, parent: string = tmpdir()): FakeHookTools {
    const tools = new FakeHookTools(mkdtempSync(join(parent, 'fake-hook-tools-')));
    mkdirSync(tools.binDir);
    const main = toolMain();
    const record = `printf '%s\\0' "$(($# + 1))" TOOL "$@" >> ${shellQuote(callsFile(tools.dir))}`;
    const answers = staticAnswers(world);
    for (const name of HOOK_TOOL_NAMES) {
      const file = join(tools.binDir, name);
      const lines = ['#!/bin/sh', record.replace('TOOL', name)];
      if (name !== 'juju-log') {
        const known = answers.get(name) ?? [];
        if (known.length > 0) {
          lines.push('case "$*" in');
          for (const [argv, stdout] of known) {
            lines.push(
              `  ${shellQuote(argv.join(' '))}) printf '%s' ${shellQuote(stdout)}; exit 0;;`,
            );
          }
          lines.push('esac');
        }
        lines.push(
          `OPSJS_FAKE_TOOL_RECORDED=1 NODE_COMPILE_CACHE=${shellQuote(join(tools.dir, 'compile-cache'))} exec ${shellQuote(process.execPath)} ${shellQuote(main)} ${shellQuote(tools.dir)} ${name} "$@"`,
        );
      }
      writeFileSync(file, `${lines.join('\n')}\n`);
      chmodSync(file, 0o755);
    }
    tools.writeWorld(world);
    return tools;
  }

  /** `PATH` with the fake tools first. */
  path(base: string = process.env.PATH ?? ''): string {
    return base === '' ? this.binDir : `${this.binDir}${delimiter}${base}`;
  }

  /** Replaces the simulated unit. */
  writeWorld(world: WorldData): void {
    writeFileSync(worldFile(this.dir), JSON.stringify(world));
  }

  /** The simulated unit as the tools left it, with every call and log record in order. */
  readWorld(): WorldData {
    const world = parseWorld(readFileSync(worldFile(this.dir), 'utf8'), worldFile(this.dir));
    const calls = existsSync(callsFile(this.dir))
      ? decodeCalls(readFileSync(callsFile(this.dir), 'utf8'))
      : [];
    world.calls = calls;
    world.jujuLog = calls.filter((c) => c[0] === 'juju-log').map((c) => parseJujuLog(c.slice(1)));
    return world;
  }

  /** Removes the directory. */
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
