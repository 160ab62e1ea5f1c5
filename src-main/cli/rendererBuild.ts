import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
export const rendererDir = join(projectRoot, 'out', 'renderer')

/**
 * Serve mode ships the same built console as the desktop app. A fresh checkout has none yet,
 * so the first `dv2g serve` builds it once instead of failing.
 */
export function ensureRendererBuilt(note: (line: string) => void): string {
  if (existsSync(join(rendererDir, 'index.html'))) return rendererDir
  note('dv2g: the console is not built yet; building it once (electron-vite build)...')
  const cli = join(projectRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'] })
  if (result.status !== 0 || !existsSync(join(rendererDir, 'index.html'))) {
    throw new Error('building the console failed; run `npm run build` to see why')
  }
  return rendererDir
}
