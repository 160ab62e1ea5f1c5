// Where meter logs are: the files named on the command line or chosen in the console (folders are
// searched a few levels deep), and the removable volumes a USB stick shows up under.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { homedir, platform, userInfo } from 'node:os'
import { join } from 'node:path'

export const LOG_EXTENSIONS = /\.(csv|txt|log|p1|dsmr|tsv)$/i
const MAX_DEPTH = 4
const MAX_FILES = 5_000

/** Every log file at these paths: files as they are, folders searched to a depth of 4. */
export function logFilesIn(paths: readonly string[]): string[] {
  const found: string[] = []
  const walk = (dir: string, depth: number) => {
    let entries: string[]
    try {
      entries = readdirSync(dir).sort()
    } catch {
      return
    }
    for (const name of entries) {
      if (found.length >= MAX_FILES || name.startsWith('.')) continue
      const path = join(dir, name)
      let stat
      try {
        stat = statSync(path)
      } catch {
        continue
      }
      if (stat.isDirectory() && depth < MAX_DEPTH) walk(path, depth + 1)
      else if (stat.isFile() && LOG_EXTENSIONS.test(name)) found.push(path)
    }
  }
  for (const path of paths) {
    if (!existsSync(path)) throw new Error(`${path} does not exist`)
    if (statSync(path).isDirectory()) walk(path, 1)
    else found.push(path)
  }
  return found
}

/** Mounted removable volumes: /media/<user>/*, /run/media/<user>/* on Linux, /Volumes on macOS, drive letters on Windows. */
export function removableVolumes(): { name: string; path: string }[] {
  const candidates: string[] = []
  const children = (dir: string) => {
    try {
      return readdirSync(dir).map((n) => join(dir, n)).filter((p) => statSync(p).isDirectory())
    } catch {
      return []
    }
  }
  if (platform() === 'win32') {
    for (const letter of 'DEFGHIJKLMNOPQRSTUVWXYZ') if (existsSync(`${letter}:\\`)) candidates.push(`${letter}:\\`)
  } else if (platform() === 'darwin') {
    candidates.push(...children('/Volumes').filter((p) => p !== '/Volumes/Macintosh HD'))
  } else {
    const user = userInfo().username
    for (const root of ['/media', '/run/media']) {
      // /media/<user>/<volume> on most desktops, /media/<volume> where automounters put them flat
      for (const dir of children(root)) candidates.push(...(dir.endsWith(`/${user}`) ? children(dir) : [dir]))
    }
  }
  return candidates.filter((p) => p !== homedir()).map((path) => ({ name: path.split(/[\\/]/).filter(Boolean).at(-1) ?? path, path }))
}
