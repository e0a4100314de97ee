import { defineInterface, jsonField, type RemoteDataOf } from '@opsjs/charmlibs';
import { int, looseObject, minLength, string, url } from 'zod/mini';

/**
 * The `ingress` interface, v2, as catalogued in canonical/charm-relation-interfaces
 * (`interfaces/ingress/v2`): every field is JSON text.
 *
 * - Requirer application bag: `name` (application name), `model` (model name), `port`
 *   (the port to expose, an integer).
 * - Requirer unit bag: `host` (the unit's hostname).
 * - Provider application bag: `ingress`, an object with the `url` (http or https) at which
 *   the requirer is reachable.
 */
export const ingressV2 = defineInterface({
  name: 'ingress',
  version: 2,
  summary: 'Ask a proxy to route HTTP traffic to an application, and learn the URL it serves.',
  // Built on first use: a dispatch that touches no ingress data builds no schema.
  schemas: () => ({
    provider: {
      app: {
        ingress: jsonField(looseObject({ url: url({ protocol: /^https?$/ }).check(minLength(1)) })),
      },
    },
    requirer: {
      app: {
        model: jsonField(string()),
        port: jsonField(int()),
        name: jsonField(string()),
      },
      unit: {
        host: jsonField(string()),
      },
    },
  }),
});

/** What an ingress requirer sees: the provider's application bag. */
export type IngressProviderData = RemoteDataOf<typeof ingressV2, 'requirer'>;
/** What an ingress provider sees: the requirer's application and unit bags. */
export type IngressRequirerData = RemoteDataOf<typeof ingressV2, 'provider'>;
