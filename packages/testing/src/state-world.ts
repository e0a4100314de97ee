import { type CharmMeta, StatusBase } from '@opsjs/model';
import type { ScenarioEvent } from './event.js';
import type { CloudSpec } from './state/misc.js';
import { Port } from './state/misc.js';
import { type AnyRelation, PeerRelation, Relation, SubordinateRelation } from './state/relation.js';
import { Secret } from './state/secret.js';
import type { State, StateInit } from './state/state.js';
import {
  appOf,
  type WorldData,
  type WorldNetwork,
  type WorldRelation,
  type WorldSecret,
} from './world.js';

/** Unit identity used to build the world. @internal */
export interface WorldUnit {
  unitName: string;
  jujuVersion: string;
}

function relationToWorld(rel: AnyRelation, unitName: string): WorldRelation {
  const app = appOf(unitName);
  const bags: Record<string, Record<string, string>> = {
    [unitName]: { ...rel.localUnitData },
    [app]: { ...rel.localAppData },
  };
  let remoteApp: string;
  const units: string[] = [];
  if (rel.kind === 'peer') {
    remoteApp = app;
    for (const [id, bag] of Object.entries(rel.peersData)) {
      const name = `${app}/${id}`;
      units.push(name);
      bags[name] = { ...bag };
    }
  } else if (rel.kind === 'regular') {
    remoteApp = rel.remoteAppName;
    bags[remoteApp] = { ...rel.remoteAppData };
    for (const [id, bag] of Object.entries(rel.remoteUnitsData)) {
      const name = `${remoteApp}/${id}`;
      units.push(name);
      bags[name] = { ...bag };
    }
  } else {
    remoteApp = rel.remoteAppName;
    bags[remoteApp] = { ...rel.remoteAppData };
    units.push(rel.remoteUnitName);
    bags[rel.remoteUnitName] = { ...rel.remoteUnitData };
  }
  const out: WorldRelation = {
    id: rel.id,
    endpoint: rel.endpoint,
    kind: rel.kind,
    remoteApp,
    units,
    bags,
  };
  if (rel.interface !== undefined) out.interface = rel.interface;
  if (rel.kind === 'regular') {
    out.limit = rel.limit;
    if (rel.remoteModelUuid !== undefined) out.remoteModelUuid = rel.remoteModelUuid;
  }
  return out;
}

function secretToWorld(secret: Secret): WorldSecret {
  const revisions = [{ revision: secret.trackedRevision, content: { ...secret.trackedContent } }];
  if (secret.latestRevision !== secret.trackedRevision) {
    revisions.push({ revision: secret.latestRevision, content: { ...secret.latestContent } });
  }
  const out: WorldSecret = {
    id: secret.id,
    owner: secret.owner ?? null,
    revisions,
    trackedRevision: secret.trackedRevision,
    grants: Object.fromEntries(Object.entries(secret.remoteGrants).map(([k, v]) => [k, [...v]])),
    removedRevisions: [],
  };
  if (secret.label !== undefined) out.label = secret.label;
  if (secret.description !== undefined) out.description = secret.description;
  if (secret.expire !== undefined) out.expire = secret.expire.toISOString();
  if (secret.rotate !== undefined) out.rotate = secret.rotate;
  return out;
}

function cloudSpecToWorld(spec: CloudSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { type: spec.type, name: spec.name };
  if (spec.region !== undefined) out.region = spec.region;
  if (spec.endpoint !== undefined) out.endpoint = spec.endpoint;
  if (spec.identityEndpoint !== undefined) out['identity-endpoint'] = spec.identityEndpoint;
  if (spec.storageEndpoint !== undefined) out['storage-endpoint'] = spec.storageEndpoint;
  if (spec.credential !== undefined) {
    out.credential = {
      'auth-type': spec.credential.authType,
      attrs: { ...(spec.credential.attributes ?? {}) },
      redacted: [...(spec.credential.redacted ?? [])],
    };
  }
  if (spec.caCertificates !== undefined) out.cacertificates = [...spec.caCertificates];
  if (spec.skipTlsVerify !== undefined) out['skip-tls-verify'] = spec.skipTlsVerify;
  if (spec.isControllerCloud !== undefined) out['is-controller-cloud'] = spec.isControllerCloud;
  return out;
}

/** Config values: the metadata defaults overlaid with the state's values. @internal */
export function effectiveConfig(
  meta: CharmMeta,
  config: Readonly<Record<string, string | number | boolean>>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, option] of Object.entries(meta.config)) {
    if (option.default !== undefined) out[name] = option.default;
  }
  return Object.assign(out, config);
}

/**
 * Builds the simulated Juju data of a unit from a `State`.
 * @param storageLocation - where storage `name/index` is mounted
 * @internal
 */
export function stateToWorld(
  state: State,
  meta: CharmMeta,
  unit: WorldUnit,
  event: ScenarioEvent | undefined,
  storageLocation: (name: string, index: number) => string,
): WorldData {
  const networks: Record<string, WorldNetwork> = {};
  for (const n of state.networks) {
    networks[n.bindingName] = {
      'bind-addresses': n.bindAddresses.map((b) => ({
        'mac-address': b.macAddress ?? '',
        'interface-name': b.interfaceName ?? '',
        addresses: b.addresses.map((a) => ({
          hostname: a.hostname ?? '',
          value: a.value,
          cidr: a.cidr ?? '',
        })),
      })),
      'egress-subnets': [...n.egressSubnets],
      'ingress-addresses': [...n.ingressAddresses],
    };
  }
  const data: WorldData = {
    unitName: unit.unitName,
    modelName: state.model.name,
    modelUuid: state.model.uuid,
    modelType: state.model.type,
    jujuVersion: unit.jujuVersion,
    config: effectiveConfig(meta, state.config),
    leader: state.leader,
    relations: state.relations.map((r) => relationToWorld(r, unit.unitName)),
    unitStatus: { status: state.unitStatus.name, message: state.unitStatus.message },
    appStatus: { status: state.appStatus.name, message: state.appStatus.message },
    unitStatusHistory: [],
    appStatusHistory: [],
    workloadVersion: state.workloadVersion,
    workloadVersionHistory: [],
    secrets: state.secrets.map(secretToWorld),
    storages: state.storages.map((s) => ({
      name: s.name,
      index: s.index,
      kind: meta.storages[s.name]?.type ?? 'filesystem',
      location: storageLocation(s.name, s.index),
      attached: true,
    })),
    storageRequests: {},
    networks,
    ports: state.openedPorts.map((p) =>
      p.port === undefined ? p.protocol : `${p.port}/${p.protocol}`,
    ),
    resources: Object.fromEntries(state.resources.map((r) => [r.name, r.path])),
    stateStore: {},
    jujuLog: [],
    plannedUnits: state.plannedUnits,
    bindings: ['juju-info', ...Object.keys(meta.relations), ...meta.extraBindings],
    calls: [],
  };
  if (state.model.cloudSpec !== undefined) data.cloudSpec = cloudSpecToWorld(state.model.cloudSpec);
  if (event?.action !== undefined) {
    data.action = {
      name: event.action.name,
      id: event.action.id,
      params: actionParamsWithDefaults(meta, event.action.name, event.action.params),
      results: {},
      logs: [],
      failed: false,
    };
  }
  return data;
}

/** Action parameters after Juju applied the schema defaults. @internal */
export function actionParamsWithDefaults(
  meta: CharmMeta,
  name: string,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const spec = meta.actions[name];
  for (const [param, schema] of Object.entries(spec?.params ?? {})) {
    if ('default' in schema) out[param] = structuredClone(schema.default);
  }
  return Object.assign(out, structuredClone({ ...params }));
}

function relationFromWorld(
  original: AnyRelation,
  wrel: WorldRelation | undefined,
  unitName: string,
): AnyRelation {
  if (wrel === undefined) return original;
  const app = appOf(unitName);
  const localUnitData = freezeStrings(wrel.bags[unitName] ?? {});
  const localAppData = freezeStrings(wrel.bags[app] ?? {});
  const base = {
    endpoint: original.endpoint,
    id: original.id,
    localAppData,
    localUnitData,
    ...(original.interface === undefined ? {} : { interface: original.interface }),
  };
  if (original instanceof PeerRelation) {
    return new PeerRelation({ ...base, peersData: original.peersData });
  }
  if (original instanceof SubordinateRelation) {
    return new SubordinateRelation({
      ...base,
      remoteAppData: original.remoteAppData,
      remoteUnitData: original.remoteUnitData,
      remoteAppName: original.remoteAppName,
      remoteUnitId: original.remoteUnitId,
    });
  }
  const regular = original as Relation;
  return new Relation({
    ...base,
    remoteAppName: regular.remoteAppName,
    limit: regular.limit,
    remoteAppData: regular.remoteAppData,
    remoteUnitsData: regular.remoteUnitsData,
    ...(regular.remoteModelUuid === undefined ? {} : { remoteModelUuid: regular.remoteModelUuid }),
  });
}

/** A frozen copy of a bag read back from the simulated unit (whose values are strings). */
function freezeStrings(bag: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(bag)) {
    const value = bag[key];
    if (typeof value === 'string') out[key] = value;
  }
  return Object.freeze(out);
}

function secretFromWorld(ws: WorldSecret): Secret {
  const latest = ws.revisions.at(-1);
  const tracked = ws.revisions.find((r) => r.revision === ws.trackedRevision) ?? latest;
  return new Secret({
    id: ws.id,
    trackedContent: tracked?.content ?? {},
    latestContent: latest?.content ?? {},
    trackedRevision: tracked?.revision ?? 1,
    latestRevision: latest?.revision ?? 1,
    ...(ws.owner === null ? {} : { owner: ws.owner }),
    remoteGrants: Object.fromEntries(Object.entries(ws.grants).map(([k, v]) => [Number(k), v])),
    ...(ws.label === undefined ? {} : { label: ws.label }),
    ...(ws.description === undefined ? {} : { description: ws.description }),
    ...(ws.expire === undefined ? {} : { expire: new Date(ws.expire) }),
    ...(ws.rotate === undefined ? {} : { rotate: ws.rotate as NonNullable<Secret['rotate']> }),
  });
}

function portFromSpec(spec: string): Port {
  const [port, protocol] = spec.includes('/') ? spec.split('/') : [undefined, spec];
  const proto = protocol === 'udp' ? 'udp' : protocol === 'icmp' ? 'icmp' : 'tcp';
  return proto === 'icmp' ? Port.icmp() : new Port({ protocol: proto, port: Number(port) });
}

/**
 * The Juju-side part of the output state: the input state with what the charm changed in
 * the world (local bags, statuses, workload version, ports, secrets).
 * @internal
 */
export function worldToState(world: WorldData, input: State, more: StateInit = {}): State {
  return input.with({
    relations: input.relations.map((r) =>
      relationFromWorld(
        r,
        world.relations.find((w) => w.id === r.id),
        world.unitName,
      ),
    ),
    unitStatus: StatusBase.fromName(world.unitStatus.status, world.unitStatus.message),
    appStatus: StatusBase.fromName(world.appStatus.status, world.appStatus.message),
    workloadVersion: world.workloadVersion,
    openedPorts: world.ports.map(portFromSpec),
    secrets: world.secrets.map(secretFromWorld),
    ...more,
  });
}
