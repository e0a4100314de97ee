import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    // CI runs every package's tests in parallel on 2 cores: processes and bundling are slow.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
