import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function bundle(source: string): Promise<{ inputs: string[]; size: number }> {
  const result = await build({
    stdin: { contents: source, resolveDir: packageDir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return {
    inputs: Object.keys(result.metafile.inputs),
    size: result.outputFiles.reduce((n, f) => n + f.contents.length, 0),
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

  it('the fake server entry point does bring ws', async () => {
    const { inputs } = await bundle("export { FakePebbleServer } from '@opsjs/pebble/fake';");
    expect(inputs.some((i) => /\/node_modules\/(\.pnpm\/)?ws[@/]/u.test(i))).toBe(true);
  });
});
