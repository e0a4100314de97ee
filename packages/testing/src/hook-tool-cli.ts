import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { HookToolFailure, type World } from './world.js';

/** What a fake hook tool prints and its exit code. @internal */
export interface HookToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Names of every hook tool the fake serves. @internal */
export const HOOK_TOOL_NAMES = [
  'action-fail',
  'action-get',
  'action-log',
  'action-set',
  'application-version-set',
  'close-port',
  'config-get',
  'credential-get',
  'goal-state',
  'is-leader',
  'juju-log',
  'juju-reboot',
  'network-get',
  'open-port',
  'opened-ports',
  'relation-get',
  'relation-ids',
  'relation-list',
  'relation-model-get',
  'relation-set',
  'resource-get',
  'secret-add',
  'secret-get',
  'secret-grant',
  'secret-ids',
  'secret-info-get',
  'secret-remove',
  'secret-revoke',
  'secret-set',
  'state-delete',
  'state-get',
  'state-set',
  'status-get',
  'status-set',
  'storage-add',
  'storage-get',
  'storage-list',
] as const;

class Args {
  readonly flags = new Map<string, string | true>();
  readonly positional: string[] = [];

  constructor(argv: readonly string[], valued: readonly string[]) {
    let rest = false;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (rest) {
        this.positional.push(arg);
      } else if (arg === '--') {
        rest = true;
      } else if (arg.startsWith('--') && arg.includes('=')) {
        const eq = arg.indexOf('=');
        this.flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      } else if (arg.startsWith('-') && arg !== '-') {
        const name = arg.replace(/^-+/, '');
        if (valued.includes(name)) {
          this.flags.set(name, argv[i + 1] ?? '');
          i++;
        } else {
          this.flags.set(name, true);
        }
      } else {
        this.positional.push(arg);
      }
    }
  }

  str(name: string): string | undefined {
    const v = this.flags.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  bool(name: string): boolean {
    const v = this.flags.get(name);
    return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
  }
}

function relId(tool: string, value: string | undefined): number {
  if (value === undefined) throw new HookToolFailure(tool, 'ERROR no relation id specified', 2);
  const n = Number(value.slice(value.lastIndexOf(':') + 1));
  if (!Number.isInteger(n)) {
    throw new HookToolFailure(
      tool,
      `ERROR invalid value "${value}" for option -r: invalid relation id`,
      2,
    );
  }
  return n;
}

function json(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

function readContentArgs(args: readonly string[]): Record<string, string> {
  const content: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) continue;
    const key = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    if (key.endsWith('#file')) content[key.slice(0, -5)] = readFileSync(value, 'utf8');
    else if (key.endsWith('#base64'))
      content[key.slice(0, -7)] = Buffer.from(value, 'base64').toString('utf8');
    else content[key] = value;
  }
  return content;
}

let yamlParse: ((text: string) => unknown) | undefined;

/**
 * Parses YAML input (`relation-set --file -`, `state-set --file -`). JSON, which ops sends, is
 * YAML and is parsed directly; the yaml package is loaded only when needed, to keep every
 * other tool process fast.
 */
function parseYaml(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // Not JSON: flow-style YAML, parsed below.
    }
  }
  if (yamlParse === undefined) {
    const yaml: unknown = createRequire(import.meta.url)('yaml');
    const parse: unknown =
      typeof yaml === 'object' && yaml !== null ? Reflect.get(yaml, 'parse') : undefined;
    if (typeof parse !== 'function') throw new Error('the yaml package has no parse function');
    yamlParse = (t) => Reflect.apply(parse, undefined, [t]);
  }
  return yamlParse(text);
}

function parseYamlMap(tool: string, text: string): Record<string, string> {
  const parsed: unknown = parseYaml(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HookToolFailure(tool, 'ERROR expected YAML map in --file input');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = v === null ? '' : String(v);
  return out;
}

function handle(world: World, tool: string, argv: readonly string[], stdin: () => string): string {
  switch (tool) {
    case 'relation-ids': {
      const a = new Args(argv, ['format']);
      return json(world.relationIds(a.positional[0] ?? '').map((id) => `${a.positional[0]}:${id}`));
    }
    case 'relation-list': {
      const a = new Args(argv, ['format', 'r']);
      const id = relId(tool, a.str('r'));
      return a.bool('app') ? json(world.relationRemoteApp(id)) : json(world.relationList(id));
    }
    case 'relation-get': {
      const a = new Args(argv, ['format', 'r']);
      const id = relId(tool, a.str('r'));
      const [key = '-', member = ''] = a.positional;
      const bag = world.relationGet(id, member, a.bool('app'));
      return key === '-' ? json(bag) : json(bag[key] ?? null);
    }
    case 'relation-set': {
      const a = new Args(argv, ['r', 'file']);
      const id = relId(tool, a.str('r'));
      const data = a.str('file') === '-' ? parseYamlMap(tool, stdin()) : {};
      for (const p of a.positional) {
        const eq = p.indexOf('=');
        if (eq > 0) data[p.slice(0, eq)] = p.slice(eq + 1);
      }
      world.relationSet(id, data, a.bool('app'));
      return '';
    }
    case 'relation-model-get': {
      const a = new Args(argv, ['format', 'r']);
      return json(world.relationModelGet(relId(tool, a.str('r'))));
    }
    case 'config-get': {
      const a = new Args(argv, ['format']);
      const config = world.configGet();
      const key = a.positional[0];
      return key === undefined ? json(config) : json(config[key] ?? null);
    }
    case 'is-leader':
      return json(world.isLeader());
    case 'status-get': {
      const a = new Args(argv, ['format']);
      const isApp = a.bool('application');
      const s = world.statusGet(isApp);
      const entry = { message: s.message, status: s.status, 'status-data': {} };
      return isApp ? json({ 'application-status': { ...entry, units: {} } }) : json(entry);
    }
    case 'status-set': {
      const a = new Args(argv, []);
      const [status = '', message = ''] = a.positional;
      world.statusSet(status, message, a.bool('application'));
      return '';
    }
    case 'juju-log': {
      const { level, message } = parseJujuLog(argv);
      world.jujuLog(level, message);
      return '';
    }
    case 'application-version-set': {
      const a = new Args(argv, []);
      world.applicationVersionSet(a.positional[0] ?? '');
      return '';
    }
    case 'action-get':
      return json(world.actionGet());
    case 'action-set': {
      const flat: Record<string, string> = {};
      for (const p of argv) {
        const eq = p.indexOf('=');
        if (eq > 0) flat[p.slice(0, eq)] = p.slice(eq + 1);
      }
      world.actionSet(flat);
      return '';
    }
    case 'action-log':
      world.actionLog(new Args(argv, []).positional.join(' '));
      return '';
    case 'action-fail':
      world.actionFail(new Args(argv, []).positional.join(' '));
      return '';
    case 'storage-list': {
      const a = new Args(argv, ['format']);
      return json(world.storageList(a.positional[0] ?? ''));
    }
    case 'storage-get': {
      const a = new Args(argv, ['format', 's']);
      const info = world.storageGet(a.str('s') ?? '');
      const key = a.positional[0];
      return key === undefined ? json(info) : json(key === 'kind' ? info.kind : info.location);
    }
    case 'storage-add': {
      for (const p of argv) {
        const eq = p.indexOf('=');
        world.storageAdd(eq > 0 ? p.slice(0, eq) : p, eq > 0 ? Number(p.slice(eq + 1)) : 1);
      }
      return '';
    }
    case 'network-get': {
      const a = new Args(argv, ['format', 'r']);
      const r = a.str('r');
      return json(
        world.networkGet(a.positional[0] ?? '', r === undefined ? undefined : relId(tool, r)),
      );
    }
    case 'open-port':
    case 'close-port': {
      const a = new Args(argv, ['endpoints']);
      const spec = (a.positional[0] ?? '').toLowerCase();
      const normal = /^\d+$/.test(spec) ? `${spec}/tcp` : spec;
      if (tool === 'open-port') world.openPort(normal);
      else world.closePort(normal);
      return '';
    }
    case 'opened-ports':
      return json(world.openedPorts());
    case 'resource-get':
      return `${world.resourceGet(new Args(argv, []).positional[0] ?? '')}\n`;
    case 'goal-state': {
      const units: Record<string, { status: string; since: string }> = {};
      const since = '2025-01-01T00:00:00Z';
      for (let i = 0; i < world.goalStateUnits(); i++) {
        units[`${world.appName}/${i}`] = { status: 'active', since };
      }
      return json({ units, relations: {} });
    }
    case 'credential-get':
      return json(world.credentialGet());
    case 'state-get': {
      const a = new Args(argv, ['format']);
      const key = a.positional[0];
      if (a.str('format') === 'json') {
        return key === undefined ? json(world.data.stateStore) : json(world.stateGet(key) ?? null);
      }
      const value = key === undefined ? undefined : world.stateGet(key);
      return value === undefined ? '' : `${value}\n`;
    }
    case 'state-set': {
      const a = new Args(argv, ['file']);
      const data = a.str('file') === '-' ? parseYamlMap(tool, stdin()) : {};
      for (const p of a.positional) {
        const eq = p.indexOf('=');
        if (eq > 0) data[p.slice(0, eq)] = p.slice(eq + 1);
      }
      world.stateSet(data);
      return '';
    }
    case 'state-delete':
      world.stateDelete(new Args(argv, []).positional[0] ?? '');
      return '';
    case 'juju-reboot':
      world.reboot(new Args(argv, []).bool('now'));
      return '';
    case 'secret-add': {
      const a = new Args(argv, ['label', 'description', 'expire', 'rotate', 'owner']);
      const owner = a.str('owner') === 'unit' ? 'unit' : 'app';
      const id = `secret:${randomSecretSuffix()}`;
      world.secretAdd(id, readContentArgs(a.positional), {
        owner,
        ...optional('label', a.str('label')),
        ...optional('description', a.str('description')),
        ...optional('expire', a.str('expire')),
        ...optional('rotate', a.str('rotate')),
      });
      return `${id}\n`;
    }
    case 'secret-set': {
      const a = new Args(argv, ['label', 'description', 'expire', 'rotate', 'owner']);
      const [id = '', ...contentArgs] = a.positional;
      const content = readContentArgs(contentArgs);
      world.secretSet(id, Object.keys(content).length > 0 ? content : undefined, {
        ...optional('label', a.str('label')),
        ...optional('description', a.str('description')),
        ...optional('expire', a.str('expire')),
        ...optional('rotate', a.str('rotate')),
      });
      return '';
    }
    case 'secret-get': {
      const a = new Args(argv, ['format', 'label']);
      const mode = a.bool('refresh') ? 'refresh' : a.bool('peek') ? 'peek' : 'track';
      return json(world.secretGet(a.positional[0], a.str('label'), mode));
    }
    case 'secret-info-get': {
      const a = new Args(argv, ['format', 'label']);
      return json(world.secretInfoGet(a.positional[0], a.str('label')));
    }
    case 'secret-grant':
    case 'secret-revoke': {
      const a = new Args(argv, ['relation', 'r', 'unit', 'app']);
      const rel = relId(tool, a.str('relation') ?? a.str('r'));
      const id = a.positional[0] ?? '';
      if (tool === 'secret-grant') world.secretGrant(id, rel, a.str('unit'));
      else world.secretRevoke(id, rel, a.str('unit'));
      return '';
    }
    case 'secret-remove': {
      const a = new Args(argv, ['revision']);
      const rev = a.str('revision');
      world.secretRemove(a.positional[0] ?? '', rev === undefined ? undefined : Number(rev));
      return '';
    }
    case 'secret-ids':
      return json(world.secretIds());
    default:
      throw new HookToolFailure(tool, `ERROR unknown hook tool "${tool}"`, 2);
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function randomSecretSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 20; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/**
 * Runs one hook-tool invocation against the world, recording the call.
 * @internal
 */
export function runHookTool(
  world: World,
  tool: string,
  argv: readonly string[],
  stdin: () => string,
): HookToolResult {
  world.record([tool, ...argv]);
  try {
    return { stdout: handle(world, tool, argv, stdin), stderr: '', exitCode: 0 };
  } catch (error) {
    if (error instanceof HookToolFailure) {
      return { stdout: '', stderr: error.stderr, exitCode: error.exitCode };
    }
    throw error;
  }
}

/** The file name of the world JSON inside a fake-tools directory. @internal */
export function worldFile(dir: string): string {
  return join(dir, 'world.json');
}

/**
 * The file every fake tool appends its argv to, in call order: per call, the argument count
 * then each argument, all NUL-terminated (argv cannot contain NUL). `juju-log` is a shell
 * script that only appends here, so logging costs no Node start-up.
 * @internal
 */
export function callsFile(dir: string): string {
  return join(dir, 'calls.records');
}

/** Encodes one call for {@link callsFile}. @internal */
export function encodeCall(argv: readonly string[]): string {
  return `${[String(argv.length), ...argv].join('\0')}\0`;
}

/** Decodes {@link callsFile} content into argv lists. @internal */
export function decodeCalls(text: string): string[][] {
  const parts = text.split('\0');
  const calls: string[][] = [];
  let i = 0;
  while (i < parts.length - 1) {
    const count = Number(parts[i]);
    if (!Number.isInteger(count) || count < 1) break;
    calls.push(parts.slice(i + 1, i + 1 + count));
    i += 1 + count;
  }
  return calls;
}

/** The level and message of a `juju-log` argv (`--log-level L -- message`). @internal */
export function parseJujuLog(args: readonly string[]): { level: string; message: string } {
  const a = new Args(args, ['log-level', 'l']);
  return { level: a.str('log-level') ?? a.str('l') ?? 'INFO', message: a.positional.join(' ') };
}
