import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

/**
 * Three projects: unit (pure code and extension logic over WXT's fakeBrowser),
 * integration (real database, real SMTP, real HTTP on loopback) and e2e (the
 * built extension in Debian's Chromium against a real server).
 */
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'unit',
          include: ['test/shared/**/*.test.ts', 'test/extension/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['test/helpers/unit-setup.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/server/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/global-database.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // The test build of the extension (with the worker's test handle), made when it is out of date.
          globalSetup: ['test/helpers/global-database.ts', 'test/helpers/e2e-extension.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
