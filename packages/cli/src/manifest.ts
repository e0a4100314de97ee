import { Scalar, stringify } from 'yaml';
import type { CharmRunBase } from './project.js';

/** Options of {@link renderManifest}. */
export interface ManifestOptions {
  /** The run-time bases of the packed charm. */
  readonly bases: readonly CharmRunBase[];
  /** The version of `@opsjs/cli` doing the packing. */
  readonly packerVersion: string;
  /**
   * The build time written as `charmcraft-started-at`. Defaults to `SOURCE_DATE_EPOCH` when
   * set, else 1980-01-01T00:00:00Z, so that packing is reproducible.
   */
  readonly startedAt?: Date;
}

/**
 * The build time for `manifest.yaml`: `SOURCE_DATE_EPOCH` (seconds) when it is set to an
 * integer, else the zip epoch 1980-01-01T00:00:00Z. Never the wall clock.
 */
export function reproducibleStartedAt(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date(Date.UTC(1980, 0, 1));
}

/**
 * Renders `manifest.yaml` in the form charmcraft writes (keys in alphabetical order):
 * `analysis.attributes` (name/result pairs), `bases` (name, channel, architectures),
 * `charmcraft-started-at` and `charmcraft-version`. The version names the packer
 * (`opsjs-<version>`), as charmcraft's own field names charmcraft's version; Juju reads only
 * `bases`.
 */
export function renderManifest(options: ManifestOptions): string {
  const startedAt = (options.startedAt ?? reproducibleStartedAt()).toISOString();
  const manifest = {
    analysis: {
      attributes: [
        { name: 'language', result: 'javascript' },
        { name: 'framework', result: 'opsjs' },
      ],
    },
    bases: options.bases.map((b) => ({
      architectures: [...b.architectures],
      channel: b.channel,
      name: b.name,
    })),
    'charmcraft-started-at': quoted(startedAt.replace(/\.(\d{3})Z$/, '.$1000Z')),
    'charmcraft-version': `opsjs-${options.packerVersion}`,
  };
  return stringify(manifest, { indentSeq: false, singleQuote: true });
}

/** A string that YAML 1.1 readers (PyYAML) would take for a timestamp: always quote it. */
function quoted(value: string): Scalar<string> {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_SINGLE;
  return scalar;
}
