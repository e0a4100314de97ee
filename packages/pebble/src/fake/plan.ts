import { isMap, isScalar, LineCounter, parseDocument, stringify as stringifyYaml } from 'yaml';
import { formatGoDuration, parseDuration } from '../duration.js';
import {
  type Check,
  checkDictSchema,
  type Layer,
  type LogTarget,
  layerDictSchema,
  layerToDict,
  logTargetDictSchema,
  parseLayer,
  type Service,
  serviceDictSchema,
} from '../layer.js';
import { safeParse } from '../zod.js';
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
 * Parses layer YAML strictly, as Pebble's `plan.ParseLayer` does (unknown sections and fields
 * are errors), then validates it as `Layer.Validate` does. Messages are Pebble's, after the
 * API's `cannot parse layer YAML: ` prefix.
 * @internal
 */
export function parseLayerStrict(text: string, label = 'layer'): Layer {
  const lineCounter = new LineCounter();
  let raw: unknown;
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter });
    if (doc.errors.length > 0) throw doc.errors[0];
    raw = doc.toJS() ?? {};
  } catch (error) {
    throw bad(
      `cannot parse layer YAML: cannot parse layer "${label}": yaml: ${(error as Error).message}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw bad(`cannot parse layer YAML: cannot parse layer "${label}": layer must be a map`);
  }
  const sections: [string, Record<string, unknown>][] = [
    ['services', serviceDictSchema().shape],
    ['checks', checkDictSchema().shape],
    ['log-targets', logTargetDictSchema().shape],
  ];
  const typeNames: Record<string, string> = {
    services: 'plan.Service',
    checks: 'plan.Check',
    'log-targets': 'plan.LogTarget',
  };
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL.has(key)) {
      throw bad(`cannot parse layer YAML: cannot parse layer "${label}": unknown section "${key}"`);
    }
  }
  const nulls = new Set<string>();
  const body = { ...(raw as Record<string, unknown>) };
  for (const [section, shape] of sections) {
    const entries: unknown = body[section];
    if (entries === undefined || entries === null) continue;
    const where = `cannot parse layer YAML: cannot parse layer "${label}" section "${section}"`;
    if (typeof entries !== 'object' || Array.isArray(entries)) {
      throw bad(`${where}: yaml: section must be a map`);
    }
    const kept: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(entries)) {
      // A null entry decodes to a nil object, which Validate rejects below.
      if (entry === null) {
        nulls.add(`${section}\u0000${name}`);
        continue;
      }
      kept[name] = entry;
      if (typeof entry !== 'object') continue;
      for (const field of Object.keys(entry)) {
        if (!(field in shape)) {
          const line = sectionLine(doc, lineCounter, text, section, name, field);
          throw bad(
            `${where}: yaml: unmarshal errors:\n  line ${line}: field ${field} not found in type ${typeNames[section]}`,
          );
        }
      }
    }
    body[section] = kept;
  }
  // Durations are decoded by Pebble's OptionalDuration.UnmarshalYAML, whose errors yaml.v3
  // passes through unwrapped.
  const durations: [string, string[]][] = [
    ['services', ['backoff-delay', 'backoff-limit', 'kill-delay']],
    ['checks', ['period', 'timeout']],
  ];
  for (const [section, fields] of durations) {
    const where = `cannot parse layer YAML: cannot parse layer "${label}" section "${section}"`;
    for (const entry of Object.values((body[section] ?? {}) as Record<string, unknown>)) {
      if (typeof entry !== 'object' || entry === null) continue;
      for (const field of fields) {
        const value: unknown = Reflect.get(entry, field);
        if (value === undefined || value === null) continue;
        if (typeof value === 'object') throw bad(`${where}: duration must be a YAML string`);
        const text = String(value);
        if (parseDuration(text) === undefined) throw bad(`${where}: invalid duration "${text}"`);
        Reflect.set(entry, field, text);
      }
    }
  }
  raw = body;
  const parsed = safeParse(layerDictSchema(), raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(
      `cannot parse layer YAML: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const layer = parseLayer(parsed.data);
  validateLayer(label, layer, nulls);
  return layer;
}

/**
 * The line of `field` as yaml.v3 numbers it when decoding a section on its own (Pebble
 * re-marshals each section before decoding it): counted from the section's first entry,
 * blank lines dropped.
 */
function sectionLine(
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  text: string,
  section: string,
  name: string,
  field: string,
): number {
  const sectionNode = doc.get(section, true);
  const entry = isMap(sectionNode) ? sectionNode.get(name, true) : undefined;
  const first = isMap(sectionNode) ? sectionNode.items[0]?.key : undefined;
  const pair = isMap(entry)
    ? entry.items.find((item) => isScalar(item.key) && item.key.value === field)
    : undefined;
  const start = isScalar(first) ? first.range?.[0] : undefined;
  const at = pair !== undefined && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
  if (start === undefined || at === undefined) return 1;
  const from = lineCounter.linePos(start).line;
  const to = lineCounter.linePos(at).line;
  const lines = text.split('\n');
  let count = 0;
  for (let line = from; line <= to; line++) if ((lines[line - 1] ?? '').trim() !== '') count++;
  return Math.max(count, 1);
}

const SERVICE_ACTIONS = ['', 'restart', 'shutdown', 'ignore'];

/** Pebble's `Layer.Validate`, in its order. */
function validateLayer(label: string, layer: Layer, nulls: Set<string>): void {
  const fail = (message: string): never => {
    throw bad(`cannot parse layer YAML: ${message}`);
  };
  if (label.startsWith('pebble-')) fail('cannot use reserved label prefix "pebble-"');
  const names = (section: string, entries: Record<string, unknown> | undefined): string[] => [
    ...Object.keys(entries ?? {}),
    ...[...nulls]
      .filter((k) => k.startsWith(`${section}\u0000`))
      .map((k) => k.slice(section.length + 1)),
  ];
  const isNull = (section: string, name: string): boolean => nulls.has(`${section}\u0000${name}`);
  for (const name of names('services', layer.services)) {
    if (name === '') fail('cannot use empty string as service name');
    if (name === 'pebble') fail(`cannot use reserved service name "${name}"`);
    if (name.startsWith('-'))
      fail(`cannot use service name "${name}": starting with "-" not allowed`);
    const service = layer.services?.[name];
    if (isNull('services', name) || service === undefined) {
      fail(`service object cannot be null for service "${name}"`);
      return;
    }
    const commandError = parseServiceCommand(service.command ?? '');
    if (commandError !== undefined) {
      fail(
        `plan service "${name}" command invalid: cannot parse service "${name}" command: ${commandError}`,
      );
    }
    const action = (value: string | undefined, extra: string): boolean =>
      value === undefined || SERVICE_ACTIONS.includes(value) || value === extra;
    if (!action(service.onSuccess, 'failure-shutdown'))
      fail(`plan service "${name}" on-success action "${service.onSuccess}" invalid`);
    if (!action(service.onFailure, 'success-shutdown'))
      fail(`plan service "${name}" on-failure action "${service.onFailure}" invalid`);
    for (const value of Object.values(service.onCheckFailure ?? {})) {
      if (!action(value, 'success-shutdown'))
        fail(`plan service "${name}" on-check-failure action "${value}" invalid`);
    }
    if (service.backoffFactor !== undefined && service.backoffFactor < 1) {
      fail(
        `plan service "${name}" backoff-factor must be 1.0 or greater, not ${goFloat(service.backoffFactor)}`,
      );
    }
  }
  for (const name of names('checks', layer.checks)) {
    if (name === '') fail('cannot use empty string as check name');
    const check = layer.checks?.[name];
    if (isNull('checks', name) || check === undefined) {
      fail(`check object cannot be null for check "${name}"`);
      return;
    }
    if (
      check.level !== undefined &&
      check.level !== '' &&
      check.level !== 'alive' &&
      check.level !== 'ready'
    )
      fail(`plan check "${name}" level must be "alive" or "ready"`);
    if (
      check.startup !== undefined &&
      check.startup !== '' &&
      check.startup !== 'enabled' &&
      check.startup !== 'disabled'
    )
      fail(`plan check "${name}" startup must be "enabled" or "disabled"`);
    if (check.period !== undefined && parseDuration(check.period) === 0)
      fail(`plan check "${name}" period must not be zero`);
    if (check.timeout !== undefined && parseDuration(check.timeout) === 0)
      fail(`plan check "${name}" timeout must not be zero`);
    if (check.exec !== undefined) {
      const error = shlexError(check.exec.command ?? '');
      if (error !== undefined) fail(`plan check "${name}" command invalid: ${error}`);
    }
  }
  for (const name of names('log-targets', layer.logTargets)) {
    const target = layer.logTargets?.[name];
    if (isNull('log-targets', name) || target === undefined) {
      fail(`log target object cannot be null for log target "${name}"`);
      return;
    }
    for (const labelName of Object.keys(target.labels ?? {})) {
      if (labelName.startsWith('pebble_'))
        fail(`log target "${name}": label "${labelName}" uses reserved prefix "pebble_"`);
    }
    if (
      target.type !== undefined &&
      target.type !== '' &&
      !['loki', 'opentelemetry', 'syslog'].includes(target.type)
    ) {
      fail(
        `log target "${name}" has unsupported type "${target.type}", must be "loki", "opentelemetry" or "syslog"`,
      );
    }
  }
}

/** Go's `%g` of a float. */
function goFloat(value: number): string {
  return String(value);
}

/** The error of shlex-splitting `text` (Pebble's command parsing), if any. */
function shlexError(text: string): string | undefined {
  return shlexSplit(text).error;
}

function shlexSplit(text: string): { words: string[]; error?: string } {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= text.length) return { words, error: 'EOF found after escape character' };
      word = (word ?? '') + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      word = word ?? '';
    } else if (/\s/u.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== undefined) return { words, error: 'EOF found when expecting closing quote' };
  if (word !== undefined) words.push(word);
  return { words };
}

/** Pebble's `Service.ParseCommand` checks; the error text (without its prefix), if any. */
function parseServiceCommand(command: string): string | undefined {
  const { words, error } = shlexSplit(command);
  if (error !== undefined) return error;
  let inBrackets = false;
  let gotBrackets = false;
  for (const [idx, arg] of words.entries()) {
    if (inBrackets) {
      if (arg === '[') return 'cannot nest [ ... ] groups';
      if (arg === ']') inBrackets = false;
      continue;
    }
    if (gotBrackets) return 'cannot have any arguments after [ ... ] group';
    if (arg === '[') {
      if (idx === 0) return 'cannot start command with [ ... ] group';
      inBrackets = true;
      gotBrackets = true;
      continue;
    }
    if (arg === ']') return 'cannot have ] outside of [ ... ] group';
  }
  return undefined;
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
    const layer = parseLayerStrict(text, label);
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
