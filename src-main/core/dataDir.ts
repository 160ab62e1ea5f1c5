import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const APP_FOLDER_NAME = 'DV2G Operator'

/**
 * The platform's user-data folder of the app: the same place Electron's app.getPath('userData')
 * gives, so the desktop app, serve mode and the CLI share one data dir by default.
 * DV2G_DATA_DIR overrides it (tests, several operators on one machine).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.DV2G_DATA_DIR) return env.DV2G_DATA_DIR
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER_NAME)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER_NAME)
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_FOLDER_NAME)
}

/** what the user alone may do: anything else in a data dir's modes is taken away */
const OTHERS = 0o077

/**
 * Creates the data dir readable by its user only (0700), or tightens one that others could read
 * (as earlier releases left it: 0755, its database 0644): the database holds the chargers'
 * password hashes and the meter data. Says in one line when it tightened anything.
 * The entries directly in it are tightened; a folder closed to others closes all below it.
 */
export function preparePrivateDataDir(
  dir: string,
  note: (line: string) => void = (line) => console.error(line),
  platform = process.platform
): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  // Windows keeps access in ACLs, not in these bits: the user's profile folder is already private
  if (platform === 'win32') return
  const uid = process.getuid?.()
  const dirMode = statSync(dir).mode & 0o777
  if (dirMode & OTHERS) chmodSync(dir, dirMode & ~OTHERS)
  let tightened = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    let entry
    try {
      // a link is never followed: what it points to is not the data dir's
      entry = lstatSync(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw error
    }
    if (entry.isSymbolicLink() || !(entry.mode & OTHERS)) continue
    // only the owner may chmod; a file another account put here is left for the operator
    if (uid !== undefined && uid !== 0 && entry.uid !== uid) continue
    try {
      chmodSync(path, entry.mode & 0o777 & ~OTHERS)
      tightened++
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  if (dirMode & OTHERS || tightened > 0) {
    const was = `0${dirMode.toString(8).padStart(3, '0')}`
    note(
      `dv2g: tightened ${dir} (was ${was}) to 0700; ${tightened} ${tightened === 1 ? 'entry' : 'entries'} in it to its user only (0600 files, 0700 folders)`
    )
  }
}
