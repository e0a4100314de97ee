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
  worldFile,
} from './hook-tool-cli.js';
import type { WorldData } from './world.js';

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

  /** Writes the tools and the world into a new temporary directory. */
  static create(world: WorldData, parent: string = tmpdir()): FakeHookTools {
    const tools = new FakeHookTools(mkdtempSync(join(parent, 'fake-hook-tools-')));
    mkdirSync(tools.binDir);
    const main = toolMain();
    for (const name of HOOK_TOOL_NAMES) {
      const file = join(tools.binDir, name);
      if (name === 'juju-log') {
        // Logging is the most frequent call: record it without starting Node.
        writeFileSync(
          file,
          `#!/bin/sh\nprintf '%s\\0' "$(($# + 1))" juju-log "$@" >> ${shellQuote(callsFile(tools.dir))}\n`,
        );
        chmodSync(file, 0o755);
        continue;
      }
      writeFileSync(
        file,
        `#!/bin/sh\nNODE_COMPILE_CACHE=${shellQuote(join(tools.dir, 'compile-cache'))} exec ${shellQuote(process.execPath)} ${shellQuote(main)} ${shellQuote(tools.dir)} ${name} "$@"\n`,
      );
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
    // Written by this package's own tools: trusted data.
    const world = JSON.parse(readFileSync(worldFile(this.dir), 'utf8')) as WorldData;
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
