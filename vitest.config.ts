import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts the real S3 server (radosgw) once per run; see test/support/global-setup.ts for the switches.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['engine/**/*.ts', 'tools/**/*.ts', 'server/**/*.ts', 'transports/**/*.ts'],
    },
  },
});
