import { fileURLToPath } from 'node:url';
import { checkPackage } from '@opsjs/charmlibs';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));

describe('charmlibs check', () => {
  it('finds no breaking change against schemas/released.json', async () => {
    const result = await checkPackage(dir);
    expect(result.report).toEqual([
      expect.stringMatching(/^@opsjs\/interface-ingress: no breaking schema change since /),
    ]);
    expect(result.ok).toBe(true);
  });
});
