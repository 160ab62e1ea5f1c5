// Where meter logs are: the files named on the command line or chosen in the console (folders are
// searched a few levels deep), and the removable volumes a USB stick shows up under. Only regular
// files are taken; a symbolic link is taken only when it leads to a regular file inside the folder
// that was chosen (a stick cannot point the import at /etc or /dev); whatever a folder holds that
// cannot be read is listed with the reason, so nothing is left out silently.
import { existsSync, lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs'
import { homedir, platform, userInfo } from 'node:os'
import { isAbsolute, join, relative } from 'node:path'
import { fsReason, kindOfEntry } from './fileKinds'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export const LOG_EXTENSIONS = /\.(csv|txt|log|p1|dsmr|tsv)$/i
const MAX_DEPTH = 4
const MAX_FILES = 5_000

export interface SkippedPath {
  path: string
  reason: string
}

export interface LogFiles {
  /** paths to open, in order; a link's file under its real path */
  files: string[]
  skipped: SkippedPath[]
}

export interface LogFileOptions {
  /** how a folder is listed: readdirSync, or a stand-in for a folder that fails as root's never would */
  readDir?: (dir: string) => string[]
}

/** A path the caller named that cannot be imported at all. */
export class LogPathError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
  }
}

const isInside = (root: string, path: string) => {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** Every log file at these paths: files as they are, folders searched to a depth of 4. */
export function logFilesIn(paths: readonly string[], options: LogFileOptions = {}): LogFiles {
  const readDir = options.readDir ?? ((dir: string) => readdirSync(dir))
  const files: string[] = []
  const seen = new Set<string>() // real paths: a file and a link to it are read once
  const skipped: SkippedPath[] = []
  let full = false
  const take = (path: string, real: string) => {
    if (seen.has(real)) return
    if (files.length >= MAX_FILES) {
      if (!full) skipped.push({ path, reason: `more than ${MAX_FILES} log files: this one and those after it were not read` })
      full = true
      return
    }
    seen.add(real)
    files.push(path)
  }

  /** `walkedFrom` is the chosen folder as named, `root` its real path: a path below it without links is real once rebased. */
  const walk = (root: string, walkedFrom: string, dir: string, depth: number) => {
    let names: string[]
    try {
      names = readDir(dir).sort()
    } catch (error) {
      skipped.push({ path: dir, reason: `the folder cannot be read: ${fsReason(error)}` })
      return
    }
    for (const name of names) {
      if (full || name.startsWith('.')) continue
      const path = join(dir, name)
      const looksLikeLog = LOG_EXTENSIONS.test(name)
      let stat: Stats
      try {
        stat = lstatSync(path)
      } catch (error) {
        skipped.push({ path, reason: fsReason(error) }) // gone between the listing and now
        continue
      }
      if (stat.isSymbolicLink()) followLink(root, path, looksLikeLog)
      else if (stat.isDirectory()) {
        if (depth < MAX_DEPTH) walk(root, walkedFrom, path, depth + 1)
      } else if (!looksLikeLog) continue
      else if (stat.isFile()) take(path, join(root, relative(walkedFrom, path)))
      else skipped.push({ path, reason: `it is ${kindOfEntry(stat)}, not a regular file` })
    }
  }

  /** A link inside a chosen folder: its file is read when it is a regular log file inside that folder. */
  const followLink = (root: string, path: string, looksLikeLog: boolean) => {
    let real: string
    let target: Stats
    try {
      real = realpathSync(path)
      target = statSync(real)
    } catch (error) {
      // listed whatever its name: it may have been the folder holding the logs
      skipped.push({ path, reason: `the link leads nowhere: ${fsReason(error)}` })
      return
    }
    if (!isInside(root, real)) skipped.push({ path, reason: `the link leads out of the chosen folder (to ${real}), so it is not followed` })
    // a folder inside is searched where it lies; following links to it could go round in circles
    else if (!looksLikeLog || target.isDirectory()) return
    else if (target.isFile()) take(real, real)
    else skipped.push({ path, reason: `the link leads to ${kindOfEntry(target)}, not a regular file` })
  }

  for (const path of paths) {
    let stat: Stats
    try {
      stat = statSync(path) // the path itself was chosen: a link there is the operator's own
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new LogPathError(`${path} does not exist`)
      throw new LogPathError(`${path} cannot be read: ${fsReason(error)}`)
    }
    if (stat.isDirectory()) {
      walk(realpathSync(path), path, path, 1)
    } else if (stat.isFile()) {
      const real = realpathSync(path)
      take(lstatSync(path).isSymbolicLink() ? real : path, real)
    } else
      throw new LogPathError(
        `${path} is ${kindOfEntry(stat)}, not a file or folder: only meter log files and the folders holding them are imported`
      )
  }
  return { files, skipped }
}

/** Mounted removable volumes: /media/<user>/*, /run/media/<user>/* on Linux, /Volumes on macOS, drive letters on Windows. */
export function removableVolumes(): { name: string; path: string }[] {
  const candidates: string[] = []
  const children = (dir: string) => {
    try {
      return readdirSync(dir)
        .map((n) => join(dir, n))
        .filter((p) => statSync(p).isDirectory())
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
