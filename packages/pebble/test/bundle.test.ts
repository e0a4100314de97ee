import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function bundle(
  source: string,
): Promise<{ inputs: string[]; size: number; kept: Record<string, number> }> {
  const result = await build({
    stdin: { contents: source, resolveDir: packageDir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const kept: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0) kept[input] = (kept[input] ?? 0) + bytesInOutput;
    }
  }
  return {
    inputs: Object.keys(result.metafile.inputs),
    size: result.outputFiles.reduce((n, f) => n + f.contents.length, 0),
    kept,
  };
}

describe('bundles', () => {
  it('a client-only consumer ships no ws (the fake server stays behind /fake)', async () => {
    const { inputs, size } = await bundle(
      "import { PebbleClient } from '@opsjs/pebble'; console.log(new PebbleClient({ socketPath: '/x' }).socketPath);",
    );
    expect(size).toBeGreaterThan(10_000);
    expect(inputs.some((i) => i.includes('/undici/'))).toBe(true);
    expect(inputs.filter((i) => /\/node_modules\/(\.pnpm\/)?ws[@/]/u.test(i))).toEqual([]);
    expect(inputs.filter((i) => i.includes('/fake/'))).toEqual([]);
  }, 60_000);

  it('keeps only the zod builders it uses, not every zod locale', async () => {
    const { kept } = await bundle(
      "import { PebbleClient } from '@opsjs/pebble'; console.log(new PebbleClient({ socketPath: '/x' }).socketPath);",
    );
    const zod = Object.keys(kept).filter((i) => i.includes('/zod/'));
    expect(zod.length).toBeGreaterThan(0);
    // The `z` namespace object would keep all ~60 locales (about 260 KB minified).
    expect(zod.filter((i) => /\/locales\/(?!en\.js$)[^/]+$/u.test(i))).toEqual([]);
  }, 60_000);

  it('loads zod/mini, not zod classic (whose methods cost a dispatch ~10 ms to load)', async () => {
    for (const source of [
      "import { PebbleClient, parseLayer } from '@opsjs/pebble'; console.log(new PebbleClient({ socketPath: '/x' }).socketPath, parseLayer('{}'));",
      "export { FakePebbleServer } from '@opsjs/pebble/fake';",
    ]) {
      const { inputs } = await bundle(source);
      expect(inputs.filter((i) => i.includes('/zod/v4/mini/')).length).toBeGreaterThan(0);
      expect(inputs.filter((i) => i.includes('/zod/v4/classic/'))).toEqual([]);
    }
  }, 60_000);

  it('the fake server entry point does bring ws', async () => {
    const { inputs } = await bundle("export { FakePebbleServer } from '@opsjs/pebble/fake';");
    expect(inputs.some((i) => /\/node_modules\/(\.pnpm\/)?ws[@/]/u.test(i))).toBe(true);
  });
});
