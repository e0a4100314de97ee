import { afterEach, describe, expect, it, vi } from 'vitest';
import { config } from 'zod/mini';
import fr from 'zod/v4/locales/fr.js';

// Counts calls of the zod/mini builders this package uses, so the tests below can see when
// schemas get built.
const built = vi.hoisted(() => new Map<string, number>());
vi.mock('zod/mini', async (importOriginal) => {
  const zod = await importOriginal<typeof import('zod/mini')>();
  const count =
    <A extends unknown[], R>(name: string, builder: (...args: A) => R) =>
    (...args: A): R => {
      built.set(name, (built.get(name) ?? 0) + 1);
      return builder(...args);
    };
  return {
    ...zod,
    array: count('array', zod.array),
    object: count('object', zod.object),
    pipe: count('pipe', zod.pipe),
    string: count('string', zod.string),
  };
});

const total = (): number => [...built.values()].reduce((n, c) => n + c, 0);

afterEach(() => {
  config({ localeError: undefined });
});

describe('zod schemas', () => {
  it('are built on first use: loading the client builds none, a call only its own', async () => {
    const pebble = await import('../src/index.js');
    await import('../src/fake/index.js');
    new pebble.PebbleClient({ socketPath: '/nonexistent/pebble.socket' });
    expect(total()).toBe(0);

    pebble.parseLayer('services:\n  web:\n    command: sleep 1\n');
    const afterFirst = total();
    expect(built.get('object')).toBeGreaterThan(0);
    // Layer schemas have no transforms: no reply schema (all piped) was built with them.
    expect(built.get('pipe')).toBeUndefined();

    pebble.parseLayer('services:\n  db:\n    command: sleep 2\n');
    expect(total()).toBe(afterFirst);
  });

  it('report issues in English whatever locale the process configured for zod', async () => {
    const { parseLayer } = await import('../src/index.js');
    const { parseResult } = await import('../src/transport.js');
    const { stringSchema } = await import('../src/schemas.js');
    config(fr());
    expect(() => parseLayer({ services: { web: { command: 1 as unknown as string } } })).toThrow(
      'layer: services.web.command: Invalid input: expected string, received number',
    );
    expect(() => parseResult(stringSchema(), 5, 'POST /v1/exec (change)')).toThrow(
      'POST /v1/exec (change): unexpected result: (root): Invalid input: expected string, received number',
    );
  });
});
