#!/usr/bin/env node
// npm run test:e2e: builds the app when its sources are newer than the build, then runs the
// end-to-end tests (vitest.e2e.config.ts) and exits with vitest's code. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { build, root, staleBuildReason } from './build-state.mjs'

const chromium = '/usr/bin/chromium'
if (!existsSync(chromium)) {
  console.error(`e2e: ${chromium} is missing; install Debian's Chromium with: apt-get install -y chromium`)
  process.exit(1)
}

const reason = staleBuildReason()
if (reason) {
  console.error(`e2e: ${reason}; building it (electron-vite build)...`)
  const code = build()
  if (code !== 0) {
    console.error('e2e: the build failed; see the messages above')
    process.exit(code || 1)
  }
}

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const result = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.e2e.config.ts', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit'
})
process.exit(result.status ?? 1)
