import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts the real S3 server (radosgw) once per run; see test/support/global-setup.ts for the switches.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // `npm test` runs with --coverage, so the thresholds hold for every whole-suite run (CI's included);
    // `npx vitest run <file>` and `npm run test:quick` measure nothing.
    coverage: {
      provider: 'v8',
      include: ['engine/**/*.ts', 'tools/**/*.ts', 'server/**/*.ts', 'transports/**/*.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
      thresholds: {
        lines: 85,
        'engine/**/*.ts': { lines: 90 },
      },
    },
  },
});
