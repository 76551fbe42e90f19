import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Need Python (moto) and run through their own configs: npm run test:deploy, npm run test:moto.
    exclude: [...configDefaults.exclude, 'test/deploy/**', 'test/moto/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/support/temp-dir.global.ts'],
    setupFiles: ['test/support/fast-check.setup.ts'],
  },
});
