import { defineConfig } from 'vitest/config';

// Two projects: unit tests sit beside their files and need nothing running; integration tests
// start real etcd, Kafka and Prometheus once per run (test/integration/global-setup.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{bin,core,protocol,model,discovery,cluster,template,scraper,coordinator,storage-writer,alerting,notifier,query,deploy,bench,test/architecture}/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          // The unit project runs beside the integration project's global setup (a JVM, etcd and
          // Prometheus starting on 2 cores): a first use of ICU's time-zone data took over 5 s there.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
          globalSetup: ['test/integration/global-setup.ts'],
        },
      },
    ],
  },
});
