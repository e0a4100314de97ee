import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CI runs every package's tests in parallel on 2 cores: tests that spawn processes or
    // move real data need room; a hang still fails, just later.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: { include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
