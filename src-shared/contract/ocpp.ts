// OCPP: the chargers of the central system, the profiles sent to them, and its settings.
import { z } from 'zod'
import { nameSchema } from '../names'
import { count, method, noInput, num, prosumerSchema } from './common'

/** The answer to the last charging profile sent to a connector: what was asked, what the charger was told, and what it said. */
export const ocppProfileSchema = z.object({
  /** negative: discharge, W */
  setpointW: num,
  /** what the slot's allocation asked for; differs from setpointW when discharge was clamped at 0 */
  requestedW: num,
  /** a 1.6 or 2.0.1 charger not set to read a negative limit as discharge gets 0 instead */
  clamped: z.boolean(),
  status: z.enum(['Accepted', 'Rejected', 'NotSupported', 'Failed']),
  /** the charger's reason (statusInfo), or why the call failed; null when accepted */
  reason: z.string().nullable(),
  sentMs: num,
  /** what GetCompositeSchedule says the charger will do at the slot's start (W); null when it did not say */
  confirmedW: num.nullable()
})
export type OcppProfile = z.infer<typeof ocppProfileSchema>

export const ocppConnectorSchema = z.object({
  id: count,
  /** the charger's last StatusNotification (Available, Charging, Occupied, Faulted, ...), null before one */
  status: z.string().nullable(),
  /** the transaction id of the session under way, null between sessions */
  session: z.string().nullable(),
  powerW: num.nullable(),
  socPercent: num.nullable(),
  energyImportWh: num.nullable(),
  energyExportWh: num.nullable(),
  lastProfile: ocppProfileSchema.nullable()
})

/** A registered charger and what it reports, as dv2g ocpp chargers --json gives it (with the settings beside). */
export const ocppChargerSchema = z.object({
  id: z.string(),
  /** false: a charger the operator has not added, connected and waiting (Pending) */
  registered: z.boolean(),
  /** the OCPP version it connected with last, null if it never did */
  protocol: z.enum(['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1']).nullable(),
  connected: z.boolean(),
  /** 1.6 and 2.0.1: the charger reads a negative limit as discharge (2.1 has setpoints for that) */
  dischargeByNegativeLimit: z.boolean(),
  /** the market participant its sessions stand for */
  prosumer: z.string().nullable(),
  lastSeenMs: num.nullable(),
  connectors: z.array(ocppConnectorSchema)
})
export type OcppCharger = z.infer<typeof ocppChargerSchema>

const chargerIdPattern = /^[A-Za-z0-9._-]{1,48}$/
const chargerIdMessage = { message: 'must be 1–48 letters, digits, dots, dashes or underscores' }
const chargerIdSchema = z.string().trim().regex(chargerIdPattern, chargerIdMessage)
/** A charger's id when it is added: the names rule too (one an earlier release let through can still be changed or removed). */
const newChargerIdSchema = nameSchema().regex(chargerIdPattern, chargerIdMessage)

const hostPortSchema = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'must be HOST:PORT, e.g. 127.0.0.1:9220' })

/** Settings, OCPP: where the central system listens, and what happens to a charger it does not know. */
export const ocppSettingsSchema = z.object({
  /** HOST:PORT the central system is to listen on when this console runs it; null: off */
  listen: z.string().nullable(),
  /** false when dv2g serve's or dv2g node's --ocpp-listen decided it */
  editable: z.boolean(),
  /** ws://127.0.0.1:9220/ocpp/ or wss://…/ocpp/ (a charger's id follows); null when no central system runs */
  endpoint: z.string().nullable(),
  /** why it does not run as the settings ask (a port in use, no TLS certificate off loopback), or null */
  error: z.string().nullable(),
  /** 1: Basic auth on loopback; 2: TLS and Basic auth */
  securityProfile: z.union([z.literal(1), z.literal(2)]).nullable(),
  unknownChargers: z.enum(['Pending', 'Rejected'])
})
export type OcppSettings = z.infer<typeof ocppSettingsSchema>

export const ocppMethods = {
  'ocpp.chargers': method(noInput, z.array(ocppChargerSchema)),
  /** registers a charger; the password (OCPP's 16–40 characters; one is made when none is given) is stored hashed and shown only in the answer */
  'ocpp.add': method(
    z
      .object({
        id: newChargerIdSchema,
        password: z
          .string()
          .regex(/^[\x21-\x7e]{16,40}$/, { message: 'must be 16–40 printable characters without spaces' })
          .optional(),
        dischargeByNegativeLimit: z.boolean(),
        prosumer: prosumerSchema
      })
      .strict(),
    z.object({ charger: ocppChargerSchema, password: z.string() })
  ),
  'ocpp.update': method(
    z.object({ id: chargerIdSchema, dischargeByNegativeLimit: z.boolean().optional(), prosumer: prosumerSchema.optional() }).strict(),
    ocppChargerSchema
  ),
  'ocpp.remove': method(z.object({ id: chargerIdSchema }).strict(), z.object({ removed: z.literal(true) })),
  'ocpp.settings': method(noInput, ocppSettingsSchema),
  'ocpp.configure': method(
    z
      .object({
        listen: hostPortSchema.nullable().optional(),
        unknownChargers: z.enum(['Pending', 'Rejected'], { error: 'must be Pending or Rejected' }).optional()
      })
      .strict(),
    ocppSettingsSchema
  )
} as const

export const ocppEvents = {
  /** a charger connected, reported or was sent a profile: every charger as it stands, at most every 250 ms */
  'ocpp.chargersChanged': z.object({ chargers: z.array(ocppChargerSchema) })
} as const
