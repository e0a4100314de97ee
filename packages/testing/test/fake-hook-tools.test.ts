import { execFileSync } from 'node:child_process';
import { HookToolBackend, JujuContext, RelationNotFoundError } from '@opsjs/model';
import { afterEach, describe, expect, it } from 'vitest';
import { EventFactories } from '../src/event.js';
import { buildEventEnv } from '../src/event-env.js';
import { FakeHookTools } from '../src/fake-hook-tools.js';
import { Relation } from '../src/state/relation.js';
import { State } from '../src/state/state.js';
import { stateToWorld } from '../src/state-world.js';
import { sampleMeta } from './helpers/meta.js';

const meta = sampleMeta();
const on = new EventFactories();
let tools: FakeHookTools | undefined;

afterEach(() => {
  tools?.cleanup();
  tools = undefined;
});

describe('fake hook-tool executables', { timeout: 30_000 }, () => {
  it('serve and record calls of the production backend as separate processes', () => {
    const db = new Relation({ endpoint: 'db', id: 4, remoteAppName: 'pg' });
    const state = new State({ config: { name: 'x' }, leader: true, relations: [db] });
    tools = FakeHookTools.create(
      stateToWorld(
        state,
        meta,
        { unitName: 'sample/0', jujuVersion: '3.6.14' },
        undefined,
        () => '/d',
      ),
    );
    const env = {
      ...buildEventEnv(
        on.start(),
        state,
        { appName: 'sample', unitId: 0, jujuVersion: '3.6.14' },
        '/charm',
      ),
      PATH: tools.path(),
    };
    const backend = new HookToolBackend({ context: JujuContext.fromEnv(env), env });
    expect(backend.configGet()).toMatchObject({ name: 'x', port: 8080 });
    backend.relationSet(4, { ready: 'yes' }, true, 'db');
    backend.statusSet('active', 'up', false);
    expect(() => backend.relationList(5, 'db')).toThrow(RelationNotFoundError);
    const world = tools.readWorld();
    expect(world.relations[0]?.bags.sample).toEqual({ ready: 'yes' });
    expect(world.unitStatus).toEqual({ status: 'active', message: 'up' });
    expect(world.calls.map((c) => c[0])).toEqual([
      'config-get',
      'relation-set',
      'status-set',
      'relation-list',
    ]);
  });

  it('print Juju errors on stderr with a non-zero exit code', () => {
    tools = FakeHookTools.create(
      stateToWorld(
        new State(),
        meta,
        { unitName: 'sample/0', jujuVersion: '3.6.14' },
        undefined,
        () => '/d',
      ),
    );
    let failure: unknown;
    try {
      execFileSync('action-get', ['--format=json'], { env: { PATH: tools.path() }, stdio: 'pipe' });
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ status: 1 });
    expect(String((failure as { stderr: Buffer }).stderr)).toBe('ERROR not running an action\n');
  });

  it('record juju-log calls in order without starting Node, keeping newlines and empty messages', () => {
    tools = FakeHookTools.create(
      stateToWorld(
        new State(),
        meta,
        { unitName: 'sample/0', jujuVersion: '3.6.14' },
        undefined,
        () => '/d',
      ),
    );
    const env = { PATH: tools.path() };
    execFileSync('juju-log', ['--log-level', 'DEBUG', '--', 'two\nlines'], { env });
    execFileSync('is-leader', ['--format=json'], { env });
    execFileSync('juju-log', ['--log-level', 'INFO', '--', ''], { env });
    const world = tools.readWorld();
    expect(world.jujuLog).toEqual([
      { level: 'DEBUG', message: 'two\nlines' },
      { level: 'INFO', message: '' },
    ]);
    expect(world.calls.map((c) => c[0])).toEqual(['juju-log', 'is-leader', 'juju-log']);
  });
});

describe('world.json', () => {
  it('is parsed, and a damaged one is reported with the file and field', async () => {
    const { parseWorld } = await import('../src/world-schema.js');
    expect(() => parseWorld('{', '/x/world.json')).toThrow('/x/world.json: not JSON');
    expect(() => parseWorld('{"unitName": 1}', '/x/world.json')).toThrow(
      /^\/x\/world\.json: unitName: /,
    );
  });
});
