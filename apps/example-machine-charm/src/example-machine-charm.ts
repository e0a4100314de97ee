import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import {
  type ActionEvent,
  ActiveStatus,
  BlockedStatus,
  CharmBase,
  type CollectStatusEvent,
  type ConfigChangedEvent,
  type Framework,
  type InstallEvent,
  type Logger,
  type StatusBase,
  type StorageAttachedEvent,
  type StorageDetachingEvent,
  WaitingStatus,
} from '@opsjs/core';
import type { CharmActionParams, Metadata } from './charm-metadata.js';

/** The workload settings derived from the charm config. */
export interface AppConfig {
  readonly configPath: string;
  readonly port: number;
  readonly message: string;
}

/** The text of the workload's config file. */
export function renderConfig(config: AppConfig, dataDir: string | undefined): string {
  return [
    '# Written by the example-machine-charm; changes are overwritten.',
    `port = ${config.port}`,
    `message = ${JSON.stringify(config.message)}`,
    `data-dir = ${dataDir === undefined ? '' : JSON.stringify(dataDir)}`,
    '',
  ].join('\n');
}

/** Writes `text` to `path` atomically (a temporary file renamed over it), creating its directory. */
function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
}

/**
 * The example machine charm: writes its workload's config file, opens its port, keeps config
 * snapshots on the `data` storage. Only `@opsjs/core` is imported: no Pebble, no undici.
 */
export class ExampleMachineCharm extends CharmBase<Metadata> {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.install, this.onInstall);
    this.observe(this.on.configChanged, this.onConfigChanged);
    this.observe(this.on.dataStorageAttached, this.onDataAttached);
    this.observe(this.on.dataStorageDetaching, this.onDataDetaching);
    this.observe(this.on.snapshotAction, this.onSnapshot);
    this.observe(this.on.collectUnitStatus, this.onCollectUnitStatus);
  }

  /** The framework's logger: its records reach `juju-log`. */
  get log(): Logger {
    return this.framework.logger;
  }

  /** The `data` storage mount, once attached. */
  get dataDir(): string | undefined {
    return this.model.storages.get('data')[0]?.location;
  }

  onInstall(_event: InstallEvent): void {
    this.log.info('nothing to install: the workload ships with the charm');
  }

  onConfigChanged(_event: ConfigChangedEvent): void {
    this.writeConfig();
  }

  onDataAttached(event: StorageAttachedEvent): void {
    this.log.info(`storage ${event.storage.name} attached at ${event.storage.location}`);
    mkdirSync(join(event.storage.location, 'snapshots'), { recursive: true });
    this.writeConfig();
  }

  onDataDetaching(event: StorageDetachingEvent): void {
    this.log.info(`storage ${event.storage.name} detaching from ${event.storage.location}`);
  }

  onSnapshot(event: ActionEvent<CharmActionParams['snapshot']>): void {
    const { name } = event.params;
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      event.fail(`invalid snapshot name '${name}': use letters, digits, '-' and '_'`);
      return;
    }
    const config = this.appConfig();
    const dataDir = this.dataDir;
    if (typeof config === 'string' || dataDir === undefined) {
      event.fail(typeof config === 'string' ? config : 'the data storage is not attached');
      return;
    }
    const target = join(dataDir, 'snapshots', `${name}.conf`);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(config.configPath, target);
    event.log(`copied ${config.configPath} to ${target}`);
    event.setResults({ path: target, bytes: readFileSync(target).length });
  }

  onCollectUnitStatus(event: CollectStatusEvent): void {
    event.addStatus(this.status());
  }

  /** What the unit's status should be now. */
  status(): StatusBase {
    const config = this.appConfig();
    if (typeof config === 'string') return new BlockedStatus(config);
    if (this.dataDir === undefined) return new WaitingStatus('waiting for the data storage');
    return new ActiveStatus(`listening on port ${config.port}`);
  }

  /** The validated config, or the message that says what is wrong with it. */
  appConfig(): AppConfig | string {
    const port = this.config.get('port') ?? 9100;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      return `invalid port ${port}: use 1-65535`;
    }
    const configPath = this.config.get('config-path') ?? '';
    if (!isAbsolute(configPath)) return `invalid config-path '${configPath}': must be absolute`;
    return { configPath, port, message: this.config.get('message') ?? '' };
  }

  /** Writes the config file and opens the configured port (closing any other). */
  writeConfig(): void {
    const config = this.appConfig();
    if (typeof config === 'string') {
      this.log.warning(`not writing the config: ${config}`);
      return;
    }
    writeFileAtomic(config.configPath, renderConfig(config, this.dataDir));
    this.unit.setPorts(config.port);
    this.log.info(`wrote ${config.configPath}; port ${config.port} open`);
  }
}
