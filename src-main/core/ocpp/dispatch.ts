// Setpoints out: a slot's allocation for one session becomes a TxProfile on the charger, its answer
// (with the charger's reason) becomes the connector's lastProfile, and GetCompositeSchedule
// confirms what the charger will actually do. When the session ends, the profile is cleared.
import { z } from 'zod'
import type { ChargerLink } from './chargerLink'
import type { ChargerRegistry } from './chargerRegistry'
import {
  CLAMPED_REASON,
  clearChargingProfile,
  compositeScheduleRequest,
  profileAnswer,
  scheduledPowerW,
  setChargingProfile
} from './chargingProfiles'
import { describeCallError, firstIssue, issueField, OcppError } from './errors'
import type { LiveState, ProfileOutcome, ProfileStatus } from './liveState'
import type * as V16 from './messages16'
import type * as V2 from './messages2'
import type { SessionStore } from './sessionStore'

const setpointSchema = z
  .object({
    chargerId: z.string().min(1),
    connectorId: z.int().min(1),
    setpointW: z.number().refine(Number.isFinite, 'must be a finite number of watts'),
    slotStartMs: z.int(),
    slotEndMs: z.int()
  })
  .refine((s) => s.slotEndMs > s.slotStartMs, { message: 'must be after slotStartMs', path: ['slotEndMs'] })

export interface DispatcherDeps {
  link(chargerId: string): ChargerLink | null
  registry: ChargerRegistry
  live: LiveState
  sessions: SessionStore
  now: () => number
  log: (line: string) => void
}

export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /**
   * Sends a slot's setpoint to the session on a connector (W; negative discharges) and records the
   * charger's answer as the connector's lastProfile. Refuses (OcppError) when there is nobody to
   * send it to; a charger that refuses or fails to answer is an outcome, not an error.
   */
  async sendSetpoint(
    chargerId: string,
    connectorId: number,
    setpointW: number,
    slotStartMs: number,
    slotEndMs: number
  ): Promise<ProfileOutcome> {
    const parsed = setpointSchema.safeParse({ chargerId, connectorId, setpointW, slotStartMs, slotEndMs })
    if (!parsed.success) throw new OcppError(firstIssue(parsed.error, 'setpoint'), { field: issueField(parsed.error, 'setpoint') })
    const link = this.deps.link(chargerId)
    if (!link) throw new OcppError(`chargerId: ${chargerId} is not connected`, { field: 'chargerId' })
    if (!link.registered) throw new OcppError(`chargerId: ${chargerId} is not registered`, { field: 'chargerId' })
    const transactionId = this.deps.live.sessionOf(chargerId, connectorId)
    if (transactionId === null)
      throw new OcppError(`connectorId: ${chargerId} has no session on connector ${connectorId}`, { field: 'connectorId' })
    const charger = this.deps.registry.get(chargerId)
    const plan = setChargingProfile({
      protocol: link.protocol,
      connectorId,
      transactionId,
      setpointW,
      slotStartMs,
      slotEndMs,
      dischargeByNegativeLimit: charger?.dischargeByNegativeLimit ?? false
    })
    const sentMs = this.deps.now()
    let status: ProfileStatus
    let reason: string | null
    try {
      ;({ status, reason } = profileAnswer(
        await link.call<V16.SetChargingProfileResponse | V2.SetChargingProfileResponse>('SetChargingProfile', plan.payload)
      ))
    } catch (error) {
      status = 'Failed'
      reason = describeCallError(error)
    }
    if (plan.clamped) reason = reason ? `${CLAMPED_REASON}; ${reason}` : CLAMPED_REASON
    const confirmedW = status === 'Accepted' ? await this.confirm(link, connectorId, slotStartMs, slotEndMs) : null
    const outcome: ProfileOutcome = {
      setpointW: plan.setpointW,
      requestedW: Math.round(setpointW),
      clamped: plan.clamped,
      status,
      reason,
      transactionId,
      slotStartMs,
      slotEndMs,
      sentMs,
      confirmedW
    }
    this.deps.sessions.recordProfile(chargerId, connectorId, outcome)
    this.deps.live.connector(chargerId, connectorId).lastProfile = outcome
    this.deps.live.changed(chargerId)
    return outcome
  }

  /** What the charger's composite schedule says it will do once the slot has begun: W, or null. */
  private async confirm(link: ChargerLink, connectorId: number, slotStartMs: number, slotEndMs: number): Promise<number | null> {
    const fromMs = Math.max(this.deps.now(), slotStartMs)
    if (slotEndMs <= fromMs) return null
    try {
      const durationS = (slotEndMs - this.deps.now()) / 1000
      const response = await link.call<V16.GetCompositeScheduleResponse | V2.GetCompositeScheduleResponse>(
        'GetCompositeSchedule',
        compositeScheduleRequest(link.protocol, connectorId, durationS)
      )
      return scheduledPowerW(link.protocol, response, fromMs)
    } catch (error) {
      this.deps.log(`${link.chargerId}: GetCompositeSchedule for connector ${connectorId}: ${describeCallError(error)}`)
      return null
    }
  }

  /**
   * A session ended: if we set a profile for it, the charger is asked to clear it. Runs after the
   * charger has had its answer to the message that ended the session.
   */
  clearAfterSession(link: ChargerLink, connectorId: number, transactionId: string): void {
    const profile = this.deps.live.lastProfileOf(link.chargerId, connectorId)
    if (!profile || profile.transactionId !== transactionId) return
    setImmediate(() => {
      if (link.closed) return
      link
        .call<V16.ClearChargingProfileResponse | V2.ClearChargingProfileResponse>(
          'ClearChargingProfile',
          clearChargingProfile(link.protocol, connectorId)
        )
        .then((answer) => {
          if (answer.status !== 'Accepted')
            this.deps.log(`${link.chargerId}: ClearChargingProfile on connector ${connectorId} answered ${answer.status}`)
        })
        .catch((error: unknown) =>
          this.deps.log(`${link.chargerId}: ClearChargingProfile on connector ${connectorId}: ${describeCallError(error)}`)
        )
    })
  }
}
