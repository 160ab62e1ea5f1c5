import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

/**
 * Tests whose assertion is a ratio of figures measured while they run, and the benches, which
 * keep both cores busy on purpose: they run after everything else, one at a time.
 */
const MEASURED_ALONE = ['test/integration/roguePeer.test.ts', 'test/integration/bench*.test.ts']
/** the CLI bundled once for every test that starts dv2g processes (test/support/cliBundle.ts) */
const CLI_BUNDLE = ['test/support/cliBundle.ts']

export default defineConfig({
  test: {
    // two test files at a time, on two cores: most integration tests wait on processes, slots
    // and sockets rather than compute (one at a time, a run took 24 minutes)
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/unit/shared/**/*.test.ts', 'test/unit/main/**/*.test.ts', 'test/unit/scripts/**/*.test.ts']
        }
      },
      {
        extends: true,
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          exclude: MEASURED_ALONE,
          globalSetup: CLI_BUNDLE,
          // each test starts dv2g processes (tsx, scrypt, SQLite): on a busy machine one can take
          // seconds to start, so the bound is wider than for in-process tests
          testTimeout: 120_000
        }
      },
      {
        extends: true,
        test: {
          name: 'measured',
          environment: 'node',
          include: MEASURED_ALONE,
          globalSetup: CLI_BUNDLE,
          testTimeout: 120_000,
          // a ratio of two throughputs measured in one run is only fair when no other test file
          // starts a dozen node processes beside it: these run after everything else, one at a time
          fileParallelism: false,
          sequence: { groupOrder: 1 }
        }
      },
      {
        extends: true,
        plugins: [vue()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['test/unit/renderer/**/*.test.ts']
        }
      }
    ]
  }
})
