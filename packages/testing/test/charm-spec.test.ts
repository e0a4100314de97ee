import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharmBase } from '@opsjs/core';
import { CharmMeta } from '@opsjs/model';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveMeta } from '../src/charm-spec.js';
import { Context } from '../src/context.js';
import { ContextSetupError, MetadataNotFoundError } from '../src/errors.js';
import { Harness } from '../src/harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsjs-spec-'));
  dirs.push(dir);
  return dir;
}

describe('charm metadata for Context and Harness', () => {
  it('is read from the charm root by default: charmcraft.yaml, or metadata.yaml + config.yaml + actions.yaml', async () => {
    const unified = tempDir();
    writeFileSync(
      join(unified, 'charmcraft.yaml'),
      'name: unified\nconfig:\n  options:\n    a: {type: int, default: 1}\nactions:\n  go: {}\n',
    );
    const ctx = new Context(CharmBase, { charmRoot: unified });
    expect([ctx.meta.name, ctx.meta.config.a?.default, Object.keys(ctx.meta.actions)]).toEqual([
      'unified',
      1,
      ['go'],
    ]);
    ctx.close();
    const legacy = tempDir();
    writeFileSync(join(legacy, 'metadata.yaml'), 'name: legacy\n');
    writeFileSync(join(legacy, 'config.yaml'), 'options:\n  b: {type: string}\n');
    const harness = new Harness(CharmBase, { charmRoot: legacy });
    expect([harness.meta.name, harness.meta.config.b?.type]).toEqual(['legacy', 'string']);
    await harness.cleanup();
  });

  it('accepts metadata.yaml text with separate config and actions, or a CharmMeta', () => {
    const meta = resolveMeta({
      meta: 'name: x\n',
      config: { options: { c: { type: 'boolean' } } },
      actions: 'run: {}\n',
    });
    expect([meta.name, meta.config.c?.type, Object.keys(meta.actions)]).toEqual([
      'x',
      'boolean',
      ['run'],
    ]);
    const given = CharmMeta.fromYaml('name: y\n');
    expect(resolveMeta({ meta: given })).toBe(given);
  });

  it('reports missing or invalid metadata clearly', () => {
    const empty = tempDir();
    expect(() => new Context(CharmBase, { charmRoot: empty })).toThrow(MetadataNotFoundError);
    expect(() => new Context(CharmBase, { charmRoot: empty })).toThrow(
      `neither metadata.yaml nor charmcraft.yaml found in ${empty}`,
    );
    expect(() => new Context(CharmBase, { meta: 'name: [' })).toThrow(ContextSetupError);
    expect(() => new Context(CharmBase, { meta: { requires: { db: {} } } })).toThrow(
      /^invalid charm metadata: /,
    );
  });
});
