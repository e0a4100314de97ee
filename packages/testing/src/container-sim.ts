import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Layer, PebbleClient } from '@opsjs/pebble';
import { FakePebbleServer } from '@opsjs/pebble/fake';
import {
  CheckInfo,
  Container,
  type Exec,
  Notice,
  type ServiceStatusName,
} from './state/container.js';

/** One exec the charm ran in a container (Scenario's `ExecArgs`). */
export interface ExecRecord {
  /** The full command line. */
  readonly command: readonly string[];
  /** The environment it got. */
  readonly environment: Readonly<Record<string, string>>;
  /** Working directory. */
  readonly workingDir: string;
  /** User name, if given. */
  readonly user: string | undefined;
  /** Group name, if given. */
  readonly group: string | undefined;
}

function matchingExec(execs: readonly Exec[], command: readonly string[]): Exec | undefined {
  let best: Exec | undefined;
  for (const exec of execs) {
    const prefix = exec.commandPrefix;
    if (prefix.length > command.length) continue;
    if (!prefix.every((part, i) => command[i] === part)) continue;
    if (best === undefined || prefix.length > best.commandPrefix.length) best = exec;
  }
  return best;
}

const SERVICE_STATUSES: readonly string[] = ['active', 'inactive', 'error', 'backoff'];

/**
 * A workload container of a `State` served by a real `FakePebbleServer` on a unix socket
 * for one run, seeded from the state and read back into it afterwards.
 * @internal
 */
export class SimulatedContainer {
  readonly server: FakePebbleServer;
  readonly #container: Container;

  private constructor(server: FakePebbleServer, container: Container) {
    this.server = server;
    this.#container = container;
  }

  /** Starts the server for `container` on `socketPath`, with `root` as its `/`. */
  static async start(
    container: Container,
    options: { socketPath: string; root: string; execHistory: ExecRecord[] },
  ): Promise<SimulatedContainer> {
    mkdirSync(options.root, { recursive: true });
    for (const mount of Object.values(container.mounts)) {
      const target = join(options.root, mount.location);
      mkdirSync(dirname(target), { recursive: true });
      rmSync(target, { recursive: true, force: true });
      symlinkSync(mount.source, target);
    }
    const server = await FakePebbleServer.start({
      socketPath: options.socketPath,
      root: options.root,
    });
    const sim = new SimulatedContainer(server, container);
    if (container.execs.length > 0) {
      server.handleExec(
        (command) => matchingExec(container.execs, command) !== undefined,
        ({ command, environment, workingDir, user, group, stdout, stderr }) => {
          options.execHistory.push({
            command: [...command],
            environment: { ...environment },
            workingDir,
            user,
            group,
          });
          const exec = matchingExec(container.execs, command);
          if (exec === undefined) return 127;
          stdout.write(exec.stdout);
          stderr.write(exec.stderr);
          return exec.returnCode;
        },
      );
    }
    for (const notice of container.notices) {
      server.addNotice({ type: notice.type, key: notice.key, data: { ...notice.lastData } });
    }
    const layers = Object.entries(container.layers);
    const active = Object.entries(container.serviceStatuses)
      .filter(([, status]) => status === 'active')
      .map(([name]) => name);
    const down = container.checkInfos.filter((c) => c.status === 'down');
    if (layers.length > 0 || active.length > 0) {
      const client = new PebbleClient({ socketPath: server.socketPath });
      try {
        for (const [label, layer] of layers) await client.addLayer(label, layer, { combine: true });
        if (active.length > 0) await client.startServices(active);
      } finally {
        await client.close();
      }
    }
    for (const check of down) server.setCheckStatus(check.name, 'down');
    if (!container.canConnect) await server.setAvailable(false);
    return sim;
  }

  /** The container after the run: layers, service statuses, notices and checks as Pebble has them. */
  async toState(): Promise<Container> {
    const original = this.#container;
    const layers: Record<string, Layer> = {};
    for (const entry of this.server.layers) layers[entry.label] = entry.layer;
    const notices = this.server.notices.map(
      (n) =>
        new Notice({
          id: n.id,
          key: n.key,
          type: n.type,
          occurrences: n.occurrences,
          lastData: n.lastData ?? {},
          firstOccurred: n.firstOccurred,
          lastOccurred: n.lastOccurred,
          lastRepeated: n.lastRepeated,
          ...(n.userId === null ? {} : { userId: n.userId }),
        }),
    );
    let serviceStatuses: Record<string, ServiceStatusName> = { ...original.serviceStatuses };
    let checkInfos = original.checkInfos;
    if (original.canConnect) {
      const client = new PebbleClient({ socketPath: this.server.socketPath });
      try {
        serviceStatuses = {};
        for (const s of await client.getServices()) {
          if (SERVICE_STATUSES.includes(s.current)) {
            serviceStatuses[s.name] = s.current as ServiceStatusName;
          }
        }
        checkInfos = (await client.getChecks()).map((c) => {
          const level = c.level === 'alive' ? 'alive' : c.level === 'ready' ? 'ready' : undefined;
          return new CheckInfo({
            name: c.name,
            ...(level === undefined ? {} : { level }),
            startup: c.startup === 'disabled' ? 'disabled' : 'enabled',
            status: c.status === 'down' ? 'down' : c.status === 'inactive' ? 'inactive' : 'up',
            successes: c.successes,
            failures: c.failures,
            threshold: c.threshold,
          });
        });
      } finally {
        await client.close();
      }
    }
    return new Container({
      name: original.name,
      canConnect: original.canConnect,
      layers,
      serviceStatuses,
      mounts: original.mounts,
      execs: original.execs,
      notices,
      checkInfos,
    });
  }

  /** Stops the server. */
  async close(): Promise<void> {
    await this.server.close();
  }
}
