import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import {
  ACTIONS_IN_USE,
  lookedUpId,
  strictModeValidators,
  validatePayload,
  validatorFor,
  warmUpSchemas
} from '../../../../../src-main/core/ocpp/schemaValidators'

const require = createRequire(import.meta.url)

/** The RPC error code a payload is refused with, or 'valid'. */
function verdict(protocol: Parameters<typeof validatePayload>[0], action: string, direction: 'req' | 'conf', payload: unknown): string {
  try {
    validatePayload(protocol, action, direction, payload)
    return 'valid'
  } catch (error) {
    return (error as { rpcErrorCode?: string }).rpcErrorCode ?? String(error)
  }
}

const centralSetpoint = (period: Record<string, unknown>) => ({
  evseId: 1,
  chargingProfile: {
    id: 1001,
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Absolute',
    transactionId: 'T1',
    chargingSchedule: [
      {
        id: 1001,
        chargingRateUnit: 'W',
        startSchedule: '2025-01-01T00:00:00Z',
        duration: 900,
        chargingSchedulePeriod: [{ startPeriod: 0, ...period }]
      }
    ]
  }
})

describe('strict-mode validators', () => {
  it("ocpp-rpc's own 2.1 validator refuses every call as published: it looks up urn:X.req where the schemas say urn:XRequest", () => {
    const standard = (
      require('ocpp-rpc/lib/standard-validators') as { subprotocol: string; validate(id: string, payload: unknown): unknown }[]
    ).find((v) => v.subprotocol === 'ocpp2.1')!
    expect(() => standard.validate('urn:Heartbeat.req', {})).toThrow(
      "Schema 'urn:Heartbeat.req' is missing from subprotocol schema 'ocpp2.1'"
    )
    expect(lookedUpId('urn:HeartbeatRequest')).toBe('urn:Heartbeat.req')
    expect(lookedUpId('urn:SetChargingProfileResponse')).toBe('urn:SetChargingProfile.conf')
  })

  it('ours accept a good 2.1 payload and refuse a bad one with the CALLERROR code', () => {
    expect(verdict('ocpp2.1', 'Heartbeat', 'req', {})).toBe('valid')
    expect(verdict('ocpp2.1', 'Heartbeat', 'req', { extra: 1 })).toBe('PropertyConstraintViolation')
    expect(verdict('ocpp2.1', 'BootNotification', 'req', { reason: 'PowerUp' })).toBe('OccurenceConstraintViolation')
    expect(verdict('ocpp2.1', 'BootNotification', 'req', { reason: 'PowerUp', chargingStation: { model: 1, vendorName: 'v' } })).toBe(
      'TypeConstraintViolation'
    )
    expect(
      verdict(
        'ocpp2.1',
        'SetChargingProfile',
        'req',
        centralSetpoint({ operationMode: 'CentralSetpoint', setpoint: -7000, dischargeLimit: -11000 })
      )
    ).toBe('valid')
    // a discharge limit is negative by definition, and the operation modes are an enum
    expect(
      verdict(
        'ocpp2.1',
        'SetChargingProfile',
        'req',
        centralSetpoint({ operationMode: 'CentralSetpoint', setpoint: -7000, dischargeLimit: 5000 })
      )
    ).toBe('FormatViolation')
    expect(verdict('ocpp2.1', 'SetChargingProfile', 'req', centralSetpoint({ operationMode: 'Discharge', setpoint: -7000 }))).toBe(
      'FormatViolation'
    )
    expect(verdict('ocpp2.1', 'SetChargingProfile', 'conf', { status: 'Perhaps' })).toBe('FormatViolation')
  })

  it('keep 1.6 and 2.0.1 as the library has them: a negative limit is valid, -7000.05 is not a multiple of 0.1, a 2.1 setpoint is not 2.0.1', () => {
    const profile16 = (limit: number) => ({
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 1001,
        transactionId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'TxProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit }] }
      }
    })
    expect(verdict('ocpp1.6', 'SetChargingProfile', 'req', profile16(-7000))).toBe('valid')
    expect(verdict('ocpp1.6', 'SetChargingProfile', 'req', profile16(-7000.05))).toBe('OccurenceConstraintViolation')
    expect(verdict('ocpp2.0.1', 'SetChargingProfile', 'req', centralSetpoint({ limit: -7000 }))).toBe('valid')
    expect(verdict('ocpp2.0.1', 'SetChargingProfile', 'req', centralSetpoint({ limit: -7000, setpoint: -7000 }))).toBe(
      'PropertyConstraintViolation'
    )
  })

  it('are one per protocol, kept for the process, and warm up every action in use without a missing schema', () => {
    expect(strictModeValidators().map((v) => v.subprotocol)).toEqual(['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'])
    expect(validatorFor('ocpp2.1')).toBe(validatorFor('ocpp2.1'))
    expect(() => warmUpSchemas()).not.toThrow()
    for (const [protocol, actions] of Object.entries(ACTIONS_IN_USE) as [Parameters<typeof validatePayload>[0], readonly string[]][]) {
      for (const action of actions) expect(verdict(protocol, action, 'conf', {}), `${protocol} ${action}`).not.toBe('ProtocolError')
    }
  })
})
