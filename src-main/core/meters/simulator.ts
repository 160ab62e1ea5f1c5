// A DSMR 5 meter for demos and tests: telegrams with a valid CRC whose counters advance with a
// household's daily load and a rooftop PV's sun, as `dv2g meter simulate` writes them to a port.
import { crc16Arc } from './crc16'
import { centralEuropeanSummer } from './dsmr'

export interface SimulatedMeter {
  /** equipment identifier, sent hex-encoded as DSMR 5 does */
  meterId: string
  deliveredWh: [number, number]
  returnedWh: [number, number]
  gasM3: number
  /** peak PV power, kW, and base load, kW */
  pvPeakKW: number
  baseLoadKW: number
}

export function newSimulatedMeter(meterId = 'E0099001234567890'): SimulatedMeter {
  return { meterId, deliveredWh: [1_234_567, 987_654], returnedWh: [345_678, 123_456], gasM3: 1234.567, pvPeakKW: 3.5, baseLoadKW: 0.35 }
}

/** Household load (kW) at a fractional local hour: a night base, a morning and an evening peak. */
export function loadKW(meter: SimulatedMeter, hour: number): number {
  return meter.baseLoadKW * (1 + 2 * Math.exp(-((hour - 7.5) ** 2) / 1.5) + 4 * Math.exp(-((hour - 19) ** 2) / 3))
}

/** PV power (kW): a half sine from 06:00 to 20:00. */
export function pvKW(meter: SimulatedMeter, hour: number): number {
  return hour > 6 && hour < 20 ? meter.pvPeakKW * Math.sin((Math.PI * (hour - 6)) / 14) : 0
}

const pad = (n: number, width: number) => String(n).padStart(width, '0')
const kWh = (wh: number) => (wh / 1000).toFixed(3).padStart(10, '0')
const kW = (value: number) => value.toFixed(3).padStart(6, '0')

/** Central European wall clock of an instant, as YYMMDDhhmmss with its S/W flag. */
export function dsmrTime(date: Date): string {
  const winter = new Date(date.getTime() + 3_600_000)
  const wall = (d: Date) =>
    `${pad(d.getUTCFullYear() % 100, 2)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`
  // summer time is decided on the winter wall clock (the rule's hours are in it, give or take the switch hour)
  if (centralEuropeanSummer(wall(winter))) return `${wall(new Date(date.getTime() + 7_200_000))}S`
  return `${wall(winter)}W`
}

/**
 * Advances the meter by `seconds` at `date` and returns its telegram (CRLF lines, CRC-16/ARC).
 * Tariff 1 is night (23:00–07:00), tariff 2 day, as Dutch meters count.
 */
export function nextTelegram(meter: SimulatedMeter, date: Date, seconds: number): string {
  const hour = (date.getUTCHours() + 1 + date.getUTCMinutes() / 60) % 24 // on the CET clock
  const netKW = loadKW(meter, hour) - pvKW(meter, hour)
  const tariff = hour >= 7 && hour < 23 ? 2 : 1
  const energyWh = (Math.abs(netKW) * 1000 * seconds) / 3600
  const register = netKW >= 0 ? meter.deliveredWh : meter.returnedWh
  register[tariff === 1 ? 0 : 1] += energyWh
  meter.gasM3 += (0.0002 * seconds) / 3600
  const lines = [
    '/ISk5\\2MT382-1000',
    '',
    '1-3:0.2.8(50)',
    `0-0:1.0.0(${dsmrTime(date)})`,
    `0-0:96.1.1(${Buffer.from(meter.meterId, 'latin1').toString('hex').toUpperCase()})`,
    `1-0:1.8.1(${kWh(meter.deliveredWh[0])}*kWh)`,
    `1-0:1.8.2(${kWh(meter.deliveredWh[1])}*kWh)`,
    `1-0:2.8.1(${kWh(meter.returnedWh[0])}*kWh)`,
    `1-0:2.8.2(${kWh(meter.returnedWh[1])}*kWh)`,
    `0-0:96.14.0(${pad(tariff, 4)})`,
    `1-0:1.7.0(${kW(Math.max(netKW, 0))}*kW)`,
    `1-0:2.7.0(${kW(Math.max(-netKW, 0))}*kW)`,
    '1-0:32.7.0(0230.1*V)',
    '1-0:52.7.0(0229.8*V)',
    '1-0:72.7.0(0230.4*V)',
    `1-0:31.7.0(${((Math.abs(netKW) * 1000) / 230 / 3).toFixed(2)}*A)`,
    `1-0:51.7.0(${((Math.abs(netKW) * 1000) / 230 / 3).toFixed(2)}*A)`,
    `1-0:71.7.0(${((Math.abs(netKW) * 1000) / 230 / 3).toFixed(2)}*A)`,
    '0-1:24.1.0(003)',
    `0-1:24.2.1(${dsmrTime(new Date(Math.floor(date.getTime() / 300_000) * 300_000))})(${meter.gasM3.toFixed(3).padStart(9, '0')}*m3)`
  ]
  const body = `${lines.join('\r\n')}\r\n!`
  return `${body}${crc16Arc(body).toString(16).toUpperCase().padStart(4, '0')}\r\n`
}
