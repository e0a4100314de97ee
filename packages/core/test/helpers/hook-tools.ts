import * as fs from 'node:fs';
import * as path from 'node:path';

/** Hook tools the fake directory provides. */
export const HOOK_TOOLS = [
  'action-fail',
  'action-get',
  'action-log',
  'action-set',
  'application-version-set',
  'config-get',
  'is-leader',
  'juju-log',
  'relation-get',
  'relation-ids',
  'relation-list',
  'relation-set',
  'state-delete',
  'state-get',
  'state-set',
  'status-get',
  'status-set',
  'storage-get',
  'storage-list',
] as const;

const RS = '\u001e';
const US = '\u001f';

/**
 * Fake hook tools: POSIX shell scripts that append their argv to `calls.log` (records
 * separated by \x1e, arguments by \x1f, so multi-line messages survive) and print
 * `out/<tool>` when it exists.
 */
export class FakeHookTools {
  readonly binDir: string;
  readonly outDir: string;
  readonly logFile: string;
  readonly root: string;

  constructor(root: string) {
    this.root = root;
    this.binDir = path.join(root, 'bin');
    this.outDir = path.join(root, 'out');
    this.logFile = path.join(root, 'calls.log');
    fs.mkdirSync(this.binDir, { recursive: true });
    fs.mkdirSync(this.outDir, { recursive: true });
    const script = [
      '#!/bin/sh',
      `printf '\\036%s' "$(basename "$0")" >> "${this.logFile}"`,
      `for a in "$@"; do printf '\\037%s' "$a" >> "${this.logFile}"; done`,
      `f="${this.outDir}/$(basename "$0")"`,
      '[ -f "$f" ] && cat "$f"',
      'exit 0',
      '',
    ].join('\n');
    for (const tool of HOOK_TOOLS) {
      fs.writeFileSync(path.join(this.binDir, tool), script, { mode: 0o755 });
    }
    this.output('is-leader', 'false');
    this.output('config-get', '{}');
  }

  /** Make `tool` print `text`. */
  output(tool: string, text: string): void {
    fs.writeFileSync(path.join(this.outDir, tool), `${text}\n`);
  }

  /** The recorded calls, each as argv (tool name first), and clear the log. */
  takeCalls(): string[][] {
    if (!fs.existsSync(this.logFile)) return [];
    const text = fs.readFileSync(this.logFile, 'utf8');
    fs.rmSync(this.logFile);
    return text
      .split(RS)
      .filter((r) => r !== '')
      .map((r) => r.split(US));
  }
}

/** The `juju-log` calls among `calls`, as `[level, message]`. */
export function jujuLogs(calls: string[][]): Array<[string, string]> {
  return calls.filter((c) => c[0] === 'juju-log').map((c) => [c[2] ?? '', c[4] ?? '']);
}
