import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** The directory of the charm project (its charmcraft.yaml). */
export const charmRoot = join(import.meta.dirname, '..', '..');

/** Temporary directories removed after each test. */
export function useTempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'example-machine-charm-'));
    dirs.push(dir);
    return dir;
  };
}
