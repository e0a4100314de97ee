import { CharmMeta, JujuContext, JujuVersion } from '@opsjs/model';
import { type CharmClass, type DispatchResult, runDispatch } from '../../src/dispatch.js';
import { Logger, type LogLevel } from '../../src/logger.js';
import { type MemoryStateSnapshot, MemoryStateStore } from '../../src/storage/state-store.js';
import { FakeBackend } from './fake-backend.js';

export const METADATA = `
name: demo
requires:
  db: {interface: postgresql_client}
peers:
  demo-peers: {interface: demo_peers}
storage:
  data: {type: filesystem, location: /srv/data}
containers:
  web: {resource: web-image}
resources:
  web-image: {type: oci-image}
`;

export const CONFIG = `
options:
  port: {type: int, default: 8080}
  server-name: {type: string}
  db-password: {type: secret}
`;

export const ACTIONS = `
backup:
  params:
    target: {type: string}
    compress-level: {type: integer, default: 1}
get-info: {}
`;

export const meta = (): CharmMeta =>
  CharmMeta.fromYaml(METADATA, { config: CONFIG, actions: ACTIONS });

/** Environment-like fields of a dispatch. */
export type ContextFields = Partial<ConstructorParameters<typeof JujuContext>[0]>;

export function context(dispatchPath: string, fields: ContextFields = {}): JujuContext {
  return new JujuContext({
    dispatchPath,
    hookName: dispatchPath.startsWith('hooks/') ? dispatchPath.slice(6) : '',
    modelName: 'test',
    modelUuid: 'cdac5656-2423-4388-8f30-41854b4cca7d',
    unitName: 'demo/0',
    version: new JujuVersion('3.6.4'),
    charmDir: '/charm',
    ...fields,
  });
}

export interface Run extends DispatchResult {
  readonly store: MemoryStateStore;
  readonly backend: FakeBackend;
  readonly logs: Array<[LogLevel, string]>;
}

/** Run one dispatch in memory; pass the previous run's store.committed to continue. */
export async function dispatch(
  charm: CharmClass,
  dispatchPath: string,
  options: {
    committed?: MemoryStateSnapshot | undefined;
    backend?: FakeBackend;
    fields?: ContextFields;
    onBreakpoint?: (name: string | undefined) => void;
  } = {},
): Promise<Run> {
  const store = new MemoryStateStore(options.committed);
  const backend = options.backend ?? new FakeBackend();
  const logger = new Logger();
  const logs: Array<[LogLevel, string]> = [];
  logger.addSink((level, message) => logs.push([level, message]));
  const result = await runDispatch(charm, {
    context: context(dispatchPath, options.fields),
    meta: meta(),
    backend,
    store,
    logger,
    ...(options.onBreakpoint === undefined ? {} : { onBreakpoint: options.onBreakpoint }),
  });
  return { ...result, store, backend, logs };
}
