import { open, type App, type OpenOptions } from '../core/app'

/** Opens the data dir for one command and closes it however the command ends. */
export async function withApp<T>(dataDir: string, work: (app: App) => T | Promise<T>, options?: OpenOptions): Promise<T> {
  const app = open(dataDir, options)
  try {
    return await work(app)
  } finally {
    app.close()
  }
}
