// What a protocol's message handlers need from the central system, for one connection.
import { createRPCError } from 'ocpp-rpc'
import type { ChargerLink } from './chargerLink'
import type { Intake } from './intake'
import type { RegistrationStatus } from './liveState'

export interface HandlerContext {
  readonly link: ChargerLink
  readonly intake: Intake
  /** the answer to a BootNotification (Accepted when registered, else the operator's choice), recorded */
  boot(): { status: RegistrationStatus; intervalS: number }
  /** a session ended: its charging profile is cleared */
  sessionEnded(connectorId: number, transactionId: string): void
  now(): number
  log(line: string): void
}

/**
 * A handler gets the payload ocpp-rpc's strict mode has already checked against the action's
 * official schema; our payload types are a subset of those schemas, so a handler may read it as
 * its type. What a schema cannot say (a time that parses, a session that exists) handlers check.
 */
export type Handler = (params: unknown) => object

export type HandlerTable = Readonly<Record<string, Handler>>

/** A time the schema says is date-time, in ms; one that still does not parse is the charger's FormatViolation. */
export function instantMs(text: string, field: string): number {
  const ms = Date.parse(text)
  if (!Number.isFinite(ms)) throw createRPCError('FormatViolation', `${field}: "${text}" is not a time`)
  return ms
}
