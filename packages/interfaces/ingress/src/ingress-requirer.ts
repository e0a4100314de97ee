import type { Relation } from '@opsjs/core';
import { ingressV2 } from './schema.js';

/** What {@link IngressRequirer.request} publishes. */
export interface IngressRequirerOptions {
  /** The port the proxy forwards to. */
  readonly port: number;
  /** This unit's hostname (e.g. its FQDN) the proxy reaches it at. */
  readonly host: string;
}

/**
 * The requirer side of `ingress` v2: publish the port and host to expose, and read the URL
 * the proxy serves. Observe `on.ready` / `on.changed` for the URL, `on.invalid` for a
 * provider that sent malformed data, `on.gone` when the relation is removed.
 *
 * @example
 * ```ts
 * readonly ingress = new IngressRequirer(this, 'ingress');
 * // in a handler: this.ingress.request({ port: 8080, host: 'web-0.web-endpoints' });
 * // later: this.ingress.url() → 'http://proxy/model-web' or null
 * ```
 */
export class IngressRequirer extends ingressV2.Requirer {
  /**
   * Publish what to expose on every relation of the endpoint: the application bag (model,
   * application name, port) when this unit is the leader, and this unit's host in every case.
   *
   * @throws {BagEncodeError} when `port` is not an integer
   */
  request(options: IngressRequirerOptions, relation?: Relation): void {
    const relations = relation === undefined ? this.relations : [relation];
    const leader = this.model.unit.isLeader();
    for (const rel of relations) {
      if (leader) {
        this.writeApp(rel, {
          model: this.model.name,
          name: this.model.app.name,
          port: options.port,
        });
      }
      this.writeUnit(rel, { host: options.host });
    }
  }

  /** The URL the provider serves for this application, or null while there is none. */
  url(relation?: Relation): string | null {
    const rel = relation ?? this.relation();
    if (rel === null) return null;
    const state = this.remote(rel);
    return state.status === 'ready' ? state.data.app.ingress.url : null;
  }
}
