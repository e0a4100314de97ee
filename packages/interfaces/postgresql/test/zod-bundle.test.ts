import { fileURLToPath } from 'node:url';
import { bundleReport } from '@opsjs/interface-test-kit';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

/** A charm-like entry that uses the requirer, as an application charm's bundle does. */
const charmLike = `
import { PostgresqlRequirer } from '@opsjs/interface-postgresql';
export class App { database = new PostgresqlRequirer(this, 'database'); }
`;

describe('a charm bundle with @opsjs/interface-postgresql', () => {
  it('contains zod/mini and no file of zod classic', async () => {
    // core and model are checked by their own bundle tests; this one is about the interface.
    const report = await bundleReport(charmLike, pkgDir, ['@opsjs/core', '@opsjs/model']);
    expect(report.zodClassicRead).toEqual([]);
    expect(report.zodLocalesUsed).toEqual(['en.js']);
    expect(report.zodMiniUsed).toBe(true);
    expect(report.used).toContain('dist/schema.js');
    expect(report.text).toContain('requested-secrets');
  });
});
