// DSMR P1 telegrams (NL DSMR 2.2–5.0, the Belgian e-MUCS, Luxembourg and Hungarian variants):
// the values an operator trades on, in kWh, kW, V, A and m³, with timestamps in UTC.
import { nameProblem } from '../../../src-shared/names'
import { crc16Arc } from './crc16'

export interface TariffRegisters {
  t1: number | null
  t2: number | null
  t3?: number
  t4?: number
  /** x.8.0 when the meter sends it, else the sum of the tariffs */
  total: number | null
}

export interface DsmrTelegram {
  header: string
  /** the equipment identifier, decoded from hex when it is printable text */
  meterId: string | null
  /** UTC, ISO 8601; null when the telegram carries none (DSMR 2.2) */
  timestamp: string | null
  /** null when the protocol version sends no CRC (DSMR 2.2) */
  crcValid: boolean | null
  electricity: {
    deliveredKWh: TariffRegisters
    returnedKWh: TariffRegisters
    powerDeliveredKW: number | null
    powerReturnedKW: number | null
    tariff: number | null
    /** per phase L1, L2, L3, when the meter sends them */
    voltageV: (number | null)[]
    currentA: (number | null)[]
  }
  gas: { m3: number; timestamp: string | null } | null
}

export type ParseOutcome = { ok: true; telegram: DsmrTelegram } | { ok: false; reason: string }

interface Cosem {
  /** the values in parentheses, in order */
  values: string[]
}

const OBIS_CODE = /^\d+-\d+:\d+\.\d+\.\d+$/

/** "(a)(b)(c)" from `open` to the end of the line -> ["a", "b", "c"]; null when malformed. */
function cosemValues(line: string, open: number): string[] | null {
  const values: string[] = []
  let at = open
  while (at < line.length) {
    if (line.charCodeAt(at) !== 40) return null // "("
    const close = line.indexOf(')', at + 1)
    if (close < 0) return null
    values.push(line.slice(at + 1, close))
    at = close + 1
  }
  return values
}

/**
 * YYMMDDhhmmss with S (summer, UTC+2) or W (winter, UTC+1), the central European clock all
 * these meters keep; null when it is not a real instant.
 */
export function dsmrTimestampToUtc(raw: string): string | null {
  const flag = raw[12]
  if (raw.length !== 13 || (flag !== 'S' && flag !== 'W') || !DIGITS12.test(raw)) return null
  const two = (at: number) => (raw.charCodeAt(at) - 48) * 10 + raw.charCodeAt(at + 1) - 48
  const [year, month, day, hour, minute, second] = [two(0), two(2), two(4), two(6), two(8), two(10)]
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null
  const wallMs = Date.UTC(2000 + year, month - 1, day, hour, minute, second)
  if (new Date(wallMs).getUTCDate() !== day) return null // 31 February and the like
  return new Date(wallMs - (flag === 'S' ? 2 : 1) * 3_600_000).toISOString()
}

const DIGITS12 = /^\d{12}/

/**
 * Whether a central European wall-clock time YYMMDDhhmm… without its S/W flag (DSMR 2.2) falls in
 * summer time: from the last Sunday of March, 02:00, to the last Sunday of October, 03:00.
 */
export function centralEuropeanSummer(raw: string): boolean {
  const [year, month, day, hour] = [0, 2, 4, 6].map((i) => Number(raw.slice(i, i + 2))) as [number, number, number, number]
  const lastSunday = (m: number) => {
    const last = new Date(Date.UTC(2000 + year, m, 0))
    return last.getUTCDate() - last.getUTCDay()
  }
  const key = month * 10_000 + day * 100 + hour
  return key >= 3 * 10_000 + lastSunday(3) * 100 + 2 && key < 10 * 10_000 + lastSunday(10) * 100 + 3
}

/** "000004.426*kWh" -> 4.426 in kWh (Wh and W are scaled down); null when it is not a number. */
function quantity(raw: string | undefined, unit: 'kWh' | 'kW' | 'V' | 'A' | 'm3'): number | null {
  if (raw === undefined) return null
  const star = raw.indexOf('*')
  const number = star < 0 ? raw : raw.slice(0, star)
  const value = Number(number)
  if (!number || !Number.isFinite(value)) return null
  const given = star < 0 ? undefined : raw.slice(star + 1)
  if (given === undefined || given === unit) return value
  if ((unit === 'kWh' && given === 'Wh') || (unit === 'kW' && given === 'W')) return value / 1000
  return null
}

const identifiers = new Map<string, string>()

/** A meter sends the same identifier every second: decode it once. */
function decodeIdentifier(raw: string | undefined): string | null {
  if (!raw) return null
  let decoded = identifiers.get(raw)
  if (decoded === undefined) {
    const text = /^(?:[0-9A-Fa-f]{2})+$/.test(raw) ? Buffer.from(raw, 'hex').toString('latin1') : ''
    decoded = /^[\x20-\x7e]+$/.test(text) ? text : raw
    if (identifiers.size > 10_000) identifiers.clear()
    identifiers.set(raw, decoded)
  }
  return decoded
}

const REGISTER_CODES = [1, 2].map((direction) => [0, 1, 2, 3, 4].map((n) => `1-0:${direction}.8.${n}`))

function registers(objects: Map<string, Cosem>, direction: 1 | 2): TariffRegisters {
  const [c0, c1, c2, c3, c4] = REGISTER_CODES[direction - 1]!
  const t1 = quantity(objects.get(c1!)?.values[0], 'kWh')
  const t2 = quantity(objects.get(c2!)?.values[0], 'kWh')
  const t3 = quantity(objects.get(c3!)?.values[0], 'kWh')
  const t4 = quantity(objects.get(c4!)?.values[0], 'kWh')
  const sent = quantity(objects.get(c0!)?.values[0], 'kWh')
  const parts = [t1, t2, t3, t4].filter((v): v is number => v !== null)
  // meters count in Wh: the sum is rounded back to them
  const sum = parts.length ? Math.round(parts.reduce((a, b) => a + b, 0) * 1000) / 1000 : null
  return { t1, t2, ...(t3 !== null ? { t3 } : {}), ...(t4 !== null ? { t4 } : {}), total: sent ?? sum }
}

/** The gas meter's reading: the M-Bus channel whose device type is 3 (gas), else the first in m³. */
function gasReading(objects: Map<string, Cosem>): DsmrTelegram['gas'] {
  const channels = [1, 2, 3, 4]
  const isGas = (n: number) => Number(objects.get(`0-${n}:24.1.0`)?.values[0]) === 3
  const reading = (n: number) => {
    const hourly = objects.get(`0-${n}:24.2.1`) ?? objects.get(`0-${n}:24.2.3`) // NL, BE
    if (hourly && hourly.values.length >= 2) {
      const m3 = quantity(hourly.values[1], 'm3')
      return m3 !== null && hourly.values[1]!.endsWith('*m3') ? { m3, timestamp: dsmrTimestampToUtc(hourly.values[0]!) } : null
    }
    const legacy = objects.get(`0-${n}:24.3.0`) // DSMR 2.2: unit in the header, value on the next line
    if (legacy && legacy.values.includes('m3')) {
      const m3 = quantity(legacy.values.at(-1), 'm3')
      const time = legacy.values[0] ?? ''
      return m3 === null
        ? null
        : { m3, timestamp: /^\d{12}$/.test(time) ? dsmrTimestampToUtc(`${time}${centralEuropeanSummer(time) ? 'S' : 'W'}`) : null }
    }
    return null
  }
  for (const n of channels)
    if (isGas(n)) {
      const found = reading(n)
      if (found) return found
    }
  for (const n of channels) {
    const found = reading(n)
    if (found) return found
  }
  return null
}

const VOLTAGE_CODES = ['1-0:32.7.0', '1-0:52.7.0', '1-0:72.7.0']
const CURRENT_CODES = ['1-0:31.7.0', '1-0:51.7.0', '1-0:71.7.0']

/** Parses one framed telegram (from "/" through its CRC digits). */
export function parseTelegram(text: string): ParseOutcome {
  const bang = text.lastIndexOf('!')
  if (!text.startsWith('/') || bang < 0) return { ok: false, reason: 'not a telegram: it must start with "/" and end with "!"' }
  const crcText = text.slice(bang + 1).trim()
  let crcValid: boolean | null = null
  if (crcText.length > 0) {
    const computed = crc16Arc(text, 0, bang + 1)
    const sent = Number.parseInt(crcText, 16)
    crcValid = computed === sent
    if (!crcValid)
      return {
        ok: false,
        reason: `CRC mismatch: the telegram says ${crcText.toUpperCase()}, its bytes give ${computed.toString(16).toUpperCase().padStart(4, '0')}`
      }
  }

  const lines = text.slice(0, bang).split('\n')
  const header = lines[0]!.slice(1).trim()
  const objects = new Map<string, Cosem>()
  let last: Cosem | undefined
  for (let n = 1; n < lines.length; n++) {
    const raw = lines[n]!
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line === '') continue
    const open = line.indexOf('(')
    const values = open >= 0 && line.endsWith(')') ? cosemValues(line, open) : null
    if (values && open === 0 && last) {
      last.values.push(...values) // DSMR 2.2 continues the gas object on the next line
      continue
    }
    if (!values || !OBIS_CODE.test(line.slice(0, open))) {
      if (crcValid === null) return { ok: false, reason: `unreadable line "${line.slice(0, 40)}"` }
      continue // a valid CRC vouches for the bytes: a line we do not know is a vendor extension
    }
    last = { values }
    objects.set(line.slice(0, open), last)
  }

  const rawTime = objects.get('0-0:1.0.0')?.values[0]
  const timestamp = rawTime === undefined ? null : dsmrTimestampToUtc(rawTime)
  if (rawTime !== undefined && timestamp === null) return { ok: false, reason: `invalid timestamp "${rawTime}"` }
  const tariff = objects.get('0-0:96.14.0')?.values[0]
  const meterId = decodeIdentifier(
    objects.get('0-0:96.1.1')?.values[0] ?? objects.get('0-0:96.1.0')?.values[0] ?? objects.get('0-0:42.0.0')?.values[0]
  )
  const idProblem = meterId === null ? undefined : nameProblem('meter id', meterId)
  if (idProblem) return { ok: false, reason: idProblem }
  return {
    ok: true,
    telegram: {
      header,
      meterId,
      timestamp,
      crcValid,
      electricity: {
        deliveredKWh: registers(objects, 1),
        returnedKWh: registers(objects, 2),
        powerDeliveredKW: quantity(objects.get('1-0:1.7.0')?.values[0], 'kW'),
        powerReturnedKW: quantity(objects.get('1-0:2.7.0')?.values[0], 'kW'),
        tariff: tariff === undefined || !Number.isFinite(Number(tariff)) ? null : Number(tariff),
        voltageV: VOLTAGE_CODES.map((c) => quantity(objects.get(c)?.values[0], 'V')),
        currentA: CURRENT_CODES.map((c) => quantity(objects.get(c)?.values[0], 'A'))
      },
      gas: gasReading(objects)
    }
  }
}
