// A slot's allocation as a charging profile, per protocol, and the answers read back. Positive
// power charges the vehicle, negative discharges it.
// - 2.1 says discharge in its own words: operationMode CentralSetpoint with a negative setpoint,
//   bounded by dischargeLimit (a negative limit is there "only for backwards compatibility").
// - 1.6 and 2.0.1 have no words for it: some chargers read a negative limit as discharge, others
//   refuse it or read it as 0. We send one only to chargers the operator marked as reading it so;
//   to the others, discharge is sent as 0 (no charging) and reported as clamped.
import type * as V16 from './messages16'
import type * as V2 from './messages2'
import type { ProfileStatus } from './liveState'
import type { OcppProtocol } from './protocol'

/** One TxProfile per connector, replaced slot after slot: its id is ours and fixed per connector. */
export function txProfileId(connectorId: number): number {
  return 1000 + connectorId
}

export interface SetpointRequest {
  protocol: OcppProtocol
  connectorId: number
  transactionId: string
  setpointW: number
  slotStartMs: number
  slotEndMs: number
  dischargeByNegativeLimit: boolean
}

export interface PlannedProfile {
  payload: V16.SetChargingProfileRequest | V2.SetChargingProfileRequest
  /** what is sent */
  setpointW: number
  clamped: boolean
}

export const CLAMPED_REASON = 'discharge clamped to 0 W: this charger is not marked as reading a negative limit as discharge'

export function setChargingProfile(request: SetpointRequest): PlannedProfile {
  const requestedW = Math.round(request.setpointW)
  const clamped = requestedW < 0 && request.protocol !== 'ocpp2.1' && !request.dischargeByNegativeLimit
  const setpointW = clamped ? 0 : requestedW
  const id = txProfileId(request.connectorId)
  const startSchedule = new Date(request.slotStartMs).toISOString()
  const duration = Math.max(1, Math.round((request.slotEndMs - request.slotStartMs) / 1000))
  if (request.protocol === 'ocpp1.6') {
    const payload: V16.SetChargingProfileRequest = {
      connectorId: request.connectorId,
      csChargingProfiles: {
        chargingProfileId: id,
        transactionId: Number(request.transactionId),
        stackLevel: 0,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { startSchedule, duration, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: setpointW }] }
      }
    }
    return { payload, setpointW, clamped }
  }
  const period: V2.ChargingSchedulePeriod =
    request.protocol === 'ocpp2.1'
      ? setpointW < 0
        ? { startPeriod: 0, operationMode: 'CentralSetpoint', setpoint: setpointW, dischargeLimit: setpointW }
        : { startPeriod: 0, operationMode: 'ChargingOnly', limit: setpointW }
      : { startPeriod: 0, limit: setpointW }
  const payload: V2.SetChargingProfileRequest = {
    evseId: request.connectorId,
    chargingProfile: {
      id,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Absolute',
      transactionId: request.transactionId,
      chargingSchedule: [{ id, startSchedule, duration, chargingRateUnit: 'W', chargingSchedulePeriod: [period] }]
    }
  }
  return { payload, setpointW, clamped }
}

/** The charger's answer to SetChargingProfile, with its reason where it gave one (2.x). */
export function profileAnswer(response: V16.SetChargingProfileResponse | V2.SetChargingProfileResponse): {
  status: ProfileStatus
  reason: string | null
} {
  const info = 'statusInfo' in response ? response.statusInfo : undefined
  return { status: response.status, reason: info ? [info.reasonCode, info.additionalInfo].filter(Boolean).join(': ') : null }
}

/** Clears the TxProfile we set on a connector, when its session ends. */
export function clearChargingProfile(
  protocol: OcppProtocol,
  connectorId: number
): V16.ClearChargingProfileRequest | V2.ClearChargingProfileRequest {
  return protocol === 'ocpp1.6' ? { id: txProfileId(connectorId) } : { chargingProfileId: txProfileId(connectorId) }
}

export function compositeScheduleRequest(
  protocol: OcppProtocol,
  connectorId: number,
  durationS: number
): V16.GetCompositeScheduleRequest | V2.GetCompositeScheduleRequest {
  const duration = Math.max(1, Math.ceil(durationS))
  return protocol === 'ocpp1.6'
    ? { connectorId, duration, chargingRateUnit: 'W' }
    : { evseId: connectorId, duration, chargingRateUnit: 'W' }
}

/**
 * The power (W) a composite schedule says the charger will follow at atMs: a 2.1 setpoint where
 * there is one, else the limit. Null when it was refused or is in amperes.
 */
export function scheduledPowerW(
  protocol: OcppProtocol,
  response: V16.GetCompositeScheduleResponse | V2.GetCompositeScheduleResponse,
  atMs: number
): number | null {
  if (response.status !== 'Accepted') return null
  const schedule =
    protocol === 'ocpp1.6'
      ? compositeOf16(response as V16.GetCompositeScheduleResponse)
      : (response as V2.GetCompositeScheduleResponse).schedule
  if (!schedule) return null
  const startMs = Date.parse(schedule.scheduleStart)
  if (schedule.chargingRateUnit !== 'W' || !Number.isFinite(startMs)) return null
  // a composite schedule starts when the charger made it, a moment after we asked (or by its clock)
  const at = Math.max(atMs, startMs)
  const periods: readonly V2.ChargingSchedulePeriod[] = schedule.chargingSchedulePeriod
  const inEffect = [...periods]
    .sort((a, b) => a.startPeriod - b.startPeriod)
    .filter((p) => startMs + p.startPeriod * 1000 <= at)
    .at(-1)
  return inEffect ? (inEffect.setpoint ?? inEffect.limit ?? null) : null
}

/** 1.6 puts the start beside the schedule, or in it. */
function compositeOf16(
  response: V16.GetCompositeScheduleResponse
): { scheduleStart: string; chargingRateUnit: 'A' | 'W'; chargingSchedulePeriod: V16.ChargingSchedulePeriod[] } | null {
  const schedule = response.chargingSchedule
  const scheduleStart = response.scheduleStart ?? schedule?.startSchedule
  return schedule && scheduleStart
    ? { scheduleStart, chargingRateUnit: schedule.chargingRateUnit, chargingSchedulePeriod: schedule.chargingSchedulePeriod }
    : null
}
