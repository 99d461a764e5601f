import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'nodes/**/*.test.ts', 'runtime/**/*.test.ts', 'editor/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end tests start server processes; two cores are shared with them.
    maxWorkers: 2,
  },
});
