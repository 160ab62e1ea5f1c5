import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

/** tests whose assertion is a ratio of figures measured while they run */
const MEASURED_ALONE = ['test/integration/roguePeer.test.ts']

export default defineConfig({
  test: {
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
