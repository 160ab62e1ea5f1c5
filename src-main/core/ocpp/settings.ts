// Whether the desktop app and dv2g serve run the OCPP central system, and where (Settings, OCPP):
// kept in ocpp.json in the data dir, written whole (a temp file, then a rename). TLS is given as
// the paths of a PEM certificate and key, read when the central system starts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../files/atomicFile'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export const OCPP_SETTINGS_FILE = 'ocpp.json'

const settingsSchema = z
  .object({
    /** HOST:PORT; null: no central system */
    listen: z.string().nullable(),
    tls: z
      .object({ certFile: z.string().min(1), keyFile: z.string().min(1) })
      .strict()
      .nullable()
  })
  .strict()
export type OcppFileSettings = z.infer<typeof settingsSchema>
export const DEFAULT_OCPP_SETTINGS: OcppFileSettings = { listen: null, tls: null }

export class OcppSettingsError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
  }
}

/** HOST:PORT as the operator writes it (an IPv6 host in brackets). */
export function parseHostPort(value: string, what: string): { host: string; port: number } {
  const match = /^(\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value.trim())
  const port = Number(match?.[4])
  if (!match || port > 65_535) throw new OcppSettingsError(`${what} must be HOST:PORT (e.g. 127.0.0.1:9220), not ${JSON.stringify(value)}`)
  return { host: match[2] ?? match[3]!, port }
}

/** The certificate and key a TLS listener needs, read from their files. */
export function readTls(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file)
    } catch (error) {
      throw new OcppSettingsError(`the TLS ${what} ${file} cannot be read: ${(error as Error).message}`)
    }
  }
  return { cert: read(tls.certFile, 'certificate'), key: read(tls.keyFile, 'key') }
}

export function readOcppSettings(dataDir: string): OcppFileSettings {
  const file = join(dataDir, OCPP_SETTINGS_FILE)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_OCPP_SETTINGS
    throw error
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new OcppSettingsError(
      `${file} is not JSON (${(error as Error).message}); the central system stays off until it is saved again from Settings`
    )
  }
  const parsed = settingsSchema.safeParse(json)
  if (!parsed.success)
    throw new OcppSettingsError(
      `${file}: ${parsed.error.issues[0]!.path.join('.') || 'settings'} ${parsed.error.issues[0]!.message}; the central system stays off until it is saved again from Settings`
    )
  if (parsed.data.listen !== null) parseHostPort(parsed.data.listen, `${file}: listen`)
  return parsed.data
}

export function writeOcppSettings(dataDir: string, settings: OcppFileSettings): void {
  if (settings.listen !== null) parseHostPort(settings.listen, 'listen')
  const file = join(dataDir, OCPP_SETTINGS_FILE)
  writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`)
}
