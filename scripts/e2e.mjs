#!/usr/bin/env node
// npm run test:e2e: builds the console when its sources are newer than the build, then runs the
// end-to-end tests (vitest.e2e.config.ts) and exits with vitest's code. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const builtIndex = join(root, 'out', 'renderer', 'index.html')
const chromium = '/usr/bin/chromium'

/** Newest modification time under the given files and folders, in ms. */
function newestMtime(paths) {
  let newest = 0
  for (const path of paths) {
    if (!existsSync(path)) continue
    const stat = statSync(path)
    if (stat.isDirectory()) newest = Math.max(newest, newestMtime(readdirSync(path).map((name) => join(path, name))))
    else newest = Math.max(newest, stat.mtimeMs)
  }
  return newest
}

function needsBuild() {
  if (!existsSync(builtIndex)) return 'the console is not built yet'
  const sources = ['src-renderer', 'src-shared', 'electron.vite.config.ts', 'package-lock.json'].map((p) => join(root, p))
  return newestMtime(sources) > statSync(builtIndex).mtimeMs ? 'the console sources changed since the last build' : null
}

function run(args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' })
  if (result.error) {
    console.error(`e2e: ${what} could not start: ${result.error.message}`)
    return 1
  }
  return result.status ?? 1
}

if (!existsSync(chromium)) {
  console.error(`e2e: ${chromium} is missing; install Debian's Chromium with: apt-get install -y chromium`)
  process.exit(1)
}

const reason = needsBuild()
if (reason) {
  console.error(`e2e: ${reason}; building it (electron-vite build)...`)
  const code = run([join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], 'electron-vite build')
  if (code !== 0 || !existsSync(builtIndex)) {
    console.error('e2e: the build failed; see the messages above')
    process.exit(code || 1)
  }
}

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
process.exit(run([vitest, 'run', '--config', 'vitest.e2e.config.ts', ...process.argv.slice(2)], 'vitest'))
