import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Several tests spawn processes (fake hook tools, node, a fake Pebble): leave room for a
    // loaded 2-core CI machine running every package's tests at once.
    testTimeout: 30_000,
    typecheck: { include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
