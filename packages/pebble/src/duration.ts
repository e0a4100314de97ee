/**
 * Go duration strings, as Pebble reads and writes them (`"500ms"`, `"1m30s"`, `"168h0m0s"`).
 * @internal
 */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration string into milliseconds, or returns `undefined` when it is not one.
 * @internal
 */
export function parseDuration(text: string): number | undefined {
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/u.exec(text);
  if (text === '0') return 0;
  if (match === null) return undefined;
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gu)) {
    const [, value, unit] = part;
    if (value === undefined || unit === undefined) return undefined;
    const scale = UNITS[unit];
    if (scale === undefined) return undefined;
    total += Number(value) * scale;
  }
  return match[1] === '-' ? -total : total;
}

/**
 * Formats milliseconds as a Go duration string with three decimals of seconds, as ops does
 * (`"1.500s"`).
 * @internal
 */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/**
 * Formats milliseconds in Go's canonical duration form (`"1h0m0s"`, `"500ms"`, `"1m30s"`).
 * @internal
 */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const negative = ms < 0;
  let rest = Math.abs(ms);
  let out: string;
  if (rest < 1000) {
    if (rest >= 1) out = `${trim(rest)}ms`;
    else if (rest >= 1e-3) out = `${trim(rest * 1e3)}µs`;
    else out = `${trim(rest * 1e6)}ns`;
  } else {
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = `${trim(rest / 1000)}s`;
    if (hours > 0) out = `${hours}h${minutes}m${seconds}`;
    else if (minutes > 0) out = `${minutes}m${seconds}`;
    else out = seconds;
  }
  return negative ? `-${out}` : out;
}

function trim(value: number): string {
  return Number(value.toFixed(9)).toString();
}
