import { type HookToolRunner, parseToolJson } from '../run-hook-tool.js';
import { nullableStringListSchema } from '../schemas.js';
import type { OpenedPortData } from '../types.js';

function portArg(protocol: string, port: number | undefined): string {
  return port === undefined ? protocol : `${port}/${protocol}`;
}

/** @internal `open-port <port>/<protocol>` or `open-port <protocol>`. */
export function openPort(run: HookToolRunner, protocol: string, port?: number): void {
  run('open-port', [portArg(protocol, port)]);
}

/** @internal `close-port <port>/<protocol>` or `close-port <protocol>`. */
export function closePort(run: HookToolRunner, protocol: string, port?: number): void {
  run('close-port', [portArg(protocol, port)]);
}

/**
 * @internal `opened-ports --format=json`: `80/tcp`, `8000-8999/udp`, `icmp`, bare `80` (tcp).
 * Ranges are kept as their first port with `toPort` set.
 */
export function openedPorts(run: HookToolRunner): OpenedPortData[] {
  const args = ['--format=json'];
  const out = parseToolJson(
    'opened-ports',
    args,
    run('opened-ports', args),
    nullableStringListSchema(),
  );
  return (out ?? []).map((entry) => {
    const [portPart = '', proto] = entry.split('/', 2);
    if (portPart === 'icmp') return { protocol: 'icmp', port: null, toPort: null };
    const [from = '', to] = portPart.split('-', 2);
    return {
      protocol: proto ?? 'tcp',
      port: Number(from),
      toPort: to === undefined ? null : Number(to),
    };
  });
}
