import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    // Process-level tests pack the charm and spawn it; CI runs every package at once on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
