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
