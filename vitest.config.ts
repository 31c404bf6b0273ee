import { configDefaults, defineConfig } from 'vitest/config';

// Two projects. `unit` (files named *.unit.test.ts) needs no server and runs
// in seconds anywhere: `npm run test:unit`, or `npx vitest run FILE` for one of
// them. `integration` (every other *.test.ts) talks to real servers, which its
// global setup finds or starts once per run. `npm test` runs both.

// Only for machines where FerretDB cannot be installed; the global setup then
// says loudly that the MongoDB tests were left out.
const skipMongo = process.env.STOWAGE_SKIP_MONGO_TESTS === '1';
const UNIT = 'test/**/*.unit.test.ts';

export default defineConfig({
  test: {
    // Real servers: a cold connection, a restore of a few thousand rows, or a
    // server under load from the other worker all take far longer than unit
    // tests do.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    // Separate processes keep native addons (zstd-napi) and driver pools
    // isolated; two workers match the 2-core CI machines, with the database
    // servers needing CPU too.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: [UNIT] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [
            ...configDefaults.exclude,
            UNIT,
            ...(skipMongo ? ['test/**/*mongo*/**', 'test/**/*mongo*.test.ts'] : []),
          ],
          // Starts (or finds) PostgreSQL, a MongoDB-protocol server and MinIO once per run.
          globalSetup: ['./test/global-setup.ts', './test/support/s3-server.ts'],
        },
      },
    ],
  },
});
