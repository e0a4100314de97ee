import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Layer } from '@opsjs/pebble';
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

  /**
   * Starts the server for `container` on `socketPath`, with `root` as its `/` — or resets and
   * reuses `options.server` (keeping its files), which is much cheaper than a new server.
   */
  static async start(
    container: Container,
    options: {
      socketPath: string;
      root: string;
      execHistory: ExecRecord[];
      server?: FakePebbleServer;
    },
  ): Promise<SimulatedContainer> {
    mkdirSync(options.root, { recursive: true });
    for (const mount of Object.values(container.mounts)) {
      const target = join(options.root, mount.location);
      mkdirSync(dirname(target), { recursive: true });
      rmSync(target, { recursive: true, force: true });
      symlinkSync(mount.source, target);
    }
    let server = options.server;
    if (server === undefined) {
      server = await FakePebbleServer.start({ socketPath: options.socketPath, root: options.root });
    } else {
      await server.reset({ keepFiles: true });
    }
    const sim = new SimulatedContainer(server, container);
    // Every command is answered: as Scenario, one without a matching Exec fails with exit
    // code 127 (an ExecError for the charm) rather than Pebble's "cannot find executable".
    server.handleExec(
      () => true,
      ({ command, environment, workingDir, user, group, stdout, stderr }) => {
        const exec = matchingExec(container.execs, command);
        if (exec === undefined) {
          stderr.write(
            `no Exec in State for ${JSON.stringify(command)} in container '${container.name}': add one to Container.execs\n`,
          );
          return 127;
        }
        options.execHistory.push({
          command: [...command],
          environment: { ...environment },
          workingDir,
          user,
          group,
        });
        stdout.write(exec.stdout);
        stderr.write(exec.stderr);
        return exec.returnCode;
      },
    );
    for (const notice of container.notices) {
      server.addNotice({ type: notice.type, key: notice.key, data: { ...notice.lastData } });
    }
    // Seeded from the test side, with the rules of Pebble's own add-layer.
    for (const [label, layer] of Object.entries(container.layers)) {
      server.addLayer(label, layer, { combine: true });
    }
    const planned = server.plan.services ?? {};
    for (const [name, status] of Object.entries(container.serviceStatuses)) {
      if (planned[name] !== undefined) server.setServiceStatus(name, status);
    }
    const down = container.checkInfos.filter((c) => c.status === 'down');
    for (const check of down) server.setCheckStatus(check.name, 'down');
    if (!container.canConnect) await server.setAvailable(false);
    return sim;
  }

  /** The container after the run: layers, service statuses, notices and checks as Pebble has them. */
  toState(): Container {
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
    const serviceStatuses: Record<string, ServiceStatusName> = {};
    for (const [name, info] of Object.entries(this.server.services)) {
      serviceStatuses[name] = info.current;
    }
    const checkInfos = Object.entries(this.server.checks).map(
      ([name, c]) =>
        new CheckInfo({
          name,
          ...(c.level === undefined ? {} : { level: c.level }),
          startup: c.startup,
          status: c.status,
          successes: c.successes,
          failures: c.failures,
          threshold: c.threshold,
        }),
    );
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
