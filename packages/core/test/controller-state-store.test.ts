// ControllerStateStore against ops' JujuStorage (ops/storage.py): the same keys, the same YAML
// values, ops' hook-tool calls; state written by Python ops is read by opsjs and vice versa.
import { describe, expect, it } from 'vitest';
import { CharmBase } from '../src/charm.js';
import type { ConfigChangedEvent } from '../src/charm-events.js';
import { runDispatch } from '../src/dispatch.js';
import type { Framework } from '../src/framework.js';
import { Logger } from '../src/logger.js';
import {
  type ControllerStateBackend,
  ControllerStateStore,
  NOTICES_KEY,
} from '../src/storage/controller-state-store.js';
import { dumpPyYaml, loadPyYaml, PyTuple } from '../src/storage/py-yaml.js';
import type { Notice, SnapshotData, StateStore } from '../src/storage/state-store.js';
import { StoredState } from '../src/stored-state.js';
import { context, meta } from './helpers/dispatch.js';
import { FakeBackend } from './helpers/fake-backend.js';

/** `state-set --file -` stdin as ops writes it for one key (yaml.dump, default_style='|'). */
function opsStdin(key: string, value: string): string {
  const lines = value.endsWith('\n') ? value.slice(0, -1).split('\n') : value.split('\n');
  return `${JSON.stringify(key)}: |\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/** Juju's charm state as the hook tools see it; calls recorded as argv (+ stdin). */
class FakeController implements ControllerStateBackend {
  readonly values = new Map<string, string>();
  calls: string[][] = [];
  stateGet(key: string): string {
    this.calls.push(['state-get', key]);
    // `state-get <key>` prints the stored string and a newline, or nothing.
    const value = this.values.get(key);
    return value === undefined ? '' : `${value}\n`;
  }
  stateSet(values: Readonly<Record<string, string>>): void {
    const entries = Object.entries(values);
    this.calls.push(['state-set', '--file', '-', entries.map(([k, v]) => opsStdin(k, v)).join('')]);
    for (const [k, v] of entries) this.values.set(k, v);
  }
  stateDelete(key: string): void {
    this.calls.push(['state-delete', key]);
    this.values.delete(key);
  }
}

/**
 * What ops' `JujuStorage` does for each storage call, written from ops/storage.py: every call
 * goes to Juju at once, and each notice operation reads `#notices#` again.
 */
class OpsJujuStorage implements StateStore {
  readonly #backend: FakeController;
  constructor(backend: FakeController) {
    this.#backend = backend;
  }
  #get(key: string): unknown {
    const out = this.#backend.stateGet(key);
    if (out === '' || out === '\n') return undefined;
    return loadPyYaml(out, key);
  }
  #set(key: string, value: SnapshotData | PyTuple[]): void {
    this.#backend.stateSet({ [key]: dumpPyYaml(value) });
  }
  #noticeList(): PyTuple[] {
    const raw = (this.#get(NOTICES_KEY) ?? []) as string[][];
    return raw.map((t) => new PyTuple(t));
  }
  loadSnapshot(handlePath: string): SnapshotData | undefined {
    return this.#get(handlePath) as SnapshotData | undefined;
  }
  saveSnapshot(handlePath: string, data: SnapshotData): void {
    this.#set(handlePath, data);
  }
  dropSnapshot(handlePath: string): void {
    this.#backend.stateDelete(handlePath);
  }
  listSnapshots(): string[] {
    return [];
  }
  saveNotice(n: Notice): void {
    const list = this.#noticeList();
    list.push(new PyTuple([n.eventPath, n.observerPath, n.methodName]));
    this.#set(NOTICES_KEY, list);
  }
  dropNotice(n: Notice): void {
    const list = this.#noticeList();
    const i = list.findIndex(
      (t) => t.items.join('\0') === [n.eventPath, n.observerPath, n.methodName].join('\0'),
    );
    list.splice(i, 1);
    this.#set(NOTICES_KEY, list);
  }
  notices(eventPath?: string): Notice[] {
    return this.#noticeList()
      .map(({ items: [eventPath, observerPath, methodName] }) => ({
        eventPath: String(eventPath),
        observerPath: String(observerPath),
        methodName: String(methodName),
      }))
      .filter((n) => eventPath === undefined || n.eventPath === eventPath);
  }
  commit(): void {}
  close(): void {}
}

class DemoCharm extends CharmBase {
  static defer = false;
  readonly state = new StoredState(this, 'state', { configChanges: 0, installed: false });
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.configChanged, this.onConfigChanged);
  }
  onConfigChanged(event: ConfigChangedEvent): void {
    if (DemoCharm.defer) {
      event.defer();
      return;
    }
    this.state.data.configChanges += 1;
  }
}

async function configChanged(store: StateStore): Promise<number> {
  const run = await runDispatch(DemoCharm, {
    context: context('hooks/config-changed'),
    meta: meta(),
    backend: new FakeBackend(),
    store,
    logger: new Logger(),
  });
  return run.exitCode;
}

// State as Python ops (PyYAML 6.0.3 with libyaml) leaves it after four dispatches, the last a
// config-changed that deferred: the byte strings each key holds on the controller.
const WRITTEN_BY_OPS: ReadonlyArray<[string, string]> = [
  ['StoredStateData[_stored]', '{event_count: 4}\n'],
  ['DemoCharm/StoredStateData[state]', '{configChanges: 2, installed: true}\n'],
  ['DemoCharm/on/config_changed[4]', '{}\n'],
  [
    NOTICES_KEY,
    "- !!python/tuple ['DemoCharm/on/config_changed[4]', DemoCharm, onConfigChanged]\n",
  ],
];

describe('ControllerStateStore, as ops JujuStorage', () => {
  it('reads state written by Python ops and leaves what ops would', async () => {
    const ours = new FakeController();
    const ops = new FakeController();
    for (const [k, v] of WRITTEN_BY_OPS) {
      ours.values.set(k, v);
      ops.values.set(k, v);
    }
    DemoCharm.defer = false;
    expect(await configChanged(new ControllerStateStore(ours))).toBe(0);
    expect(await configChanged(new OpsJujuStorage(ops))).toBe(0);
    // The deferred event ran (configChanges 2 -> 4: re-emitted, then the new event).
    expect(Object.fromEntries(ours.values)).toEqual({
      'StoredStateData[_stored]': '{event_count: 8}\n',
      'DemoCharm/StoredStateData[state]': '{configChanges: 4, installed: true}\n',
      [NOTICES_KEY]: '[]\n',
    });
    expect(Object.fromEntries(ours.values)).toEqual(Object.fromEntries(ops.values));
  });

  it('writes state that ops reads: the same keys and YAML values, tuples for notices', async () => {
    const ours = new FakeController();
    const ops = new FakeController();
    DemoCharm.defer = false;
    await configChanged(new ControllerStateStore(ours));
    await configChanged(new OpsJujuStorage(ops));
    DemoCharm.defer = true;
    await configChanged(new ControllerStateStore(ours));
    await configChanged(new OpsJujuStorage(ops));
    expect(Object.fromEntries(ours.values)).toEqual({
      'StoredStateData[_stored]': '{event_count: 8}\n',
      'DemoCharm/StoredStateData[state]': '{configChanges: 1, installed: false}\n',
      'DemoCharm/on/config_changed[5]': '{}\n',
      [NOTICES_KEY]:
        "- !!python/tuple ['DemoCharm/on/config_changed[5]', DemoCharm, onConfigChanged]\n",
    });
    expect(Object.fromEntries(ours.values)).toEqual(Object.fromEntries(ops.values));
  });

  it("makes ops' calls, each key read once and written once at commit", async () => {
    const ours = new FakeController();
    const ops = new FakeController();
    for (const [k, v] of WRITTEN_BY_OPS) {
      ours.values.set(k, v);
      ops.values.set(k, v);
    }
    DemoCharm.defer = false;
    await configChanged(new ControllerStateStore(ours));
    await configChanged(new OpsJujuStorage(ops));
    const set = (key: string, value: string) => ['state-set', '--file', '-', opsStdin(key, value)];
    expect(ours.calls).toEqual([
      ['state-get', 'StoredStateData[_stored]'],
      ['state-get', NOTICES_KEY],
      ['state-get', 'DemoCharm/on/config_changed[4]'],
      ['state-get', 'DemoCharm/StoredStateData[state]'],
      set(NOTICES_KEY, '[]\n'),
      ['state-delete', 'DemoCharm/on/config_changed[4]'],
      set('DemoCharm/StoredStateData[state]', '{configChanges: 4, installed: true}\n'),
      set('StoredStateData[_stored]', '{event_count: 8}\n'),
    ]);
    // ops makes every one of these calls too, among its 27 (each notice operation reads
    // `#notices#` again; each event it emits is written, then deleted).
    expect(ops.calls).toHaveLength(27);
    const remaining = [...ops.calls];
    for (const call of ours.calls) {
      const i = remaining.findIndex((c) => JSON.stringify(c) === JSON.stringify(call));
      expect(i, `ops makes ${call.join(' ')}`).toBeGreaterThanOrEqual(0);
      remaining.splice(0, i + 1);
    }
  });

  it('sends nothing for a key that did not change', async () => {
    const fake = new FakeController();
    fake.values.set('A/StoredStateData[s]', '{a: 1}\n');
    const store = new ControllerStateStore(fake);
    store.saveSnapshot('A/StoredStateData[s]', { ...store.loadSnapshot('A/StoredStateData[s]') });
    store.commit();
    expect(fake.calls).toEqual([['state-get', 'A/StoredStateData[s]']]);
  });

  it('reads YAML as PyYAML does: 1.1 scalars, tuples and sets as arrays, null notices', () => {
    const fake = new FakeController();
    fake.values.set(
      'k',
      "a: [yes, 'yes', 1e3, 0x1f, 1_000, 1.5e+3, ~, '']\nb: !!set {x: null}\nc: !!python/tuple [1, 2]\n",
    );
    fake.values.set(NOTICES_KEY, 'null\n');
    const store = new ControllerStateStore(fake);
    expect(store.loadSnapshot('k')).toEqual({
      a: [true, 'yes', '1e3', 31, 1000, 1500, null, ''],
      b: ['x'],
      c: [1, 2],
    });
    expect(store.notices()).toEqual([]);
  });

  it('rejects values it cannot represent, naming the key', () => {
    const fake = new FakeController();
    fake.values.set('bin', 'seven: !!binary |\n  MTIzNA==\n');
    fake.values.set('list', '[1]\n');
    fake.values.set('torn', '{a: [1\n');
    fake.values.set(NOTICES_KEY, '- !!python/tuple [a]\n');
    const store = new ControllerStateStore(fake);
    expect(() => store.loadSnapshot('bin')).toThrow(
      'controller state bin: the stored value is not YAML that ops or opsjs writes',
    );
    expect(() => store.loadSnapshot('list')).toThrow(
      'controller state list: the stored value is not a snapshot map',
    );
    expect(() => store.loadSnapshot('torn')).toThrow(
      /^controller state torn: the stored value is not YAML that ops or opsjs writes: not valid YAML \([A-Z_]+ at line \d+\)$/,
    );
    expect(() => store.notices()).toThrow(
      `controller state ${NOTICES_KEY}: expected a list of [event, observer, method] triples`,
    );
  });
});
