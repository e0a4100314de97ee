import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PackResult, pack, unpackCharm } from '@opsjs/cli';
import { charmRoot } from './state.js';

/** The example charm packed by `opsjs pack --no-runtime` and unpacked as Juju would. */
export interface PackedCharm {
  /** The pack result (path, size, entries). */
  readonly result: PackResult;
  /** The unpacked charm directory (its `dispatch` runs `node` from PATH). */
  readonly charmDir: string;
  /** Removes the temporary directory. */
  readonly remove: () => void;
}

/** Packs the example charm into a temporary directory and unpacks it there. */
export async function packAndUnpack(): Promise<PackedCharm> {
  const work = mkdtempSync(join(tmpdir(), 'example-charm-packed-'));
  const result = await pack({ dir: charmRoot, out: join(work, 'out'), noRuntime: true });
  const charmDir = join(work, 'charm');
  await unpackCharm(result.charmPath, charmDir);
  return { result, charmDir, remove: () => rmSync(work, { recursive: true, force: true }) };
}
