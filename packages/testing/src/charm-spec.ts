import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CharmMeta, MetadataError } from '@opsjs/model';
import { parse as parseYaml } from 'yaml';
import { ContextSetupError, MetadataNotFoundError } from './errors.js';

/** Metadata as a test gives it: a parsed `CharmMeta`, YAML text, or a parsed document. */
export type MetaInput = CharmMeta | string | Readonly<Record<string, unknown>>;

/** How a test describes its charm's metadata (shared by `Context` and `Harness`). */
export interface CharmSpecOptions {
  /**
   * The metadata: a `CharmMeta`, `metadata.yaml` text or object, or a whole `charmcraft.yaml`
   * text or object (its `config` and `actions` sections are used). Default: read from
   * `charmRoot` (`metadata.yaml` + `config.yaml` + `actions.yaml`, else `charmcraft.yaml`).
   */
  meta?: MetaInput;
  /** `actions.yaml` text or object, when `meta` is metadata.yaml-style. */
  actions?: string | Readonly<Record<string, unknown>>;
  /** `config.yaml` text or object (`{ options: ... }`), when `meta` is metadata.yaml-style. */
  config?: string | Readonly<Record<string, unknown>>;
  /** The charm directory to read metadata from and to run in (default: the working directory). */
  charmRoot?: string;
}

function parsed(text: string | Readonly<Record<string, unknown>>, file: string): unknown {
  if (typeof text !== 'string') return text;
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ContextSetupError(`${file}: not valid YAML`, { cause: error });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The charm's metadata from the test's options (Scenario's `_CharmSpec`).
 * @throws {MetadataNotFoundError} when no metadata is given and none is in `charmRoot`
 * @throws {ContextSetupError} when the metadata is invalid
 * @internal
 */
export function resolveMeta(options: CharmSpecOptions): CharmMeta {
  try {
    if (options.meta instanceof CharmMeta) return options.meta;
    if (options.meta === undefined) {
      const root = options.charmRoot ?? process.cwd();
      if (!['metadata.yaml', 'charmcraft.yaml'].some((f) => existsSync(join(root, f)))) {
        throw new MetadataNotFoundError(
          `no charm metadata given and neither metadata.yaml nor charmcraft.yaml found in ${root}`,
        );
      }
      return CharmMeta.fromCharmDir(root);
    }
    const doc = parsed(options.meta, 'metadata');
    if (!isRecord(doc)) throw new ContextSetupError('metadata: expected a map at the top level');
    const looksCharmcraft =
      (doc.config !== undefined || doc.actions !== undefined || doc.type === 'charm') &&
      options.config === undefined &&
      options.actions === undefined;
    if (looksCharmcraft) {
      const { config, actions, ...metadata } = doc;
      return new CharmMeta({ metadata, config: config ?? null, actions: actions ?? null });
    }
    return new CharmMeta({
      metadata: doc,
      config: options.config === undefined ? null : parsed(options.config, 'config.yaml'),
      actions: options.actions === undefined ? null : parsed(options.actions, 'actions.yaml'),
    });
  } catch (error) {
    if (error instanceof MetadataError) {
      throw new ContextSetupError(`invalid charm metadata: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
