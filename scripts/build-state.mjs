// Whether out/ is older than the sources it is built from, and the build itself.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
const builtIndex = join(root, 'out', 'renderer', 'index.html')
const builtMain = join(root, 'out', 'main', 'index.js')

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

/** Why a build is needed, or null when out/ is current. */
export function staleBuildReason() {
  if (!existsSync(builtIndex) || !existsSync(builtMain)) return 'the app is not built yet'
  const sources = ['src-renderer', 'src-shared', 'src-main', 'electron.vite.config.ts', 'package-lock.json'].map((p) => join(root, p))
  const builtAt = Math.min(statSync(builtIndex).mtimeMs, statSync(builtMain).mtimeMs)
  return newestMtime(sources) > builtAt ? 'the sources changed since the last build' : null
}

/** Runs electron-vite build with its output shown; returns its exit code. */
export function build() {
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: 'inherit' })
  return result.status ?? 1
}
