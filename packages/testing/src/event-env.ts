import { JujuContext, type JujuVersion } from '@opsjs/model';
import type { ScenarioEvent } from './event.js';
import type { State } from './state/state.js';

/** The simulated unit's identity and Juju environment. @internal */
export interface UnitIdentity {
  appName: string;
  unitId: number;
  jujuVersion: string;
  machineId?: string | undefined;
  availabilityZone?: string | undefined;
  principalUnit?: string | undefined;
}

/** The remote unit number a relation event names, inferred as Scenario does. @internal */
export function effectiveRemoteUnit(event: ScenarioEvent): number | undefined {
  if (event.remoteUnitId !== undefined) return event.remoteUnitId;
  const relation = event.relation;
  if (relation === undefined) return undefined;
  if (event.jujuName.endsWith('-relation-created') || event.jujuName.endsWith('-relation-broken')) {
    return undefined;
  }
  return relation.remoteUnitIds[0];
}

/**
 * The `JUJU_*` environment Juju would give the charm for `event` (Scenario's runtime env
 * builder, SC-16). `charmDir` becomes `JUJU_CHARM_DIR`.
 * @internal
 */
export function buildEventEnv(
  event: ScenarioEvent,
  state: State,
  unit: UnitIdentity,
  charmDir: string,
): Record<string, string> {
  const env: Record<string, string> = {
    JUJU_VERSION: unit.jujuVersion,
    JUJU_UNIT_NAME: `${unit.appName}/${unit.unitId}`,
    JUJU_MODEL_NAME: state.model.name,
    JUJU_MODEL_UUID: state.model.uuid,
    JUJU_CHARM_DIR: charmDir,
  };
  if (unit.machineId !== undefined) env.JUJU_MACHINE_ID = unit.machineId;
  if (unit.availabilityZone !== undefined) env.JUJU_AVAILABILITY_ZONE = unit.availabilityZone;
  if (unit.principalUnit !== undefined) env.JUJU_PRINCIPAL_UNIT = unit.principalUnit;

  if (event.kind === 'action' && event.action !== undefined) {
    env.JUJU_DISPATCH_PATH = `actions/${event.action.name}`;
    env.JUJU_HOOK_NAME = '';
    env.JUJU_ACTION_NAME = event.action.name;
    env.JUJU_ACTION_UUID = event.action.id;
    env.JUJU_ACTION_TAG = `action-${event.action.id}`;
  } else if (event.kind === 'custom') {
    env.JUJU_DISPATCH_PATH = `hooks/${event.jujuName}`;
    env.JUJU_HOOK_NAME = '';
  } else {
    env.JUJU_DISPATCH_PATH = `hooks/${event.jujuName}`;
    env.JUJU_HOOK_NAME = event.jujuName;
  }

  const relation = event.relation;
  if (relation !== undefined) {
    const remoteApp = relation.kind === 'peer' ? unit.appName : relation.remoteAppName;
    env.JUJU_RELATION = relation.endpoint;
    env.JUJU_RELATION_ID = `${relation.endpoint}:${relation.id}`;
    env.JUJU_REMOTE_APP = remoteApp;
    const remoteUnit = effectiveRemoteUnit(event);
    if (remoteUnit !== undefined) {
      env.JUJU_REMOTE_UNIT = `${remoteApp}/${remoteUnit}`;
      if (event.jujuName.endsWith('-relation-departed')) {
        env.JUJU_DEPARTING_UNIT = `${remoteApp}/${event.departingUnitId ?? remoteUnit}`;
      }
    }
  }
  if (event.container !== undefined) env.JUJU_WORKLOAD_NAME = event.container.name;
  if (event.notice !== undefined) {
    env.JUJU_NOTICE_ID = event.notice.id;
    env.JUJU_NOTICE_TYPE = event.notice.type;
    env.JUJU_NOTICE_KEY = event.notice.key;
  }
  if (event.checkInfo !== undefined) env.JUJU_PEBBLE_CHECK_NAME = event.checkInfo.name;
  if (event.storage !== undefined) {
    env.JUJU_STORAGE_ID = `${event.storage.name}/${event.storage.index}`;
  }
  if (event.secret !== undefined) {
    env.JUJU_SECRET_ID = event.secret.id;
    env.JUJU_SECRET_LABEL = event.secret.label ?? '';
    if (event.secretRevision !== undefined) {
      env.JUJU_SECRET_REVISION = String(event.secretRevision);
    }
  }
  return env;
}

/**
 * The `JujuContext` of an environment built by {@link buildEventEnv}, without re-validating
 * what this module just wrote (`JujuContext.fromEnv` parses with zod; this is per test run).
 * @internal
 */
export function contextFromEventEnv(
  env: Readonly<Record<string, string>>,
  version: JujuVersion,
): JujuContext {
  const opt = (key: string): string | undefined => {
    const value = env[key];
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (value: string | undefined): number | undefined =>
    value === undefined
      ? undefined
      : Number(value.slice(Math.max(value.lastIndexOf(':'), value.lastIndexOf('/')) + 1));
  const storageId = opt('JUJU_STORAGE_ID');
  return new JujuContext({
    dispatchPath: env.JUJU_DISPATCH_PATH ?? '',
    hookName: env.JUJU_HOOK_NAME ?? '',
    modelName: env.JUJU_MODEL_NAME ?? '',
    modelUuid: env.JUJU_MODEL_UUID ?? '',
    unitName: env.JUJU_UNIT_NAME ?? '',
    version,
    availabilityZone: opt('JUJU_AVAILABILITY_ZONE'),
    charmDir: opt('JUJU_CHARM_DIR'),
    machineId: opt('JUJU_MACHINE_ID'),
    principalUnit: opt('JUJU_PRINCIPAL_UNIT'),
    actionName: opt('JUJU_ACTION_NAME'),
    actionUuid: opt('JUJU_ACTION_UUID'),
    noticeId: opt('JUJU_NOTICE_ID'),
    noticeKey: opt('JUJU_NOTICE_KEY'),
    noticeType: opt('JUJU_NOTICE_TYPE'),
    pebbleCheckName: opt('JUJU_PEBBLE_CHECK_NAME'),
    relationDepartingUnitName: opt('JUJU_DEPARTING_UNIT'),
    relationName: opt('JUJU_RELATION'),
    relationId: int(opt('JUJU_RELATION_ID')),
    remoteAppName: opt('JUJU_REMOTE_APP'),
    remoteUnitName: opt('JUJU_REMOTE_UNIT'),
    secretId: opt('JUJU_SECRET_ID'),
    secretLabel: opt('JUJU_SECRET_LABEL'),
    secretRevision: int(opt('JUJU_SECRET_REVISION')),
    storageName: storageId?.split('/')[0],
    storageIndex: int(storageId),
    workloadName: opt('JUJU_WORKLOAD_NAME'),
  });
}
