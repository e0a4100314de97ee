import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

describe('start-up cost', () => {
  it('imports zod by name, never its `z` namespace (which drags every locale into a bundle)', () => {
    const offenders = fs
      .readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) =>
        /import\s+(\{\s*z\s*\}|\*\s+as\s+z)\s+from\s+'zod'/.test(
          fs.readFileSync(path.join(src, f), 'utf8'),
        ),
      );
    expect(offenders).toEqual([]);
  });
});

describe('zod flavour', () => {
  it('loads zod/mini at run time, never classic zod (types may come from zod/v4/core)', () => {
    const offenders = fs
      .readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [
          ...fs
            .readFileSync(path.join(src, f), 'utf8')
            .matchAll(/^import\s+([^;]*?)\s+from\s+'(zod[^']*)'/gms),
        ]
          .filter(
            ([, what = '', from]) =>
              !what.startsWith('type ') && from !== 'zod/mini' && from !== 'zod/v4/locales/en.js',
          )
          .map(([, , from]) => `${f}: ${from}`),
      );
    expect(offenders).toEqual([]);
  });
});
