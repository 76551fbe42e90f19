import { defineConfig } from 'vitest/config';

/**
 * `npm run test:deploy`: each file starts its own moto server (python3 with moto 5.2.1, through
 * test/support/moto/server.py), bootstraps it and deploys the CDK app with the cdk CLI. One file at a
 * time: a synth bundles every function with esbuild, and the machines running this are shared.
 */
export default defineConfig({
  test: {
    include: ['test/deploy/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
