// End-to-end tests: Debian's Chromium against `dv2g serve`, one file at a time in one fork, since
// each file starts its own server and browser and the machine is small.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/support/cliBundle.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000
  }
})
