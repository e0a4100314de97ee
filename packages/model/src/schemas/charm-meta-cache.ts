import {
  array,
  boolean,
  nullable,
  number,
  object,
  optional,
  record,
  string,
  union,
  unknown,
  enum as zEnum,
} from 'zod/mini';
import type { output } from 'zod/v4/core';
import type { AssumesEntry } from './metadata.js';
import { memo } from './parse.js';

/**
 * @internal The `format` of `.opsjs/metadata.json` bodies this version reads and writes. Change
 * it whenever the shape below changes: a cache in another format is rejected.
 */
export const CHARM_META_CACHE_FORMAT = 'opsjs-charm-meta/2';

/**
 * @internal The checksum of a cache's `data` (its JSON text): 32-bit FNV-1a over the UTF-16
 * code units, as 8 hex digits. It detects a cache edited or damaged after it was written, which
 * is all the reader checks: the data was validated when it was written.
 */
export function charmMetaChecksum(json: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < json.length; i++) {
    hash ^= json.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * @internal The `data` of `.opsjs/metadata.json`: a charm's metadata validated and normalised
 * (the fields of `CharmMeta`, keyed by name, without the parts that depend on the Juju
 * version). `charmMetaCacheText` checks what it writes against this schema; the reader, which
 * runs in every dispatch, checks only the checksum (building and first running this schema
 * would take about a millisecond of each hook).
 */
export const charmMetaCacheSchema = memo(() => {
  const str = string();
  const optStr = optional(str);
  const strings = array(str);
  const bool = boolean();
  const num = number();
  const endpoints = record(
    str,
    object({
      interfaceName: str,
      limit: nullable(num),
      optional: bool,
      scope: zEnum(['global', 'container']),
      description: optStr,
    }),
  );
  return object({
    name: str,
    summary: str,
    description: str,
    title: optStr,
    subordinate: bool,
    requires: endpoints,
    provides: endpoints,
    peers: endpoints,
    storages: record(
      str,
      object({
        type: zEnum(['filesystem', 'block']),
        description: str,
        location: optStr,
        shared: bool,
        readOnly: bool,
        minimumSize: optional(union([str, num])),
        multiple: nullable(object({ min: num, max: nullable(num) })),
        properties: strings,
      }),
    ),
    resources: record(
      str,
      object({ type: zEnum(['file', 'oci-image']), filename: optStr, description: str }),
    ),
    containers: record(
      str,
      object({ resource: optStr, mounts: array(object({ storage: str, location: str })) }),
    ),
    config: record(
      str,
      object({
        type: zEnum(['string', 'int', 'float', 'boolean', 'secret']),
        default: optional(union([str, num, bool])),
        description: str,
      }),
    ),
    actions: record(
      str,
      object({
        title: optStr,
        description: str,
        params: record(str, record(str, unknown())),
        required: strings,
        // Absent: the default, which depends on the Juju version.
        additionalProperties: optional(bool),
        parallel: bool,
        executionGroup: optStr,
      }),
    ),
    extraBindings: strings,
    assumes: array(unknown()),
    charmUser: zEnum(['root', 'sudoer', 'non-root']),
    series: strings,
    minJujuVersion: optStr,
    maintainers: strings,
    terms: strings,
    tags: strings,
    links: object({
      websites: strings,
      sources: strings,
      issues: strings,
      documentation: optStr,
    }),
  });
});

/**
 * @internal A charm's normalised metadata, as stored in `.opsjs/metadata.json` (beside its
 * `format`), with `assumes` checked.
 */
export type CharmMetaData = Omit<output<ReturnType<typeof charmMetaCacheSchema>>, 'assumes'> & {
  assumes: AssumesEntry[];
};
