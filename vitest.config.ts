import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

/**
 * Long or large runs (test/perf: the benches, a 50,000-transaction chain) and the attack on a
 * dozen node processes, whose bounds hold only when no other test file competes for both cores:
 * they run after everything else, one at a time.
 */
const ALONE_AFTER_THE_REST = ['test/perf/**/*.test.ts', 'test/integration/roguePeer.test.ts']
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
          exclude: ALONE_AFTER_THE_REST,
          globalSetup: CLI_BUNDLE,
          // each test starts dv2g processes (tsx, scrypt, SQLite): on a busy machine one can take
          // seconds to start, so the bound is wider than for in-process tests
          testTimeout: 120_000
        }
      },
      {
        extends: true,
        test: {
          name: 'perf',
          environment: 'node',
          include: ALONE_AFTER_THE_REST,
          globalSetup: CLI_BUNDLE,
          testTimeout: 120_000,
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
