import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

/** An interface library as a charm bundles it: defined with zod/mini, used by a charm. */
const charmLike = `
import { defineInterface, jsonField } from '@opsjs/charmlibs';
import { int, string } from 'zod/mini';
const demo = defineInterface({
  name: 'demo',
  version: 1,
  provider: { app: { url: string() } },
  requirer: { app: { port: jsonField(int()) } },
});
export class Charm { demo = new demo.Requirer(this, 'demo'); }
`;

describe('a charm bundle with @opsjs/charmlibs', () => {
  it('contains zod/mini, no file of zod classic and none of the charmlibs tool', async () => {
    const result = await build({
      stdin: { contents: charmLike, resolveDir: pkgDir, loader: 'ts' },
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      logLevel: 'silent',
      // Checked by their own bundle tests; this one is about charmlibs.
      external: ['@opsjs/core', '@opsjs/model'],
    });
    // Every module esbuild read, including those tree-shaking then dropped...
    const read = Object.keys(result.metafile.inputs);
    expect(read.filter((f) => f.includes('zod/v4/classic/'))).toEqual([]);
    // ...and those in the output (relative paths, symlinks resolved).
    const used = Object.keys(Object.values(result.metafile.outputs)[0]?.inputs ?? {});
    // zod/mini re-exports every locale; only the English one may reach the output.
    const locales = used.filter((f) => f.includes('zod/v4/locales/'));
    expect(locales.map((f) => f.replace(/.*\//, ''))).toEqual(['en.js']);
    expect(used.filter((f) => /dist\/(tool|scaffold|bin)\.js$/.test(f))).toEqual([]);
    expect(used).toContain('dist/endpoint.js');
    expect(result.outputFiles[0]?.text).toContain('InterfaceRequirer');
  });
});
