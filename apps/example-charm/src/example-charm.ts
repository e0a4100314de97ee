import { createHash, randomBytes } from 'node:crypto';
import type { BagIssue, RemoteDataEvent, RemoteInvalidEvent } from '@opsjs/charmlibs';
import {
  type ActionEvent,
  ActiveStatus,
  BlockedStatus,
  CharmBase,
  type CollectStatusEvent,
  type ConfigChangedEvent,
  type Container,
  type Framework,
  type LeaderElectedEvent,
  type Logger,
  ModelError,
  type PebbleCheckFailedEvent,
  type PebbleCheckRecoveredEvent,
  type PebbleReadyEvent,
  type Relation,
  type RelationChangedEvent,
  type RelationCreatedEvent,
  type RelationJoinedEvent,
  type StatusBase,
  StoredState,
  WaitingStatus,
} from '@opsjs/core';
import { type IngressProviderData, IngressRequirer } from '@opsjs/interface-ingress';
import {
  type DatabaseConnection,
  type PostgresqlProviderData,
  PostgresqlRequirer,
} from '@opsjs/interface-postgresql';
import type { Layer } from '@opsjs/pebble';
import type { CharmActionParams, Metadata } from './charm-metadata.js';
import { workloadServerSource } from './workload-source.js';

/** Where the charm puts the workload's files in the `web` container. */
export const paths = {
  server: '/srv/web/server.mjs',
  config: '/etc/web/config.json',
  token: '/etc/web/stats-token',
  database: '/etc/web/database.json',
} as const;

/** The database the charm asks the `database` relation for. */
export const DATABASE_NAME = 'example';

/** The key of the peer application bag that holds the shared stats token's secret ID. */
export const TOKEN_SECRET_KEY = 'stats-token-secret-id';

/** The workload settings derived from the charm config. */
export interface WebConfig {
  readonly port: number;
  readonly greeting: string;
  readonly rateLimit: number;
  readonly debug: boolean;
  /** The secret ID of the `api-token` option, if set. */
  readonly apiTokenSecret: string | undefined;
}

/** The Pebble layer that runs the web server with `config`; `configHash` restarts it on change. */
export function webLayer(config: WebConfig, configHash: string): Layer {
  return {
    summary: 'example web server',
    services: {
      web: {
        override: 'replace',
        summary: 'the example HTTP server',
        command: `node ${paths.server} --config ${paths.config}`,
        startup: 'enabled',
        environment: { WEB_CONFIG_SHA256: configHash },
        onCheckFailure: { alive: 'restart' },
      },
    },
    checks: {
      alive: {
        override: 'replace',
        level: 'alive',
        period: '10s',
        threshold: 3,
        http: { url: `http://localhost:${config.port}/alive` },
      },
      ready: {
        override: 'replace',
        level: 'ready',
        period: '10s',
        threshold: 3,
        http: { url: `http://localhost:${config.port}/ready` },
      },
    },
  };
}

/** The stats token, or why there is none. */
export type TokenLookup =
  | { readonly token: string }
  | { readonly problem: string; readonly blocked: boolean };

/** The paths of the fields a relation's remote side got wrong, for a status message. */
function issuePaths(issues: readonly BagIssue[]): string {
  return issues.map((i) => i.path).join(', ');
}

/** The counters `get-stats` reads from the server. */
interface ServerStats {
  readonly requests: number;
  readonly rejected: number;
  readonly uptimeSeconds: number;
}

function parseStats(text: string): ServerStats {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
  const field = (name: string): number => {
    const n: unknown = Reflect.get(value, name);
    if (typeof n !== 'number') throw new Error(`field ${name} is not a number`);
    return n;
  };
  return {
    requests: field('requests'),
    rejected: field('rejected'),
    uptimeSeconds: field('uptimeSeconds'),
  };
}

/**
 * The example sidecar charm: a small HTTP server in the `web` container, configured through a
 * Pebble layer, with HTTP checks, an API token shared among units through a Juju secret, a
 * `website` relation, optional `ingress` and `database` relations (through the typed interface
 * libraries) and two actions.
 */
export class ExampleCharm extends CharmBase<Metadata> {
  /** How many times the charm restarted the server (restart action, failed checks). */
  readonly state = new StoredState(this, 'state', { restarts: 0 });
  /** The `ingress` relation (optional): a proxy that exposes the web server. */
  readonly ingress = new IngressRequirer(this, 'ingress');
  /** The `database` relation (optional): PostgreSQL credentials for the workload. */
  readonly database = new PostgresqlRequirer(this, 'database');

  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.install, this.onInstall);
    this.observe(this.on.leaderElected, this.onLeaderElected);
    this.observe(this.on.configChanged, this.onConfigChanged);
    this.observe(this.on.webPebbleReady, this.onWebPebbleReady);
    this.observe(this.on.webPebbleCheckFailed, this.onCheckFailed);
    this.observe(this.on.webPebbleCheckRecovered, this.onCheckRecovered);
    this.observe(this.on.replicasRelationCreated, this.onReplicasCreated);
    this.observe(this.on.replicasRelationChanged, this.onReplicasChanged);
    this.observe(this.on.websiteRelationJoined, this.onWebsiteJoined);
    this.observe(this.on.ingressRelationJoined, this.onIngressJoined);
    this.observe(this.ingress.on.ready, this.onIngressReady);
    this.observe(this.ingress.on.changed, this.onIngressReady);
    this.observe(this.ingress.on.invalid, this.onRemoteInvalid);
    this.observe(this.on.databaseRelationJoined, this.onDatabaseJoined);
    this.observe(this.database.on.ready, this.onDatabaseReady);
    this.observe(this.database.on.changed, this.onDatabaseReady);
    this.observe(this.database.on.invalid, this.onRemoteInvalid);
    this.observe(this.on.restartAction, this.onRestart);
    this.observe(this.on.getStatsAction, this.onGetStats);
    this.observe(this.on.collectUnitStatus, this.onCollectUnitStatus);
  }

  /** The framework's logger: its records reach `juju-log`. */
  get log(): Logger {
    return this.framework.logger;
  }

  /** The workload container. */
  get web(): Container {
    return this.unit.getContainer('web');
  }

  onInstall(): void {
    this.log.info('installed; the web server starts when Pebble in the web container is ready');
  }

  async onLeaderElected(_event: LeaderElectedEvent): Promise<void> {
    this.shareToken();
    this.publishWebsite();
    await this.configureIfReachable();
  }

  async onConfigChanged(event: ConfigChangedEvent): Promise<void> {
    this.publishWebsite();
    this.requestIngress();
    if (!(await this.web.canConnect())) {
      this.log.info('Pebble in the web container is not reachable yet: deferring config-changed');
      event.defer();
      return;
    }
    await this.configure();
  }

  async onWebPebbleReady(_event: PebbleReadyEvent): Promise<void> {
    await this.configure();
  }

  async onCheckFailed(event: PebbleCheckFailedEvent): Promise<void> {
    if (event.info.name === 'alive') {
      // The layer's `on-check-failure` makes Pebble restart the service itself.
      this.log.warning('check alive failed: Pebble restarts the web service');
      return;
    }
    this.log.warning(`check ${event.info.name} failed: restarting the web service`);
    await this.web.restart('web');
    this.state.data.restarts += 1;
  }

  onCheckRecovered(event: PebbleCheckRecoveredEvent): void {
    this.log.info(`check ${event.info.name} recovered`);
  }

  async onReplicasCreated(_event: RelationCreatedEvent): Promise<void> {
    this.shareToken();
    await this.configureIfReachable();
  }

  async onReplicasChanged(_event: RelationChangedEvent): Promise<void> {
    await this.configureIfReachable();
  }

  onWebsiteJoined(event: RelationJoinedEvent): void {
    this.publishWebsite(event.relation);
  }

  onIngressJoined(event: RelationJoinedEvent): void {
    this.requestIngress(event.relation);
  }

  onIngressReady(event: RemoteDataEvent<IngressProviderData>): void {
    this.log.info(`ingress: the proxy serves this app at ${event.data.app.ingress.url}`);
  }

  onRemoteInvalid(event: RemoteInvalidEvent): void {
    this.log.warning(`invalid data on ${event.relation.name}: ${issuePaths(event.issues)}`);
  }

  onDatabaseJoined(event: RelationJoinedEvent): void {
    if (this.unit.isLeader()) this.database.request({ database: DATABASE_NAME }, event.relation);
  }

  async onDatabaseReady(_event: RemoteDataEvent<PostgresqlProviderData>): Promise<void> {
    await this.configureIfReachable();
  }

  async onRestart(event: ActionEvent<CharmActionParams['restart']>): Promise<void> {
    if (!(await this.web.canConnect())) {
      event.fail('Pebble in the web container is not reachable');
      return;
    }
    if ((await this.web.getPlan()).services?.web === undefined) {
      event.fail('the web service is not configured yet');
      return;
    }
    event.log(`restarting the web server: ${event.params.reason}`);
    await this.web.restart('web');
    this.state.data.restarts += 1;
    event.setResults({ restarts: this.state.data.restarts });
  }

  async onGetStats(event: ActionEvent<CharmActionParams['get-stats']>): Promise<void> {
    if (!(await this.web.canConnect())) {
      event.fail('Pebble in the web container is not reachable');
      return;
    }
    const process = await this.web.exec([
      'node',
      paths.server,
      '--config',
      paths.config,
      '--stats',
    ]);
    const { stdout } = await process.waitOutput();
    let stats: ServerStats;
    try {
      stats = parseStats(stdout);
    } catch (error) {
      event.fail(`the server answered something that is not its stats: ${String(error)}`);
      return;
    }
    event.setResults({
      requests: stats.requests,
      rejected: stats.rejected,
      'uptime-seconds': stats.uptimeSeconds,
      restarts: this.state.data.restarts,
    });
  }

  async onCollectUnitStatus(event: CollectStatusEvent): Promise<void> {
    event.addStatus(await this.status());
  }

  /** What the unit's status should be now. */
  async status(): Promise<StatusBase> {
    const config = this.webConfig();
    if (typeof config === 'string') return new BlockedStatus(config);
    if (!(await this.web.canConnect())) return new WaitingStatus('waiting for Pebble in web');
    const token = this.apiToken(config);
    if ('problem' in token) {
      return token.blocked ? new BlockedStatus(token.problem) : new WaitingStatus(token.problem);
    }
    for (const endpoint of [this.ingress, this.database]) {
      const relation = endpoint.relation();
      if (relation === null) continue;
      const remote = endpoint.remote(relation);
      if (remote.status === 'invalid') {
        return new BlockedStatus(`invalid ${relation.name} data: ${issuePaths(remote.issues)}`);
      }
    }
    if (this.database.relation() !== null && this.databaseConnection() === null) {
      return new WaitingStatus('waiting for database credentials');
    }
    const failing = [...(await this.web.getChecks()).values()].filter((c) => c.status === 'down');
    const suffix = failing.length === 0 ? '' : ` (check ${failing.map((c) => c.name)} down)`;
    const url = this.ingress.url();
    const where = url === null ? `port ${config.port}` : `port ${config.port}, ${url}`;
    return new ActiveStatus(`serving on ${where}${suffix}`);
  }

  /** The validated config, or the message that says what is wrong with it. */
  webConfig(): WebConfig | string {
    const port = this.config.get('port') ?? 8080;
    if (!Number.isInteger(port) || port < 1024 || port > 65535) {
      return `invalid port ${port}: use 1024-65535`;
    }
    const rateLimit = this.config.get('rate-limit') ?? 10;
    if (!(rateLimit > 0)) return `invalid rate-limit ${rateLimit}: must be positive`;
    const greeting = this.config.get('greeting') ?? '';
    if (greeting.includes('\n')) return 'invalid greeting: must be one line';
    return {
      port,
      greeting,
      rateLimit,
      debug: this.config.get('debug') ?? false,
      apiTokenSecret: this.config.get('api-token'),
    };
  }

  /**
   * The token `/stats` requires: the `api-token` config secret's `token` key when set, else
   * the token the leader shared with every unit through the peer relation; or what is missing
   * (`blocked` when the operator must act, else the unit waits for the leader).
   */
  apiToken(config: WebConfig): TokenLookup {
    const id =
      config.apiTokenSecret ??
      this.model.getRelation('replicas')?.data.get(this.app).get(TOKEN_SECRET_KEY);
    if (id === undefined) {
      return { problem: 'waiting for the leader to share the stats token', blocked: false };
    }
    const fromConfig = config.apiTokenSecret !== undefined;
    let content: Record<string, string>;
    try {
      content = this.model.getSecret({ id }).getContent();
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      return fromConfig
        ? { problem: `api-token: cannot read secret ${id}; grant it to the app`, blocked: true }
        : { problem: 'waiting for the stats token to be readable', blocked: false };
    }
    const token = content.token;
    if (token === undefined) {
      return {
        problem: `${fromConfig ? 'api-token' : 'stats token'}: secret ${id} has no 'token' key`,
        blocked: true,
      };
    }
    return { token };
  }

  /** The leader creates the shared token once, as an application secret, and shares its ID. */
  shareToken(): void {
    if (!this.unit.isLeader()) return;
    const peers = this.model.getRelation('replicas');
    if (peers === null) return;
    const bag = peers.data.get(this.app);
    if (bag.get(TOKEN_SECRET_KEY) !== undefined) return;
    const secret = this.app.addSecret(
      { token: randomBytes(24).toString('hex') },
      { label: 'stats-token', description: 'Token for the web server /stats endpoint' },
    );
    if (secret.id === undefined) throw new ModelError('secret-add returned no secret ID');
    bag.set(TOKEN_SECRET_KEY, secret.id);
    this.log.info(`shared the stats token with the other units as ${secret.id}`);
  }

  /** Asks the proxy on `ingress` (all relations, or `only`) to expose this unit's port. */
  requestIngress(only?: Relation): void {
    const config = this.webConfig();
    if (typeof config === 'string') return;
    const relations = only === undefined ? this.ingress.relations : [only];
    for (const relation of relations) {
      this.ingress.request({ port: config.port, host: this.unitHost() }, relation);
    }
  }

  /** This unit's DNS name in the model's namespace (Juju's headless `<app>-endpoints` service). */
  unitHost(): string {
    const pod = this.unit.name.replace('/', '-');
    return `${pod}.${this.app.name}-endpoints.${this.model.name}.svc.cluster.local`;
  }

  /** The database connection, once the provider has sent the credentials. */
  databaseConnection(): DatabaseConnection | null {
    return this.database.relation() === null ? null : this.database.connection();
  }

  /** The leader publishes where the website is served, in the app bag of `website` relations. */
  publishWebsite(only?: Relation): void {
    if (!this.unit.isLeader()) return;
    const config = this.webConfig();
    if (typeof config === 'string') return;
    const hostname = `${this.app.name}.${this.model.name}.svc.cluster.local`;
    for (const relation of only === undefined ? this.model.relations.get('website') : [only]) {
      relation.data.get(this.app).update({ hostname, port: String(config.port) });
    }
  }

  async configureIfReachable(): Promise<void> {
    if (await this.web.canConnect()) await this.configure();
  }

  /** Pushes the server and its config into the container, and applies the layer. */
  async configure(): Promise<void> {
    this.shareToken();
    const config = this.webConfig();
    if (typeof config === 'string') {
      this.log.warning(`not configuring the web server: ${config}`);
      return;
    }
    const lookup = this.apiToken(config);
    if ('problem' in lookup && lookup.blocked) {
      this.log.warning(`not configuring the web server: ${lookup.problem}`);
      return;
    }
    const token = 'token' in lookup ? lookup.token : undefined;
    const database = this.databaseConnection();
    const fileConfig = {
      port: config.port,
      greeting: config.greeting,
      rateLimit: config.rateLimit,
      debug: config.debug,
      ...(token === undefined ? {} : { tokenFile: paths.token }),
      ...(database === null ? {} : { databaseFile: paths.database }),
    };
    const configText = `${JSON.stringify(fileConfig, null, 2)}\n`;
    const web = this.web;
    await web.push(paths.server, workloadServerSource, { makeDirs: true, permissions: 0o644 });
    await web.push(paths.config, configText, { makeDirs: true, permissions: 0o644 });
    if (token !== undefined) {
      await web.push(paths.token, `${token}\n`, { makeDirs: true, permissions: 0o600 });
    }
    const databaseText = database === null ? '' : `${JSON.stringify(database, null, 2)}\n`;
    if (database !== null) {
      await web.push(paths.database, databaseText, { makeDirs: true, permissions: 0o600 });
    }
    const hash = createHash('sha256')
      .update(configText)
      .update(token ?? '')
      .update(databaseText)
      .digest('hex');
    await web.addLayer('web', webLayer(config, hash), { combine: true });
    await web.replan();
    this.log.info(`web server configured on port ${config.port}`);
  }
}
