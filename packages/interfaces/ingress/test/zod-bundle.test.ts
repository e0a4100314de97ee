import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

/** A charm-like entry that uses the requirer, as a web charm's bundle does. */
const charmLike = `
import { IngressRequirer } from '@opsjs/interface-ingress';
export class Web { ingress = new IngressRequirer(this, 'ingress'); }
`;

describe('a charm bundle with @opsjs/interface-ingress', () => {
  it('contains zod/mini and no file of zod classic', async () => {
    const result = await build({
      stdin: { contents: charmLike, resolveDir: pkgDir, loader: 'ts' },
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      logLevel: 'silent',
      // Checked by their own bundle tests; this one is about the interface and charmlibs.
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
    expect(used.some((f) => f.includes('zod/v4/mini/'))).toBe(true);
    expect(used).toContain('dist/schema.js');
    expect(result.outputFiles[0]?.text).toContain('https?');
  });
});
