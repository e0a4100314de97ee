// No zod classic import in this file: zod/mini alone loads no locale, so the English texts
// below come from the error map the package passes with each parse.
import { afterEach, describe, expect, it } from 'vitest';
import { config, int, string } from 'zod/mini';
import { BagCodec } from '../src/bag-codec.js';
import { jsonField } from '../src/json-field.js';

const codec = new BagCodec('test app', { port: jsonField(int()), name: string() });
const saved = { ...config() };
afterEach(() => {
  config({ customError: saved.customError, localeError: saved.localeError });
});

describe('issue messages with zod/mini', () => {
  it('are zod’s English texts although no locale is loaded, and no locale is set globally', () => {
    config({ customError: undefined, localeError: undefined });
    expect(codec.parse({ port: '"80"' })).toEqual({
      ok: false,
      issues: [
        {
          bag: 'bag',
          path: 'port',
          code: 'invalid_type',
          message: 'Invalid input: expected number, received string',
        },
        {
          bag: 'bag',
          path: 'name',
          code: 'invalid_type',
          message: 'Invalid input: expected string, received undefined',
        },
      ],
    });
    expect(() => codec.encode({ port: 1.5, name: 'n' })).toThrow(
      'invalid data for the test app databag: port: Invalid input: expected int, received number',
    );
    expect(config().localeError).toBeUndefined();
  });

  it('follow a locale or error map the charm configured', () => {
    config({ localeError: (issue) => `locale: ${issue.code}` });
    expect(codec.parse({ port: '1' })).toMatchObject({
      issues: [{ path: 'name', message: 'locale: invalid_type' }],
    });
    config({ customError: (issue) => (issue.path?.[0] === 'name' ? 'custom' : undefined) });
    expect(codec.parse({ port: '1.5' })).toMatchObject({
      issues: [
        { path: 'port', message: 'locale: invalid_type' },
        { path: 'name', message: 'custom' },
      ],
    });
  });
});
