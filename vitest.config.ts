import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Model loading and index builds take a few seconds on 2 cores; no test asserts on time.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    env: { LOG_LEVEL: 'silent' },
  },
});
