import { InvalidArgumentError } from '../../errors.js';
import { pyRepr } from '../../security-log.js';
import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import { actionParamsSchema } from '../schemas.js';

const KEY_RE = /^[a-z0-9](([a-z0-9-.]+)?[a-z0-9])?$/;

/** Python `str()` of a JSON-like value (`repr()` inside lists), as ops formats results. */
function pyStr(value: unknown, nested = false): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return nested ? pyRepr(value) : value;
  if (Array.isArray(value)) return `[${value.map((v) => pyStr(v, true)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyStr(v, true)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * @internal Flatten nested maps to dotted keys, checking each key as ops does.
 *
 * @throws {InvalidArgumentError} On an invalid or duplicate key.
 */
export function flattenActionResults(
  input: Readonly<Record<string, unknown>>,
  parent?: string,
  output: Map<string, string> = new Map(),
): Map<string, string> {
  for (const [k, v] of Object.entries(input)) {
    if (!KEY_RE.test(k)) {
      throw new InvalidArgumentError(
        `key '${k}' is invalid: must be similar to 'key', 'some-key2', or 'some.key'`,
      );
    }
    const key = parent === undefined ? k : `${parent}.${k}`;
    if (isRecord(v)) {
      flattenActionResults(v, key, output);
    } else if (output.has(key)) {
      throw new InvalidArgumentError(
        `duplicate key detected in dictionary passed to 'action-set': '${key}'`,
      );
    } else {
      output.set(key, pyStr(v));
    }
  }
  return output;
}

/** @internal `action-get --format=json`. */
export function actionGet(run: HookToolRunner): Record<string, unknown> {
  const args = ['--format=json'];
  const out = parseToolJson('action-get', args, run('action-get', args), actionParamsSchema());
  return out ?? {};
}

/** @internal `action-set k=v ...` (values hidden from errors). */
export function actionSet(run: HookToolRunner, results: Readonly<Record<string, unknown>>): void {
  const flat = flattenActionResults(results);
  const args = [...flat].map(([k, v]) => `${k}=${v}`);
  run('action-set', args, { reportedArgv: [...flat.keys()].map((k) => `${k}=<hidden>`) });
}

/** @internal `action-log -- <message>`. */
export function actionLog(run: HookToolRunner, message: string): void {
  run('action-log', ['--', message]);
}

/** @internal `action-fail -- <message>`. */
export function actionFail(run: HookToolRunner, message: string): void {
  run('action-fail', ['--', message]);
}
