import { fileURLToPath } from 'node:url';
import { bundleReport } from '@opsjs/interface-test-kit';
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
    // core and model are checked by their own bundle tests; this one is about charmlibs.
    const report = await bundleReport(charmLike, pkgDir, ['@opsjs/core', '@opsjs/model']);
    expect(report.zodClassicRead).toEqual([]);
    expect(report.zodLocalesUsed).toEqual(['en.js']);
    expect(report.used.filter((f) => /dist\/(tool|scaffold|bin)\.js$/.test(f))).toEqual([]);
    expect(report.used).toContain('dist/endpoint.js');
    expect(report.text).toContain('InterfaceRequirer');
  });
});
