import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'graders/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Graders start processes and databases; two cores are all this machine has.
    maxWorkers: 2,
  },
});
