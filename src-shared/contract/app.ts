// The app itself: version, data dir and database, for Settings and the status bar.
import { z } from 'zod'
import { method, noInput } from './common'

export const appInfoSchema = z.object({
  version: z.string(),
  dataDir: z.string(),
  databaseFile: z.string(),
  databaseBytes: z.number(),
  schemaVersion: z.number().int(),
  latestSchemaVersion: z.number().int(),
  journalMode: z.string(),
  tables: z.array(z.object({ name: z.string(), rows: z.number().int() })),
  transport: z.enum(['electron', 'serve']),
  nodeVersion: z.string(),
  startedAt: z.string()
})
export type AppInfo = z.infer<typeof appInfoSchema>

export const appMethods = {
  'app.info': method(noInput, appInfoSchema)
} as const
