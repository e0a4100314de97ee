import type { CharmMeta } from '@opsjs/model';
import { InconsistentScenarioError } from './errors.js';
import type { ScenarioEvent } from './event.js';
import type { State } from './state/state.js';

/** Problems found in a state + event pair: errors reject it, warnings are only reported. */
export interface ConsistencyResult {
  /** Impossible combinations; any of these makes `checkConsistency` throw. */
  readonly errors: readonly string[];
  /** Unlikely but possible combinations. */
  readonly warnings: readonly string[];
}

/** Inputs of the consistency checker. */
export interface ConsistencyInput {
  /** The input state. */
  readonly state: State;
  /** The event about to run. */
  readonly event: ScenarioEvent;
  /** The charm's metadata. */
  readonly meta: CharmMeta;
  /** The simulated Juju version, e.g. `3.6.14`. */
  readonly jujuVersion: string;
  /** Number of the unit under test. */
  readonly unitId: number;
}

function versionTuple(version: string): number[] {
  return version
    .split(/[.-]/)
    .map((p) => Number.parseInt(p, 10))
    .filter((n) => !Number.isNaN(n));
}

function atLeast(version: string, ...min: number[]): boolean {
  const v = versionTuple(version);
  for (let i = 0; i < min.length; i++) {
    const a = v[i] ?? 0;
    const b = min[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

const SECRET_ID = /^secret:[0-9a-z]{20}$/;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function checkConfig(input: ConsistencyInput, errors: string[]): void {
  for (const [key, value] of Object.entries(input.state.config)) {
    const option = input.meta.config[key];
    if (option === undefined) {
      errors.push(
        `config option '${key}' is in State.config but not declared in config.yaml or charmcraft.yaml.`,
      );
      continue;
    }
    const expected = option.type;
    let ok: boolean;
    switch (expected) {
      case 'string':
        ok = typeof value === 'string';
        break;
      case 'int':
        ok = typeof value === 'number' && Number.isInteger(value);
        break;
      case 'float':
        ok = typeof value === 'number';
        break;
      case 'boolean':
        ok = typeof value === 'boolean';
        break;
      case 'secret':
        if (!atLeast(input.jujuVersion, 3, 4)) {
          errors.push(
            `config option '${key}' has type 'secret', which needs Juju 3.4 or later (Context juju version ${input.jujuVersion}).`,
          );
          continue;
        }
        ok = typeof value === 'string';
        if (ok && !SECRET_ID.test(String(value))) {
          errors.push(
            `config option '${key}': value '${String(value)}' is not a secret id (secret:<20 characters of [0-9a-z]>).`,
          );
          continue;
        }
        break;
    }
    if (!ok) {
      errors.push(
        `config option '${key}' should be of type ${expected} but is ${typeof value === 'number' && !Number.isInteger(value) ? 'a float' : `of type ${typeof value}`} (${JSON.stringify(value)}).`,
      );
    }
  }
}

function checkContainers(input: ConsistencyInput, errors: string[], warnings: string[]): void {
  const { state, event, meta } = input;
  const declared = Object.keys(meta.containers);
  for (const c of state.containers) {
    if (!declared.includes(c.name)) {
      errors.push(
        `container '${c.name}' is in State.containers but not declared in the charm metadata.`,
      );
    }
    const prefixes = c.execs.map((e) => JSON.stringify(e.commandPrefix));
    const dupes = prefixes.filter((p, i) => prefixes.indexOf(p) !== i);
    if (dupes.length > 0) {
      errors.push(
        `container '${c.name}' has duplicate exec command prefixes: ${[...new Set(dupes)].join(', ')}.`,
      );
    }
    const plan = c.plan;
    for (const check of c.checkInfos) {
      const planCheck = plan.checks?.[check.name];
      if (planCheck === undefined) {
        const names = Object.keys(plan.checks ?? {});
        errors.push(
          `container '${c.name}' has check info '${check.name}' but the plan has ${names.length > 0 ? `only checks: ${names.join(', ')}` : 'no checks'}.`,
        );
        continue;
      }
      if ((check.level ?? '') !== (planCheck.level ?? '')) {
        errors.push(
          `container '${c.name}' check '${check.name}': level '${check.level ?? ''}' differs from the plan's '${planCheck.level ?? ''}'.`,
        );
      }
      const planStartup = planCheck.startup === 'disabled' ? 'disabled' : 'enabled';
      if (check.startup !== planStartup) {
        errors.push(
          `container '${c.name}' check '${check.name}': startup '${check.startup}' differs from the plan's '${planStartup}'.`,
        );
      }
      if (check.threshold !== (planCheck.threshold ?? 3)) {
        errors.push(
          `container '${c.name}' check '${check.name}': threshold ${check.threshold} differs from the plan's ${planCheck.threshold ?? 3}.`,
        );
      }
    }
  }
  if (event.kind !== 'workload') return;
  const container = event.container;
  if (container === undefined) {
    errors.push(`cannot run ${event.name}: a workload event needs the container it is about.`);
    return;
  }
  if (!declared.includes(container.name)) {
    errors.push(
      `cannot run ${event.name}: container '${container.name}' is not declared in the charm metadata.`,
    );
  }
  if (!state.containers.includes(container)) {
    errors.push(
      `cannot run ${event.name}: container '${container.name}' is not in the state (pass the very Container object that is in State.containers; one with the same name is not enough).`,
    );
  }
  if (!container.canConnect) {
    warnings.push(
      `${event.name} runs while container '${container.name}' cannot connect; this is unusual.`,
    );
  }
  if (event.notice !== undefined && !container.notices.some((n) => n.id === event.notice?.id)) {
    errors.push(
      `cannot run ${event.name}: notice ${event.notice.id} ('${event.notice.key}') is not in container '${container.name}'.`,
    );
  }
  if (
    event.checkInfo !== undefined &&
    !container.checkInfos.some((c) => c.name === event.checkInfo?.name)
  ) {
    errors.push(
      `cannot run ${event.name}: check '${event.checkInfo.name}' is not in container '${container.name}'.`,
    );
  }
}

function checkRelations(input: ConsistencyInput, errors: string[], warnings: string[]): void {
  const { state, event, meta, unitId } = input;
  const seen = new Set<number>();
  for (const relation of state.relations) {
    const rmeta = meta.relations[relation.endpoint];
    if (rmeta === undefined) {
      errors.push(
        `relation endpoint '${relation.endpoint}' (relation ${relation.id}) is not declared in the charm metadata.`,
      );
    } else {
      const isPeerEndpoint = rmeta.role === 'peer';
      if (isPeerEndpoint && relation.kind !== 'peer') {
        errors.push(
          `endpoint '${relation.endpoint}' is a peer endpoint: relation ${relation.id} must be a PeerRelation, not a ${kindName(relation.kind)}.`,
        );
      }
      if (!isPeerEndpoint && relation.kind === 'peer') {
        errors.push(
          `endpoint '${relation.endpoint}' is not a peer endpoint: relation ${relation.id} must not be a PeerRelation.`,
        );
      }
      const expectSub = rmeta.scope === 'container';
      if (expectSub && relation.kind !== 'subordinate') {
        errors.push(
          `endpoint '${relation.endpoint}' has scope container: relation ${relation.id} must be a SubordinateRelation, not a ${kindName(relation.kind)}.`,
        );
      }
      if (!expectSub && relation.kind === 'subordinate') {
        errors.push(
          `endpoint '${relation.endpoint}' is not container-scoped: relation ${relation.id} must not be a SubordinateRelation.`,
        );
      }
    }
    if (seen.has(relation.id)) {
      errors.push(
        `duplicate relation id: ${relation.id} is used by more than one relation in the state.`,
      );
    }
    seen.add(relation.id);
    if (relation.kind === 'peer' && unitId in relation.peersData) {
      errors.push(
        `relation ${relation.id}: peersData holds only the other units' bags, not the unit under test (unit ${unitId}); put this unit's data in localUnitData.`,
      );
    }
  }

  if (event.kind !== 'relation') return;
  const relation = event.relation;
  if (relation === undefined) {
    errors.push(`cannot run ${event.name}: a relation event needs the relation it is about.`);
    return;
  }
  if (event.jujuPrefix !== relation.endpoint) {
    errors.push(
      `relation event prefix '${event.jujuPrefix ?? ''}' does not match the relation endpoint '${relation.endpoint}'.`,
    );
  }
  if (!state.relations.includes(relation)) {
    errors.push(
      `cannot run ${event.name}: relation ${relation.id} is not in the state (pass the very Relation object that is in State.relations; one with the same id is not enough).`,
    );
    return;
  }
  if (
    /-relation-(joined|changed|departed)$/.test(event.jujuName) &&
    event.remoteUnitId === undefined
  ) {
    const ids = relation.remoteUnitIds;
    if (ids.length === 0) {
      errors.push(
        `${event.name} needs a remote unit and relation ${relation.id} has none: pass { remoteUnit }.`,
      );
    } else if (ids.length === 1) {
      warnings.push(
        `${event.name} uses remote unit ${ids[0]} implicitly; pass { remoteUnit } to be explicit.`,
      );
    } else {
      warnings.push(
        `${event.name} uses remote unit ${ids[0]} of ${ids.join(', ')} implicitly; pass { remoteUnit } to be explicit.`,
      );
    }
  }
}

function kindName(kind: 'regular' | 'peer' | 'subordinate'): string {
  return kind === 'regular' ? 'Relation' : kind === 'peer' ? 'PeerRelation' : 'SubordinateRelation';
}

function checkStorage(input: ConsistencyInput, errors: string[]): void {
  const { state, event, meta } = input;
  const seen = new Set<string>();
  for (const s of state.storages) {
    if (meta.storages[s.name] === undefined) {
      errors.push(
        `storage '${s.name}' is in State.storages but not declared in the charm metadata.`,
      );
    }
    if (seen.has(s.id)) {
      errors.push(`duplicate storage in the state: ${s.id} appears more than once.`);
    }
    seen.add(s.id);
  }
  if (event.kind !== 'storage') return;
  const storage = event.storage;
  if (storage === undefined) {
    errors.push(`cannot run ${event.name}: a storage event needs the storage it is about.`);
  } else if (meta.storages[storage.name] === undefined) {
    errors.push(
      `cannot run ${event.name}: storage '${storage.name}' is not declared in the charm metadata.`,
    );
  } else if (!state.storages.includes(storage)) {
    errors.push(
      `cannot run ${event.name}: storage ${storage.id} is not in the state (pass the very Storage object that is in State.storages).`,
    );
  }
}

function checkAction(input: ConsistencyInput, errors: string[], warnings: string[]): void {
  const { event, meta } = input;
  if (event.kind !== 'action') return;
  const action = event.action;
  if (action === undefined) {
    errors.push(`cannot run ${event.name}: an action event needs the action.`);
    return;
  }
  const ameta = meta.actions[action.name];
  if (ameta === undefined) {
    errors.push(`action '${action.name}' is not declared in the charm metadata (actions.yaml).`);
    return;
  }
  for (const [name, value] of Object.entries(action.params)) {
    const schema = ameta.params[name];
    if (schema === undefined) {
      errors.push(`param '${name}' is not a parameter of action '${action.name}'.`);
      continue;
    }
    const type = schema.type;
    if (typeof type !== 'string' || type === '') {
      // As Scenario: an untyped parameter is an error (charmcraft rejects it).
      errors.push(`param '${name}' of action '${action.name}' declares no type.`);
      continue;
    }
    const actual = jsonType(value);
    const ok = actual === type || (type === 'number' && actual === 'integer');
    if (!['string', 'boolean', 'integer', 'number', 'array', 'object'].includes(type)) {
      warnings.push(
        `param '${name}' of action '${action.name}' has unknown type '${type}'; it cannot be checked.`,
      );
    } else if (!ok) {
      errors.push(
        `param '${name}' of action '${action.name}' should be of type ${type} but is ${actual} (${JSON.stringify(value)}).`,
      );
    }
  }
}

function checkSecrets(input: ConsistencyInput, errors: string[]): void {
  const { state, event, jujuVersion } = input;
  // As Scenario: only a secret event is checked (secrets merely present in the state are not).
  if (event.kind !== 'secret') return;
  const secret = event.secret;
  if (secret === undefined) {
    errors.push(`cannot run ${event.name}: a secret event needs the secret.`);
  } else if (!state.secrets.includes(secret)) {
    errors.push(
      `cannot run ${event.name}: secret ${secret.id} is not in the state (pass the very Secret object that is in State.secrets).`,
    );
  } else if (!atLeast(jujuVersion, 3, 0)) {
    errors.push(`secrets need Juju 3.0 or later (Context juju version ${jujuVersion}).`);
  } else if (
    (event.jujuName === 'secret-rotate' ||
      event.jujuName === 'secret-expired' ||
      event.jujuName === 'secret-remove') &&
    secret.owner === undefined
  ) {
    errors.push(
      `cannot run ${event.name}: only the owner of secret ${secret.id} receives it (set owner: 'app' or 'unit').`,
    );
  }
}

function checkResources(input: ConsistencyInput, errors: string[]): void {
  for (const r of input.state.resources) {
    if (input.meta.resources[r.name] === undefined) {
      errors.push(
        `resource '${r.name}' is in State.resources but not declared in the charm metadata.`,
      );
    }
  }
}

function checkNetworks(input: ConsistencyInput, errors: string[]): void {
  const { meta, state } = input;
  const allowed = new Set<string>(['juju-info', ...meta.extraBindings]);
  for (const [name, r] of Object.entries(meta.relations)) {
    if (r.scope !== 'container') allowed.add(name);
  }
  for (const n of state.networks) {
    if (!allowed.has(n.bindingName)) {
      errors.push(
        `network binding '${n.bindingName}' in State.networks is not a relation endpoint or extra binding of the charm.`,
      );
    }
  }
}

function checkCloudSpec(input: ConsistencyInput, errors: string[]): void {
  const { state, jujuVersion } = input;
  if (
    state.model.type === 'kubernetes' &&
    state.model.cloudSpec !== undefined &&
    !atLeast(jujuVersion, 3, 6, 10)
  ) {
    errors.push(
      `a cloud spec needs Juju 3.6.10 or later on Kubernetes (Context juju version ${jujuVersion}); or use a machine model (ModelInfo type 'lxd').`,
    );
  }
}

function isSimple(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isSimple);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value as object).every(isSimple);
  }
  return false;
}

function checkStoredStates(input: ConsistencyInput, errors: string[]): void {
  const seen = new Set<string>();
  for (const s of input.state.storedStates) {
    const key = `${s.ownerPath ?? '<charm>'}.${s.name}`;
    if (seen.has(key)) {
      errors.push(`${s.ownerPath ?? 'the charm'} has more than one StoredState named '${s.name}'.`);
    }
    seen.add(key);
    if (!isSimple(s.content)) {
      errors.push(
        `StoredState ${key} must hold only simple types (null, boolean, number, string, arrays and plain objects).`,
      );
    }
  }
}

/**
 * Checks that `state` and `event` describe something Juju could produce for this charm
 * (Scenario's `check_consistency`), without throwing.
 */
export function findInconsistencies(input: ConsistencyInput): ConsistencyResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  checkContainers(input, errors, warnings);
  checkConfig(input, errors);
  checkResources(input, errors);
  checkRelations(input, errors, warnings);
  checkStorage(input, errors);
  checkAction(input, errors, warnings);
  checkSecrets(input, errors);
  checkNetworks(input, errors);
  checkCloudSpec(input, errors);
  checkStoredStates(input, errors);
  if (input.event.kind === 'custom') {
    // As Scenario: nothing is known of what a charm-defined event needs from the state.
    warnings.push(
      `${input.event.name} is a custom event: the checker cannot tell what it needs from the state.`,
    );
  }
  return { errors, warnings };
}

/**
 * Throws when `state` and `event` describe something Juju could never produce for this charm.
 * Runs before every `Context.run`; set `OPSJS_SKIP_CONSISTENCY_CHECKS=1` to skip it.
 *
 * @returns the warnings found.
 * @throws {InconsistentScenarioError} listing every error found.
 */
export function checkConsistency(input: ConsistencyInput): readonly string[] {
  const result = findInconsistencies(input);
  if (result.errors.length > 0) throw new InconsistentScenarioError(result.errors);
  return result.warnings;
}

/** As Scenario's `SCENARIO_SKIP_CONSISTENCY_CHECKS`: any non-empty value skips the checker. @internal */
export function skipConsistencyChecks(): boolean {
  return (process.env.OPSJS_SKIP_CONSISTENCY_CHECKS ?? '') !== '';
}
