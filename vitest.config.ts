import { defineConfig } from 'vitest/config';

// One suite, several databases: the files under test/db, test/tools and test/e2e run once per
// database project (TEST_DB=pglite | postgres). Pure unit tests run once.
const dbFiles = ['test/db/**/*.test.ts', 'test/tools/**/*.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], globalSetup: ['test/helpers/global-setup.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: dbFiles,
          env: { TEST_DB: 'pglite' },
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: dbFiles,
          env: { TEST_DB: 'postgres' },
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
