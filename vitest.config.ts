import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Service and broker tests bind real ports and files: run files one at a time on CI's 2 cores.
    fileParallelism: false,
  },
});
