import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One recorded call of a fake hook tool. */
export interface ToolCall {
  readonly tool: string;
  readonly argv: string[];
  readonly stdin: string;
}

/** What a fake tool does. */
export interface ToolResponse {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** Hang (until killed). */
  readonly hang?: boolean;
  /** Only when the argv (joined with spaces) is exactly this. */
  readonly whenArgs?: readonly string[];
}

function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Fake hook tools: executables written into a temp dir that is put first on PATH. Each records
 * its argv and stdin to a log, then prints a canned answer.
 */
export class FakeTools {
  readonly dir: string;
  readonly #log: string;
  readonly #responses = new Map<string, ToolResponse[]>();

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-fake-tools-'));
    this.#log = path.join(this.dir, 'calls.log');
    fs.writeFileSync(this.#log, '');
  }

  /** The environment to run tools with: the fake dir first on PATH. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${this.dir}:${process.env.PATH ?? ''}` };
  }

  /** Define (or add a case to) a fake tool. Later cases with `whenArgs` win over defaults. */
  add(tool: string, response: ToolResponse = {}): this {
    const list = this.#responses.get(tool) ?? [];
    if (response.whenArgs === undefined) {
      const i = list.findIndex((r) => r.whenArgs === undefined);
      if (i >= 0) list.splice(i, 1);
    }
    list.push(response);
    this.#responses.set(tool, list);
    this.#write(tool, list);
    return this;
  }

  #write(tool: string, list: readonly ToolResponse[]): void {
    const body = (r: ToolResponse): string => {
      const lines: string[] = [];
      if (r.stdout !== undefined) lines.push(`printf '%s' ${shQuote(r.stdout)}`);
      if (r.stderr !== undefined) lines.push(`printf '%s' ${shQuote(r.stderr)} >&2`);
      if (r.hang) lines.push('exec sleep 30');
      lines.push(`exit ${r.exitCode ?? 0}`);
      return lines.join('\n');
    };
    const cases = list
      .filter((r) => r.whenArgs !== undefined)
      .map((r) => `  ${shQuote((r.whenArgs ?? []).join(' '))}) \n${body(r)}\n  ;;`);
    const fallback = list.find((r) => r.whenArgs === undefined);
    const script = [
      '#!/bin/sh',
      'stdin=$(cat)',
      `{ printf 'CALL\\0%s\\0' ${shQuote(tool)}; [ $# -gt 0 ] && printf '%s\\0' "$@"; printf 'STDIN\\0%s\\0' "$stdin"; } >> ${shQuote(this.#log)}`,
      'case "$*" in',
      ...cases,
      '  *)',
      fallback === undefined
        ? `echo "ERROR unexpected call: ${tool} $*" >&2; exit 99`
        : body(fallback),
      '  ;;',
      'esac',
      '',
    ].join('\n');
    const file = path.join(this.dir, tool);
    fs.writeFileSync(file, script, { mode: 0o755 });
  }

  /** The calls made so far, in order. */
  calls(): ToolCall[] {
    const parts = fs.readFileSync(this.#log, 'utf8').split('\0');
    const out: ToolCall[] = [];
    let i = 0;
    while (i < parts.length - 1) {
      if (parts[i] !== 'CALL') throw new Error(`corrupt call log at ${i}`);
      const tool = parts[i + 1] ?? '';
      i += 2;
      const argv: string[] = [];
      while (parts[i] !== 'STDIN') {
        argv.push(parts[i] ?? '');
        i++;
      }
      out.push({ tool, argv, stdin: parts[i + 1] ?? '' });
      i += 2;
    }
    return out;
  }

  /** The calls as `tool arg arg` strings. */
  commandLines(): string[] {
    return this.calls().map((c) => [c.tool, ...c.argv].join(' '));
  }

  /** Forget recorded calls. */
  clearCalls(): void {
    fs.writeFileSync(this.#log, '');
  }

  /** Remove the temp dir. */
  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
