// How the Chargers view writes OCPP quantities: power in kW with its sign (negative: the vehicle
// discharges into the grid), energy in kWh, state of charge in %, times as the other views do.
import type { OcppCharger } from '../../../src-shared/contract'
import { formatDateTime } from '../../format'

export const NONE = '—'

/** W as signed kW with two decimals; a value that rounds to zero is 0.00, never -0.00. */
export function kW(watts: number | null): string {
  if (watts === null) return NONE
  const value = watts / 1000
  return Math.abs(value) < 0.005 ? '0.00' : value.toFixed(2)
}

export function kWh(wattHours: number | null): string {
  return wattHours === null ? NONE : (wattHours / 1000).toFixed(3)
}

export function percent(value: number | null): string {
  return value === null ? NONE : `${Math.round(value * 10) / 10} %`
}

export function moment(ms: number | null): string {
  return ms === null ? NONE : formatDateTime(new Date(ms).toISOString())
}

/** The URL a charger is given: the endpoint (with or without its trailing slash) and its id. */
export function chargerUrl(endpoint: string | null, chargerId: string): string {
  return `${(endpoint ?? 'ws://HOST:PORT/ocpp').replace(/\/+$/, '')}/${chargerId}`
}

const protocols: Record<NonNullable<OcppCharger['protocol']>, string> = {
  'ocpp1.6': 'OCPP 1.6',
  'ocpp2.0.1': 'OCPP 2.0.1',
  'ocpp2.1': 'OCPP 2.1'
}

export function protocolLabel(protocol: OcppCharger['protocol']): string {
  return protocol === null ? 'never connected' : protocols[protocol]
}
