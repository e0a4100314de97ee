import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests spawn processes, bundle with esbuild and pack a 120 MB runtime: CI runs every
    // package's tests in parallel on 2 cores.
    testTimeout: 30_000,
    typecheck: { include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
