import { describe, expect, it } from 'vitest'
import {
  CLAMPED_REASON,
  clearChargingProfile,
  compositeScheduleRequest,
  profileAnswer,
  scheduledPowerW,
  setChargingProfile,
  txProfileId,
  type SetpointRequest
} from '../../../../../src-main/core/ocpp/chargingProfiles'
import type { OcppProtocol } from '../../../../../src-main/core/ocpp/protocol'
import { validatePayload } from '../../../../../src-main/core/ocpp/schemaValidators'

const SLOT_START = Date.parse('2025-06-01T12:00:00Z')
const slot = (protocol: OcppProtocol, setpointW: number, dischargeByNegativeLimit = false): SetpointRequest => ({
  protocol,
  connectorId: 2,
  transactionId: '17',
  setpointW,
  slotStartMs: SLOT_START,
  slotEndMs: SLOT_START + 15 * 60_000,
  dischargeByNegativeLimit
})

/** The first (only) period of the planned profile's schedule, whatever the protocol. */
function periodOf(plan: ReturnType<typeof setChargingProfile>): Record<string, unknown> {
  const payload = plan.payload as unknown as {
    csChargingProfiles?: { chargingSchedule: { chargingSchedulePeriod: Record<string, unknown>[] } }
    chargingProfile?: { chargingSchedule: { chargingSchedulePeriod: Record<string, unknown>[] }[] }
  }
  return (payload.csChargingProfiles?.chargingSchedule ?? payload.chargingProfile!.chargingSchedule[0]!).chargingSchedulePeriod[0]!
}

describe('charging profiles', () => {
  it('2.1 discharges with a CentralSetpoint (negative setpoint and dischargeLimit) and charges with a ChargingOnly limit', () => {
    const discharge = setChargingProfile(slot('ocpp2.1', -7000))
    expect(discharge).toMatchObject({ setpointW: -7000, clamped: false })
    expect(discharge.payload).toEqual({
      evseId: 2,
      chargingProfile: {
        id: txProfileId(2),
        stackLevel: 0,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Absolute',
        transactionId: '17',
        chargingSchedule: [
          {
            id: txProfileId(2),
            startSchedule: '2025-06-01T12:00:00.000Z',
            duration: 900,
            chargingRateUnit: 'W',
            chargingSchedulePeriod: [{ startPeriod: 0, operationMode: 'CentralSetpoint', setpoint: -7000, dischargeLimit: -7000 }]
          }
        ]
      }
    })
    expect(periodOf(setChargingProfile(slot('ocpp2.1', 3500.4)))).toEqual({ startPeriod: 0, operationMode: 'ChargingOnly', limit: 3500 })
  })

  it('1.6 and 2.0.1 send a negative limit only to chargers marked as reading it so, else 0 W, clamped', () => {
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      const marked = setChargingProfile(slot(protocol, -7000, true))
      expect(marked).toMatchObject({ setpointW: -7000, clamped: false })
      expect(periodOf(marked)).toEqual({ startPeriod: 0, limit: -7000 })
      const plain = setChargingProfile(slot(protocol, -7000, false))
      expect(plain).toMatchObject({ setpointW: 0, clamped: true })
      expect(periodOf(plain)).toEqual({ startPeriod: 0, limit: 0 })
      expect(setChargingProfile(slot(protocol, 11_000, false))).toMatchObject({ setpointW: 11_000, clamped: false })
    }
    expect(setChargingProfile(slot('ocpp1.6', -7000, true)).payload).toMatchObject({
      connectorId: 2,
      csChargingProfiles: { chargingProfileId: 1002, transactionId: 17 }
    })
    expect(CLAMPED_REASON).toMatch(/clamped to 0 W/)
  })

  it('every payload we send passes the official schema of its protocol', () => {
    for (const protocol of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const) {
      for (const setpointW of [-7000, 0, 7400]) {
        for (const marked of [false, true])
          expect(() =>
            validatePayload(protocol, 'SetChargingProfile', 'req', setChargingProfile(slot(protocol, setpointW, marked)).payload)
          ).not.toThrow()
      }
      expect(() => validatePayload(protocol, 'ClearChargingProfile', 'req', clearChargingProfile(protocol, 2))).not.toThrow()
      expect(() => validatePayload(protocol, 'GetCompositeSchedule', 'req', compositeScheduleRequest(protocol, 2, 899.2))).not.toThrow()
    }
    expect(compositeScheduleRequest('ocpp1.6', 2, 899.2)).toEqual({ connectorId: 2, duration: 900, chargingRateUnit: 'W' })
    expect(compositeScheduleRequest('ocpp2.0.1', 2, 0)).toEqual({ evseId: 2, duration: 1, chargingRateUnit: 'W' })
    expect(clearChargingProfile('ocpp1.6', 2)).toEqual({ id: 1002 })
    expect(clearChargingProfile('ocpp2.1', 2)).toEqual({ chargingProfileId: 1002 })
  })

  it("reads the charger's answer with its reason", () => {
    expect(profileAnswer({ status: 'Accepted' })).toEqual({ status: 'Accepted', reason: null })
    expect(profileAnswer({ status: 'NotSupported' })).toEqual({ status: 'NotSupported', reason: null })
    expect(
      profileAnswer({ status: 'Rejected', statusInfo: { reasonCode: 'NoDischarge', additionalInfo: 'the EV does not support V2X' } })
    ).toEqual({ status: 'Rejected', reason: 'NoDischarge: the EV does not support V2X' })
    expect(profileAnswer({ status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } })).toEqual({
      status: 'Rejected',
      reason: 'TxNotFound'
    })
  })

  it('reads the power a composite schedule will follow at an instant: the 2.1 setpoint, else the limit', () => {
    const start = '2025-06-01T12:00:00Z'
    const at = (seconds: number) => Date.parse(start) + seconds * 1000
    const v21 = {
      status: 'Accepted' as const,
      schedule: {
        evseId: 1,
        duration: 900,
        scheduleStart: start,
        chargingRateUnit: 'W' as const,
        chargingSchedulePeriod: [
          { startPeriod: 0, limit: 11_000 },
          { startPeriod: 300, operationMode: 'CentralSetpoint' as const, setpoint: -7000, dischargeLimit: -7000 }
        ]
      }
    }
    expect(scheduledPowerW('ocpp2.1', v21, at(10))).toBe(11_000)
    expect(scheduledPowerW('ocpp2.1', v21, at(300))).toBe(-7000)
    // asked a moment before the charger made it: the schedule's start counts
    expect(scheduledPowerW('ocpp2.1', v21, at(-2))).toBe(11_000)
    const v16 = {
      status: 'Accepted' as const,
      connectorId: 1,
      scheduleStart: start,
      chargingSchedule: { chargingRateUnit: 'W' as const, chargingSchedulePeriod: [{ startPeriod: 0, limit: -7000 }] }
    }
    expect(scheduledPowerW('ocpp1.6', v16, at(60))).toBe(-7000)
    expect(scheduledPowerW('ocpp1.6', { ...v16, chargingSchedule: { ...v16.chargingSchedule, chargingRateUnit: 'A' } }, at(60))).toBeNull()
    expect(scheduledPowerW('ocpp1.6', { status: 'Rejected' }, at(60))).toBeNull()
    expect(scheduledPowerW('ocpp2.0.1', { status: 'Accepted' }, at(60))).toBeNull()
  })
})
