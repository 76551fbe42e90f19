import { defineConfig } from 'vitest/config';

/**
 * `npm run test:moto`: the integration suite (test/integration) and the moto-only tests (test/moto) against one
 * moto server, started by the global setup (python3 with moto 5.2.1, through test/support/moto/server.py).
 */
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts', 'test/moto/**/*.test.ts'],
    globalSetup: ['test/support/moto/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // Lists skipped tests with their note: the moto infidelity each one depends on (test/support/moto/infidelities.ts).
    reporters: ['verbose'],
  },
});
