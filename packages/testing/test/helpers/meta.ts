import { CharmMeta } from '@opsjs/model';

/** Metadata of the sample K8s charm used across the tests (charmcraft.yaml text). */
export const SAMPLE_CHARMCRAFT = `
type: charm
name: sample
summary: A sample charm for @opsjs/testing's tests.
description: Exercises every event kind.
requires:
  db: {interface: postgresql_client, limit: 1}
  logging: {interface: loki_push, scope: container}
provides:
  website: {interface: http}
peers:
  cluster: {interface: sample_peers}
storage:
  data: {type: filesystem, location: /data}
containers:
  workload:
    resource: workload-image
    mounts: [{storage: data, location: /srv/data}]
resources:
  workload-image: {type: oci-image}
  config-file: {type: file, filename: app.conf}
extra-bindings:
  metrics: null
config:
  options:
    port: {type: int, default: 8080}
    debug: {type: boolean, default: false}
    ratio: {type: float}
    name: {type: string, default: sample}
    password: {type: secret}
actions:
  backup:
    params:
      target: {type: string}
      compress: {type: boolean, default: true}
      level: {type: integer}
    required: [target]
  ping: {}
`;

/** The sample charm's parsed metadata. */
export function sampleMeta(): CharmMeta {
  return CharmMeta.fromCharmcraftYaml(SAMPLE_CHARMCRAFT);
}
