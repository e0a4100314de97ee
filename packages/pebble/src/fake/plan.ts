import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { formatGoDuration, parseDuration } from '../duration.js';
import {
  type Check,
  CheckDictSchema,
  type Layer,
  LayerDictSchema,
  type LogTarget,
  LogTargetDictSchema,
  layerToDict,
  parseLayer,
  type Service,
  ServiceDictSchema,
} from '../layer.js';
import { HttpError } from './http-error.js';

/** A layer in the fake server's stack. @internal */
export interface FakeLayer {
  label: string;
  order: number;
  layer: Layer;
}

const TOP_LEVEL = new Set([
  'summary',
  'description',
  'services',
  'checks',
  'log-targets',
  'workloads',
  'pairing',
]);

function bad(message: string): HttpError {
  return new HttpError(400, message);
}

/**
 * Parses layer YAML strictly, as Pebble does: unknown sections and fields are errors.
 * @internal
 */
export function parseLayerStrict(text: string): Layer {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw bad(`cannot parse layer YAML: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw bad('cannot parse layer YAML: layer must be a map');
  }
  const sections: [string, Record<string, unknown>][] = [
    ['services', ServiceDictSchema.shape],
    ['checks', CheckDictSchema.shape],
    ['log-targets', LogTargetDictSchema.shape],
  ];
  const typeNames: Record<string, string> = {
    services: 'plan.Service',
    checks: 'plan.Check',
    'log-targets': 'plan.LogTarget',
  };
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL.has(key)) throw bad(`cannot parse layer YAML: unknown section "${key}"`);
  }
  for (const [section, shape] of sections) {
    const entries: unknown = Reflect.get(raw, section);
    if (entries === undefined || entries === null) continue;
    if (typeof entries !== 'object') throw bad(`cannot parse layer YAML: ${section} must be a map`);
    for (const [name, entry] of Object.entries(entries)) {
      if (entry === null || typeof entry !== 'object') {
        throw bad(`cannot parse layer YAML: ${section} "${name}" cannot have a null value`);
      }
      for (const field of Object.keys(entry)) {
        if (!(field in shape)) {
          throw bad(
            `cannot parse layer YAML: field ${field} not found in type ${typeNames[section]}`,
          );
        }
      }
    }
  }
  const parsed = LayerDictSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(
      `cannot parse layer YAML: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const layer = parseLayer(parsed.data);
  for (const [name, service] of Object.entries(layer.services ?? {})) {
    if (name === '' || name === 'pebble' || name.startsWith('-')) {
      throw bad(`cannot parse layer YAML: invalid service name "${name}"`);
    }
    for (const field of ['backoffDelay', 'backoffLimit', 'killDelay'] as const) {
      const value = service[field];
      if (value !== undefined && parseDuration(value) === undefined) {
        throw bad(`cannot parse layer YAML: invalid duration "${value}"`);
      }
    }
  }
  for (const check of Object.values(layer.checks ?? {})) {
    for (const field of ['period', 'timeout'] as const) {
      const value = check[field];
      if (value !== undefined && parseDuration(value) === undefined) {
        throw bad(`cannot parse layer YAML: invalid duration "${value}"`);
      }
    }
  }
  return layer;
}

function mergeService(base: Service | undefined, next: Service): Service {
  if (base === undefined || next.override === 'replace') return structuredClone(next);
  const out: Service = structuredClone(base);
  const record = out as Record<string, unknown>;
  for (const [key, value] of Object.entries(next)) {
    // Pebble's Service.Merge never copies `override`: the plan keeps the first layer's.
    if (value === undefined || value === '' || key === 'override') continue;
    if (key === 'after' || key === 'before' || key === 'requires') {
      record[key] = [...((record[key] as string[] | undefined) ?? []), ...(value as string[])];
    } else if (key === 'environment' || key === 'onCheckFailure') {
      record[key] = {
        ...((record[key] as Record<string, string> | undefined) ?? {}),
        ...(value as Record<string, string>),
      };
    } else {
      record[key] = structuredClone(value);
    }
  }
  return out;
}

function mergeCheck(base: Check | undefined, next: Check): Check {
  if (base === undefined || next.override === 'replace') return structuredClone(next);
  const out: Check = structuredClone(base);
  // As Pebble's Check.Merge: `override` is never copied; empty values do not override.
  for (const key of ['level', 'startup', 'period', 'timeout'] as const) {
    const value = next[key];
    if (value !== undefined && value !== '') out[key] = value as never;
  }
  if (next.threshold !== undefined && next.threshold !== 0) out.threshold = next.threshold;
  if (next.http !== undefined) out.http = mergeFields(out.http, next.http, ['headers']);
  if (next.tcp !== undefined) out.tcp = mergeFields(out.tcp, next.tcp, []);
  if (next.exec !== undefined) out.exec = mergeFields(out.exec, next.exec, ['environment']);
  return out;
}

/** Merges set (non-empty, non-zero) fields of `next` into a copy of `base`; maps merge by key. */
function mergeFields<T extends object>(base: T | undefined, next: T, maps: readonly string[]): T {
  const out: Record<string, unknown> = base === undefined ? {} : structuredClone({ ...base });
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined || value === '' || value === 0) continue;
    if (maps.includes(key)) {
      const merged = { ...((out[key] as Record<string, string> | undefined) ?? {}) };
      Object.assign(merged, value as Record<string, string>);
      if (Object.keys(merged).length > 0) out[key] = merged;
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out as T;
}

function mergeTarget(base: LogTarget | undefined, next: LogTarget): LogTarget {
  if (base === undefined || next.override === 'replace') return structuredClone(next);
  const out: LogTarget = structuredClone(base);
  if (next.type) out.type = next.type;
  if (next.location) out.location = next.location;
  if (next.services !== undefined) out.services = [...(out.services ?? []), ...next.services];
  if (next.labels !== undefined) out.labels = { ...(out.labels ?? {}), ...next.labels };
  return out;
}

function checkOverrides(label: string, layer: Layer): void {
  const groups: [string, Record<string, { override?: string }> | undefined][] = [
    ['service', layer.services],
    ['check', layer.checks],
    ['log target', layer.logTargets],
  ];
  for (const [what, entries] of groups) {
    for (const [name, entry] of Object.entries(entries ?? {})) {
      if (entry.override === undefined) {
        throw bad(`layer "${label}" must define "override" for ${what} "${name}"`);
      }
      if (entry.override !== 'merge' && entry.override !== 'replace') {
        throw bad(`layer "${label}" has invalid "override" value for ${what} "${name}"`);
      }
    }
  }
}

/** Folds `next` onto `base` entry by entry. @internal */
export function foldLayer(base: Layer, next: Layer): Layer {
  const out: Layer = structuredClone(base);
  for (const [name, s] of Object.entries(next.services ?? {})) {
    out.services = { ...(out.services ?? {}), [name]: mergeService(out.services?.[name], s) };
  }
  for (const [name, c] of Object.entries(next.checks ?? {})) {
    out.checks = { ...(out.checks ?? {}), [name]: mergeCheck(out.checks?.[name], c) };
  }
  for (const [name, t] of Object.entries(next.logTargets ?? {})) {
    out.logTargets = { ...(out.logTargets ?? {}), [name]: mergeTarget(out.logTargets?.[name], t) };
  }
  if (next.sections !== undefined) out.sections = { ...(out.sections ?? {}), ...next.sections };
  return out;
}

/** Validates a combined plan as Pebble does. @internal */
export function validatePlan(plan: Layer): void {
  const services = plan.services ?? {};
  // Pebble's Plan.Validate: services, then checks, then log targets, then ordering.
  for (const [name, s] of Object.entries(services)) {
    if (!s.command) throw bad(`plan must define "command" for service "${name}"`);
  }
  for (const [name, c] of Object.entries(plan.checks ?? {})) {
    if (c.level !== undefined && c.level !== 'alive' && c.level !== 'ready') {
      throw bad(`plan check "${name}" level must be "alive" or "ready"`);
    }
    if (c.http !== undefined && !c.http.url) {
      throw bad(`plan must set "url" for http check "${name}"`);
    }
    if (c.tcp !== undefined && !c.tcp.port) {
      throw bad(`plan must set "port" for tcp check "${name}"`);
    }
    if (c.exec !== undefined && !c.exec.command) {
      throw bad(`plan must set "command" for exec check "${name}"`);
    }
    if (c.exec?.serviceContext && services[c.exec.serviceContext] === undefined) {
      throw bad(
        `plan check "${name}" service context specifies non-existent service "${c.exec.serviceContext}"`,
      );
    }
    const kinds = [c.http, c.tcp, c.exec].filter((k) => k !== undefined).length;
    if (kinds !== 1)
      throw bad(`plan must specify one of "http", "tcp", or "exec" for check "${name}"`);
  }
  for (const [name, t] of Object.entries(plan.logTargets ?? {})) {
    if (!t.type) {
      throw bad(
        `plan must define "type" ("loki", "opentelemetry" or "syslog") for log target "${name}"`,
      );
    }
    for (const svc of t.services ?? []) {
      const bare = svc.startsWith('-') ? svc.slice(1) : svc;
      if (bare !== 'all' && services[bare] === undefined) {
        throw bad(`log target "${name}" specifies unknown service "${bare}"`);
      }
    }
    if (!t.location) throw bad(`plan must define "location" for log target "${name}"`);
  }
  for (const s of Object.values(services)) {
    for (const dep of s.requires ?? []) {
      if (services[dep] === undefined) throw bad(`service "${dep}" does not exist`);
    }
  }
  // before/after cycles
  const order = new Map<string, Set<string>>();
  for (const [name, s] of Object.entries(services)) {
    for (const a of s.after ?? []) if (services[a] !== undefined) addEdge(order, a, name);
    for (const b of s.before ?? []) if (services[b] !== undefined) addEdge(order, name, b);
  }
  const cycle = findCycle(Object.keys(services), order);
  if (cycle !== undefined) throw bad(`services in before/after loop: ${cycle.sort().join(', ')}`);
}

function addEdge(graph: Map<string, Set<string>>, from: string, to: string): void {
  let set = graph.get(from);
  if (set === undefined) {
    set = new Set();
    graph.set(from, set);
  }
  set.add(to);
}

function findCycle(names: string[], graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, number>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 1) return stack.slice(stack.indexOf(m));
      if (state.get(m) === undefined) {
        const found = visit(m);
        if (found !== undefined) return found;
      }
    }
    stack.pop();
    state.set(n, 2);
    return undefined;
  };
  for (const n of names) {
    if (state.get(n) === undefined) {
      const found = visit(n);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Orders services so that `after`/`before` and `requires` are honoured. @internal */
export function startOrder(plan: Layer, names: Iterable<string>): string[] {
  const services = plan.services ?? {};
  const wanted = new Set(names);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const s = services[name];
    const before = new Set<string>([...(s?.after ?? [])]);
    for (const [other, o] of Object.entries(services))
      if (o.before?.includes(name)) before.add(other);
    for (const dep of [...before].sort()) if (wanted.has(dep)) visit(dep);
    out.push(name);
  };
  for (const name of [...wanted].sort()) visit(name);
  return out;
}

/** The layer stack and combined plan. @internal */
export class PlanStore {
  layers: FakeLayer[] = [];
  plan: Layer = {};
  #order = 0;

  add(label: string, text: string, combine: boolean): void {
    if (label === '') throw bad('label must be set');
    const layer = parseLayerStrict(text);
    if (label.startsWith('pebble-')) {
      throw bad(`cannot parse layer YAML: cannot use reserved label prefix "pebble-"`);
    }
    checkOverrides(label, layer);
    const layers = this.layers.map((l) => ({ ...l, layer: structuredClone(l.layer) }));
    const existing = layers.find((l) => l.label === label);
    if (existing !== undefined) {
      if (!combine) throw bad(`layer "${label}" already exists`);
      const folded = foldLayer(existing.layer, layer);
      if (layer.summary !== undefined) folded.summary = layer.summary;
      else delete folded.summary;
      if (layer.description !== undefined) folded.description = layer.description;
      else delete folded.description;
      existing.layer = folded;
    } else {
      layers.push({ label, order: ++this.#order, layer });
    }
    const plan = layers.reduce<Layer>((acc, l) => foldLayer(acc, l.layer), {});
    delete plan.summary;
    delete plan.description;
    validatePlan(plan);
    this.layers = layers;
    this.plan = plan;
  }

  /** The plan as Pebble prints it: 4-space indentation, sorted names. */
  yaml(): string {
    const sorted: Layer = {};
    const sortRecord = <T>(r: Record<string, T> | undefined): Record<string, T> | undefined =>
      r === undefined
        ? undefined
        : Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
    // Pebble reads durations into Go durations and prints them back in Go's form
    // ("1m" comes back "1m0s", "0.5s" as "500ms").
    const services = sortRecord(this.plan.services);
    if (services !== undefined) {
      sorted.services = Object.fromEntries(
        Object.entries(services).map(([n, s]) => {
          const out: Service = { ...s };
          for (const field of ['backoffDelay', 'backoffLimit', 'killDelay'] as const) {
            const value = goDuration(s[field]);
            if (value !== undefined) out[field] = value;
          }
          return [n, out];
        }),
      );
    }
    const checks = sortRecord(this.plan.checks);
    if (checks !== undefined) {
      sorted.checks = Object.fromEntries(
        Object.entries(checks).map(([n, c]) => {
          const out: Check = { ...c, threshold: c.threshold ?? 3 };
          for (const field of ['period', 'timeout'] as const) {
            const value = goDuration(c[field]);
            if (value !== undefined) out[field] = value;
          }
          return [n, out];
        }),
      );
    }
    const targets = sortRecord(this.plan.logTargets);
    if (targets !== undefined) sorted.logTargets = targets;
    if (this.plan.sections !== undefined) sorted.sections = this.plan.sections;
    const dict = layerToDict(sorted);
    return Object.keys(dict).length === 0 ? '{}\n' : stringifyYaml(dict, { indent: 4 });
  }
}

function goDuration(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  return ms === undefined ? text : formatGoDuration(ms);
}
