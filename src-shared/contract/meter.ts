// Smart meters: serial ports, meters and their readings, and imports of meter logs.
import { z } from 'zod'
import { count, MAX_IMPORT_PATHS, MAX_PATH_CHARS, method, noInput, num, prosumerSchema } from './common'

export const serialSettingsSchema = z.object({
  baudRate: count,
  dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]),
  parity: z.enum(['none', 'even', 'odd']),
  stopBits: z.union([z.literal(1), z.literal(2)])
})

export const meterPortSchema = z.object({
  path: z.string(),
  protocol: z.literal('dsmr'),
  settings: serialSettingsSchema,
  prosumer: z.string().nullable(),
  status: z.enum(['connecting', 'connected', 'disconnected', 'stopped']),
  detail: z.string().nullable(),
  telegrams: count,
  rejected: count,
  lastTelegramAt: num.nullable()
})
export type MeterPort = z.infer<typeof meterPortSchema>

export const meterSchema = z.object({
  id: z.string(),
  port: z.string().nullable(),
  prosumer: z.string().nullable(),
  readings: count,
  firstSeenMs: num,
  lastSeenMs: num,
  last: z.object({ tsMs: num, importWh: num, exportWh: num, powerW: num.nullable() }).nullable()
})
export type Meter = z.infer<typeof meterSchema>

export const fileImportSchema = z.object({
  path: z.string(),
  kind: z.enum(['csv', 'dsmr']),
  inserted: count,
  duplicates: count,
  resets: count,
  gaps: count,
  rejected: z.array(z.object({ line: count, reason: z.string() })),
  rejectedCount: count
})
export type FileImportResult = z.infer<typeof fileImportSchema>

const pathSchema = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(MAX_PATH_CHARS)
  .regex(/^[^\p{Cc}\p{Cs}]*$/u, { message: 'must not hold control characters' })

export const meterMethods = {
  'meter.availablePorts': method(noInput, z.array(z.object({ path: z.string(), manufacturer: z.string().nullable() }))),
  'meter.ports': method(noInput, z.array(meterPortSchema)),
  /** DSMR 5 meters: 115200 8N1; DSMR 2.2–4: 9600 7E1 */
  'meter.addPort': method(
    z
      .object({ path: pathSchema, protocol: z.enum(['dsmr5', 'dsmr4'], { error: 'must be dsmr5 or dsmr4' }), prosumer: prosumerSchema })
      .strict(),
    meterPortSchema
  ),
  'meter.removePort': method(z.object({ path: pathSchema }).strict(), z.object({ removed: z.literal(true) })),
  'meter.list': method(noInput, z.array(meterSchema)),
  'meter.assign': method(z.object({ meterId: z.string().min(1), prosumer: prosumerSchema }).strict(), z.array(meterSchema)),
  'meter.readings': method(
    z
      .object({
        meterId: z.string().min(1),
        fromMs: z.number().optional(),
        toMs: z.number().optional(),
        limit: z.number().int().min(1).max(10_000).optional()
      })
      .strict(),
    z.array(z.object({ tsMs: num, importWh: num, exportWh: num, powerW: num.nullable(), flags: count }))
  ),
  /** removable volumes (USB sticks) and the meter logs on them */
  'meter.volumes': method(noInput, z.array(z.object({ name: z.string(), path: z.string(), files: z.array(z.string()) }))),
  'meter.import': method(
    z
      .object({
        paths: z.array(pathSchema).min(1, { message: 'choose at least one file or folder' }).max(MAX_IMPORT_PATHS),
        timeZone: z.string().min(1).max(64).optional()
      })
      .strict(),
    /** skipped: what could not be read (a folder, a link out of the chosen folder, a FIFO…) and why */
    z.object({ files: z.array(fileImportSchema), skipped: z.array(z.object({ path: z.string(), reason: z.string() })) })
  )
} as const

export const meterEvents = {
  'meter.reading': z.object({ meterId: z.string(), port: z.string(), tsMs: num, importWh: num, exportWh: num, powerW: num.nullable() }),
  'meter.portsChanged': z.object({ ports: z.array(meterPortSchema) }),
  'meter.metersChanged': z.object({ meters: z.array(meterSchema) }),
  'meter.importProgress': z.object({
    path: z.string(),
    file: count,
    files: count,
    bytesRead: num,
    bytesTotal: num,
    phase: z.enum(['reading', 'writing', 'done'])
  })
} as const
