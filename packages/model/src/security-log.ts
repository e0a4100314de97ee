/** @internal Python `repr()` of a string (the quoting ops' security log uses). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const c of s) {
    if (c === '\\') out += '\\\\';
    else if (c === quote) out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return `${quote}${out}${quote}`;
}

/** Python's `datetime.now(timezone.utc).isoformat()`. */
function pyIsoNow(): string {
  return `${new Date().toISOString().slice(0, 23)}000+00:00`;
}

/**
 * @internal The JSON line ops logs (at TRACE) for a security event, with Python
 * `json.dumps` spacing and key order.
 */
export function securityEventLine(fields: {
  level: 'INFO' | 'WARN' | 'CRITICAL';
  modelUuid: string;
  unitName: string;
  event: string;
  description: string;
}): string {
  const entries: [string, string][] = [
    ['datetime', pyIsoNow()],
    ['level', fields.level],
    ['type', 'security'],
    ['appid', `${fields.modelUuid}-${fields.unitName}`],
    ['event', fields.event],
    ['description', fields.description],
  ];
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}

/** @internal The current uid as ops prints it (`os.getuid()`), '' where unsupported. */
export function uid(): string {
  return typeof process.getuid === 'function' ? String(process.getuid()) : '';
}
