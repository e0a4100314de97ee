import type { Relation } from '@opsjs/core';
import { ingressV2 } from './schema.js';

/** One application asking for ingress. */
export interface IngressRequest {
  /** The relation it asks on. */
  readonly relation: Relation;
  /** Its application name. */
  readonly name: string;
  /** Its model name. */
  readonly model: string;
  /** The port to forward to. */
  readonly port: number;
  /** The hosts of its units that published one, sorted by unit name. */
  readonly hosts: readonly string[];
}

/**
 * The provider side of `ingress` v2 (a proxy): read what each requirer wants exposed and
 * publish the URL it is served at. Requests with malformed data arrive as `on.invalid`.
 */
export class IngressProvider extends ingressV2.Provider {
  /** The valid requests, one per relation whose requirer has published its data. */
  requests(): IngressRequest[] {
    return this.readyRelations().map(({ relation, data }) => ({
      relation,
      name: data.app.name,
      model: data.app.model,
      port: data.app.port,
      hosts: [...data.units.values()].map((u) => u.host),
    }));
  }

  /**
   * Publish the URL a requirer is served at (leader only).
   *
   * @throws {NotLeaderError} when this unit is not the leader
   * @throws {BagEncodeError} when `url` is not an http(s) URL
   */
  publishUrl(relation: Relation, url: string): void {
    this.writeApp(relation, { ingress: { url } });
  }
}
