// The life of the packed example charm, as `npm run demo` shows it: `opsjs pack`, unpack as
// Juju does, then drive the packed `dispatch` through deploy, config, relations, actions,
// a failing check and teardown. Each dispatch runs as a real process with @opsjs/testing's
// fake hook tools on PATH and a fake Pebble server (@opsjs/pebble/fake) on a unix socket for
// `web`; the state Juju and Pebble would keep is carried from one dispatch to the next. The
// workload (workload/server.mjs) runs locally where Pebble would run it in the container.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack, unpackCharm } from '@opsjs/cli';
import type { StatusBase } from '@opsjs/core';
import { layerToYaml } from '@opsjs/pebble';
import {
  CheckInfo,
  Container,
  type DispatchOutput,
  EventFactories,
  Exec,
  ModelInfo,
  PeerRelation,
  Relation,
  runDispatch,
  type ScenarioEvent,
  Secret,
  State,
} from '@opsjs/testing';

/** Where the demo writes its lines (default: stdout). */
export type DemoWriter = (line: string) => void;

/** What a finished demo reports, for its test. */
export interface DemoResult {
  /** Every dispatch, in order: the Juju event name and its output. */
  readonly dispatches: readonly { readonly event: string; readonly output: DispatchOutput }[];
  /** The last state. */
  readonly finalState: State;
  /** What the local workload answered on `/` after the config change. */
  readonly greeting: string;
}

const appDir = join(import.meta.dirname, '..');
const serverFile = join(appDir, 'workload', 'server.mjs');
const on = new EventFactories();
const STARTUP =
  /^(opsjs \S+ up and running|Running legacy hooks\/|Charm called itself via |Legacy hooks\/|Using local storage|Initializing local storage)/;
const FRAMEWORK =
  /^(Emitting|Re-emitting|Deferring|Adding unit status|Skipping|opsjs \S+ up|Running legacy|Charm called itself|Legacy|Using|Initializing)/;

const bold = (s: string): string => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[22m` : s);
const dim = (s: string): string => (process.stdout.isTTY ? `\u001b[2m${s}\u001b[22m` : s);

function statusText(status: StatusBase): string {
  return status.message === '' ? status.name : `${status.name}: ${status.message}`;
}

/**
 * The charm's handlers by event (`config_changed` → `onConfigChanged`), read from the
 * `this.observe(this.on.<event>, this.<handler>)` calls in its source.
 */
function handlersByEvent(): Map<string, string[]> {
  const source = readFileSync(join(appDir, 'src', 'example-charm.ts'), 'utf8');
  const map = new Map<string, string[]>();
  // `this.on.configChanged` → `config_changed`; `this.ingress.on.ready` → `ingress.ready`.
  for (const m of source.matchAll(/this\.observe\(this\.(?:(\w+)\.)?on\.(\w+), this\.(\w+)\)/g)) {
    const kind = (m[2] ?? '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const event = m[1] === undefined ? kind : `${m[1]}.${kind}`;
    map.set(event, [...(map.get(event) ?? []), m[3] ?? '']);
  }
  return map;
}

/** Hook-tool calls, consecutive repeats folded (`is-leader ×3`), wrapped into lines of ~90. */
function hookToolLines(calls: readonly (readonly string[])[]): string[] {
  const shown = calls
    .filter((c) => c[0] !== 'juju-log')
    .map((c) => {
      const text = c
        .filter((a) => a !== '--format=json' && a !== '--')
        .map((a) => (a.includes(' ') ? JSON.stringify(a) : a))
        .join(' ');
      return text.length > 76 ? `${text.slice(0, 75)}…` : text;
    });
  const folded: string[] = [];
  for (const call of shown) {
    const previous = folded.at(-1);
    const match = previous === undefined ? null : /^(.*?)(?: ×(\d+))?$/.exec(previous);
    if (match?.[1] === call) folded[folded.length - 1] = `${call} ×${Number(match[2] ?? 1) + 1}`;
    else folded.push(call);
  }
  const lines: string[] = [];
  let line = '';
  for (const call of folded) {
    if (line !== '' && line.length + call.length > 90) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? call : `${line} · ${call}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function fetchText(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
    }).on('error', (err) => resolve({ status: 0, body: err.message }));
  });
}

/** The workload run locally from the config the charm pushed into the (mounted) container. */
class LocalWorkload {
  #child: ChildProcess | undefined;
  port = 0;
  readonly #hostRoot: string;
  readonly #configFile: string;

  constructor(hostRoot: string) {
    this.#hostRoot = hostRoot;
    this.#configFile = join(hostRoot, 'local-config.json');
  }

  /** Starts `node workload/server.mjs` on a free loopback port; resolves with the port. */
  async start(): Promise<number> {
    await this.stop();
    const pushed: Record<string, unknown> = JSON.parse(
      readFileSync(join(this.#hostRoot, 'etc', 'config.json'), 'utf8'),
    );
    const local = {
      ...pushed,
      port: 0,
      ...(pushed.tokenFile === undefined
        ? {}
        : { tokenFile: join(this.#hostRoot, 'etc', 'stats-token') }),
    };
    writeFileSync(this.#configFile, JSON.stringify(local));
    const child = spawn(process.execPath, [serverFile, '--config', this.#configFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#child = child;
    // Never leave the workload behind, even when the demo dies (e.g. its output pipe closes).
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', kill);
    child.once('exit', () => process.removeListener('exit', kill));
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /listening on port (\d+)/.exec(out);
        if (match?.[1] !== undefined) resolve(Number(match[1]));
      });
      child.on('exit', (code) => reject(new Error(`the workload exited with ${code}`)));
    });
    writeFileSync(this.#configFile, JSON.stringify({ ...local, port: this.port }));
    return this.port;
  }

  /** What `node server.mjs --stats` prints (the command the charm execs in the container). */
  stats(): string {
    return execFileSync(process.execPath, [serverFile, '--config', this.#configFile, '--stats'], {
      encoding: 'utf8',
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/**
 * Runs the demo, writing a timeline to `write`.
 *
 * @returns what happened, for the demo's test
 */
export async function runDemo(
  write: DemoWriter = (line) => console.log(line),
): Promise<DemoResult> {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'opsjs-demo-'));
  const host = join(work, 'container-web');
  mkdirSync(join(host, 'etc'), { recursive: true });
  mkdirSync(join(host, 'srv'), { recursive: true });
  const workload = new LocalWorkload(host);
  const dispatches: { event: string; output: DispatchOutput }[] = [];
  try {
    write(bold('opsjs demo: the example charm, packed, driven through its real dispatch'));
    write(dim('No Juju and no network. Each dispatch runs as a real process through'));
    write(dim("@opsjs/testing's runDispatch: fake hook tools first on PATH stand in for Juju, a"));
    write(dim('fake Pebble server on a unix socket for the web container; the state carries over'));
    write(dim('from one dispatch to the next. The workload itself runs locally.'));
    write('');

    write(`${bold('1. pack')}   opsjs pack apps/example-charm --no-runtime`);
    const packed = await pack({ dir: appDir, out: join(work, 'out'), noRuntime: true });
    const bundle = packed.entries.find((e) => e.path === 'dist/charm.mjs');
    write(
      `   ${packed.charmPath.split('/').at(-1)}: ${(packed.size / 1024).toFixed(0)} KiB, ` +
        `${packed.entries.length} entries (bundle ${((bundle?.size ?? 0) / 1024).toFixed(0)} KiB)`,
    );
    write(
      `   --no-runtime: its dispatch runs \`node\` from PATH (here Node ${process.version}); ` +
        'for Juju, pack with the runtime',
    );
    const charmDir = join(work, 'charm');
    await unpackCharm(packed.charmPath, charmDir);
    // dispatch keeps Node's compile cache in the charm directory, as on a Juju unit; runDispatch
    // links the charm's entries into a fresh directory per run, so give the cache a home here.
    mkdirSync(join(charmDir, '.node-compile-cache'));
    write(`${bold('2. unpack')} into ${charmDir} (as Juju does), then dispatch events:`);
    write('');

    const mounts = {
      etc: { location: '/etc/web', source: join(host, 'etc') },
      srv: { location: '/srv/web', source: join(host, 'srv') },
    };
    const web = (init: {
      canConnect: boolean;
      checks?: readonly CheckInfo[];
      stats?: string;
      from?: Container;
    }): Container =>
      new Container({
        name: 'web',
        canConnect: init.canConnect,
        mounts,
        layers: init.from?.layers ?? {},
        serviceStatuses: init.from?.serviceStatuses ?? {},
        checkInfos: init.checks ?? init.from?.checkInfos ?? [],
        execs:
          init.stats === undefined
            ? []
            : [new Exec({ commandPrefix: ['node', '/srv/web/server.mjs'], stdout: init.stats })],
      });

    const handlers = handlersByEvent();
    const collect = (handlers.get('collect_unit_status') ?? []).join(', ');
    let step = 0;
    const dispatch = async (
      event: ScenarioEvent,
      state: State,
      why: string,
      unitId = 0,
    ): Promise<DispatchOutput> => {
      step += 1;
      const unit = unitId === 0 ? '' : ` on example-charm/${unitId}`;
      const label = `${String(step).padStart(2)}. ${event.name.replaceAll('_', '-')}${unit}`;
      write(`${bold(label)}${why === '' ? '' : dim(`  (${why})`)}`);
      const t0 = performance.now();
      const output = await runDispatch({
        charmDir,
        event,
        state,
        unitId,
        charmClassName: 'ExampleCharm',
      });
      const ms = performance.now() - t0;
      dispatches.push({ event: event.name, output });
      const reemitted = output.jujuLog.flatMap((l) => {
        const m = /^Re-emitting deferred event <\w+ via [^>]*\/on\/(\w+)\[/.exec(l.message);
        return m?.[1] === undefined ? [] : (handlers.get(m[1]) ?? []).map((h) => `${h} (deferred)`);
      });
      // Events of the interface libraries: `<Ready via ExampleCharm/InterfaceRequirer[ingress]/on/ready[2]>`.
      const custom = output.jujuLog.flatMap((l) => {
        const m = /^Emitting custom event <\w+ via [^>]*\[(\w+)\]\/on\/(\w+)\[/.exec(l.message);
        return m === null ? [] : (handlers.get(`${m[1]}.${m[2]}`) ?? []);
      });
      const ran = [...reemitted, ...(handlers.get(event.name) ?? []), ...custom, collect];
      write(`      ${bold('handlers')}  ${ran.join(' → ')}`);
      for (const line of output.jujuLog) {
        // The start-up lines are the same in every dispatch: show them once.
        if (step > 1 && STARTUP.test(line.message)) continue;
        const source = FRAMEWORK.test(line.message) ? 'framework' : 'charm    ';
        write(`      ${source} ${line.level.padEnd(7)} ${line.message}`);
      }
      for (const line of hookToolLines(output.hookToolCalls))
        write(`      ${dim('hook tool')} ${dim(line)}`);
      const results = output.actionResults;
      if (results !== undefined) write(`      results   ${JSON.stringify(results)}`);
      if (output.actionFailure !== undefined) write(`      failed    ${output.actionFailure}`);
      write(
        `      ${bold('status')}    ${statusText(output.state.unitStatus)}  ${dim(`${ms.toFixed(0)} ms`)}`,
      );
      return output;
    };

    // Deploy: the unit starts before Pebble answers in the workload container.
    const peers = new PeerRelation({ endpoint: 'replicas' });
    let state = new State({
      leader: true,
      config: {},
      model: new ModelInfo({ name: 'demo' }),
      relations: [peers],
      containers: [web({ canConnect: false })],
    });
    state = (await dispatch(on.install(), state, 'juju deploy')).state;
    state = (
      await dispatch(on.relationCreated(state.getRelation(peers.id)), state, 'peer relation')
    ).state;
    state = (await dispatch(on.leaderElected(), state, 'this unit is the leader')).state;
    state = (await dispatch(on.configChanged(), state, 'Pebble not up yet: deferred')).state;
    state = (await dispatch(on.start(), state, '')).state;
    let container = web({ canConnect: true, from: state.getContainer('web') });
    state = state.with({ containers: [container] });
    state = (await dispatch(on.pebbleReady(container), state, 'Pebble is up in web')).state;
    let port = await workload.start();
    write(
      `      ${bold('workload')}  Pebble started it; here: node workload/server.mjs on 127.0.0.1:${port}`,
    );
    write(`      GET /      → ${(await fetchText(port, '/')).body}`);
    write('');

    // A second unit: not the leader, it reads the token the leader shared in the peer app bag.
    const peerBag = state.getRelation(peers.id).localAppData;
    const unit1Peers = new PeerRelation({
      endpoint: 'replicas',
      id: peers.id,
      localAppData: peerBag,
    });
    const unit1Host = join(work, 'container-web-1');
    mkdirSync(join(unit1Host, 'etc'), { recursive: true });
    mkdirSync(join(unit1Host, 'srv'), { recursive: true });
    const unit1Web = new Container({
      name: 'web',
      canConnect: true,
      mounts: {
        etc: { location: '/etc/web', source: join(unit1Host, 'etc') },
        srv: { location: '/srv/web', source: join(unit1Host, 'srv') },
      },
    });
    const unit1 = await dispatch(
      on.relationChanged(unit1Peers, { remoteUnit: 0 }),
      new State({
        config: {},
        model: state.model,
        relations: [unit1Peers],
        secrets: state.secrets,
        containers: [unit1Web],
      }),
      'juju add-unit example-charm: the new unit reads the shared token',
      1,
    );
    const sameToken =
      readFileSync(join(unit1Host, 'etc', 'stats-token'), 'utf8') ===
      readFileSync(join(host, 'etc', 'stats-token'), 'utf8');
    write(
      `      ${bold('unit 1')}    ${statusText(unit1.state.unitStatus)}; same stats token as unit 0: ${sameToken}`,
    );
    write('');

    // Operator changes the config.
    state = state.with({ config: { greeting: 'Hello from the demo', port: 8081 } });
    state = (
      await dispatch(
        on.configChanged(),
        state,
        "juju config greeting='Hello from the demo' port=8081",
      )
    ).state;
    port = await workload.start();
    const greeting = (await fetchText(port, '/')).body;
    write(
      `      ${bold('workload')}  restarted by replan (the layer changed); GET / → ${greeting}`,
    );
    write('');

    // A proxy relates to `website` and reads what the leader published.
    const website = new Relation({ endpoint: 'website', remoteAppName: 'proxy' });
    state = state.with({ relations: [...state.relations, website] });
    state = (
      await dispatch(
        on.relationCreated(website),
        state,
        'juju integrate example-charm:website proxy',
      )
    ).state;
    state = (
      await dispatch(
        on.relationJoined(state.getRelation(website.id), { remoteUnit: 0 }),
        state,
        'proxy/0 joins',
      )
    ).state;
    const published = state.getRelation(website.id).localAppData;
    write(`      ${bold('proxy')}     reads the app bag: ${JSON.stringify(published)}`);
    write('');

    // Ingress through traefik and a PostgreSQL database, with the interface libraries: the
    // remote sides answer with the bags (and the secret) the Python charms write.
    const ingress = new Relation({ endpoint: 'ingress', remoteAppName: 'traefik' });
    state = state.with({ relations: [...state.relations, ingress] });
    state = (
      await dispatch(
        on.relationJoined(ingress, { remoteUnit: 0 }),
        state,
        'juju integrate example-charm:ingress traefik',
      )
    ).state;
    const asked = state.getRelation(ingress.id);
    write(
      `      ${bold('traefik')}   reads ${JSON.stringify(asked.localAppData)} ` +
        `and host ${asked.localUnitData.host ?? ''}`,
    );
    const routed = new Relation({
      endpoint: 'ingress',
      id: ingress.id,
      remoteAppName: 'traefik',
      localAppData: asked.localAppData,
      localUnitData: asked.localUnitData,
      remoteAppData: { ingress: '{"url": "http://traefik.demo/demo-example-charm"}' },
    });
    state = state.with({
      relations: state.relations.map((r) => (r.id === ingress.id ? routed : r)),
    });
    state = (await dispatch(on.relationChanged(routed), state, 'traefik publishes the URL')).state;
    const database = new Relation({ endpoint: 'database', remoteAppName: 'postgresql-k8s' });
    state = state.with({ relations: [...state.relations, database] });
    state = (
      await dispatch(
        on.relationJoined(database, { remoteUnit: 0 }),
        state,
        'juju integrate example-charm:database postgresql-k8s',
      )
    ).state;
    const requested = state.getRelation(database.id).localAppData;
    write(`      ${bold('postgres')}  reads ${JSON.stringify(requested)}`);
    const credentials = new Secret({
      trackedContent: { username: 'relation-4', password: 'not-printed-anywhere' },
    });
    const granted = new Relation({
      endpoint: 'database',
      id: database.id,
      remoteAppName: 'postgresql-k8s',
      localAppData: requested,
      remoteAppData: {
        database: 'example',
        endpoints: 'postgresql-k8s-primary.demo.svc.cluster.local:5432',
        'secret-user': credentials.id,
      },
    });
    state = state.with({
      relations: state.relations.map((r) => (r.id === database.id ? granted : r)),
      secrets: [...state.secrets, credentials],
    });
    state = (await dispatch(on.relationChanged(granted), state, 'postgresql-k8s sends credentials'))
      .state;
    const pushed: Record<string, unknown> = JSON.parse(
      readFileSync(join(host, 'etc', 'database.json'), 'utf8'),
    );
    write(
      `      ${bold('workload')}  /etc/web/database.json: ${JSON.stringify({ ...pushed, password: '<redacted>' })}`,
    );
    write('');

    // An action whose results come from an exec in the container.
    for (let i = 0; i < 3; i += 1) await fetchText(port, '/');
    container = web({ canConnect: true, from: state.getContainer('web'), stats: workload.stats() });
    state = state.with({ containers: [container] });
    state = (await dispatch(on.action('get-stats'), state, 'juju run example-charm/0 get-stats'))
      .state;
    write('');

    // The workload stops answering; its ready check fails, then recovers after the charm's restart.
    await workload.stop();
    write(`${bold('    workload killed')}: GET /ready → ${(await fetchText(port, '/ready')).body}`);
    const down = new CheckInfo({ name: 'ready', level: 'ready', status: 'down', failures: 3 });
    container = web({ canConnect: true, from: state.getContainer('web'), checks: [down] });
    state = state.with({ containers: [container] });
    state = (
      await dispatch(on.pebbleCheckFailed(container, down), state, 'ready failed 3 times in a row')
    ).state;
    port = await workload.start();
    write(
      `      ${bold('workload')}  restarted: GET /ready → ${(await fetchText(port, '/ready')).body}`,
    );
    const up = new CheckInfo({ name: 'ready', level: 'ready', status: 'up', successes: 1 });
    container = web({ canConnect: true, from: state.getContainer('web'), checks: [up] });
    state = state.with({ containers: [container] });
    state = (await dispatch(on.pebbleCheckRecovered(container, up), state, 'ready passes again'))
      .state;
    state = (
      await dispatch(
        on.action('restart', { reason: 'demo' }),
        state,
        'juju run example-charm/0 restart reason=demo',
      )
    ).state;
    write('');

    // Teardown.
    state = (
      await dispatch(
        on.relationDeparted(state.getRelation(website.id), { remoteUnit: 0 }),
        state,
        'juju remove-relation',
      )
    ).state;
    state = (await dispatch(on.relationBroken(state.getRelation(website.id)), state, '')).state;
    state = state.with({ relations: state.relations.filter((r) => r.id !== website.id) });
    state = (await dispatch(on.stop(), state, 'juju remove-application')).state;
    await workload.stop();
    state = (await dispatch(on.remove(), state, '')).state;
    write('');

    write(bold('Final unit status'));
    write(`   ${statusText(state.unitStatus)}`);
    write(bold('Pebble plan of web'));
    for (const line of layerToYaml(state.getContainer('web').plan).trimEnd().split('\n')) {
      write(`   ${line}`);
    }
    write(bold('Stored state'));
    write(`   ${JSON.stringify(state.getStoredState('state', 'ExampleCharm').content)}`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    write('');
    write(`${dispatches.length} dispatches of the packed charm in ${seconds} s.`);
    return { dispatches, finalState: state, greeting };
  } finally {
    await workload.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
