// Meter values as chargers send them (1.6: numbers as strings with a unit; 2.x: numbers with a
// unit and a power of ten), turned into what the central system keeps: per instant, the import
// and export registers in Wh, the net power in W and the state of charge in percent. A value the
// charger splits by phase is summed; a value we cannot read (signed data, an unknown unit, a
// negative register) is left out and named, never guessed at.
import type * as V16 from './messages16'
import type * as V2 from './messages2'

export interface MeterSample {
  tsMs: number
  /** Wh, Energy.Active.Import.Register */
  importWh: number | null
  /** Wh, Energy.Active.Export.Register */
  exportWh: number | null
  /** W, Power.Active.Import minus Power.Active.Export: negative while the vehicle discharges */
  powerW: number | null
  socPercent: number | null
}

export interface ReadSamples {
  samples: MeterSample[]
  /** what was left out, and why */
  skipped: string[]
}

type Quantity = 'importWh' | 'exportWh' | 'importW' | 'exportW' | 'soc'

const MEASURANDS: Record<string, Quantity> = {
  'Energy.Active.Import.Register': 'importWh',
  'Energy.Active.Export.Register': 'exportWh',
  'Power.Active.Import': 'importW',
  'Power.Active.Export': 'exportW',
  SoC: 'soc'
}

/** Units each quantity may come in, as factors to Wh, W or percent. */
const UNITS: Record<Quantity, Record<string, number>> = {
  importWh: { Wh: 1, kWh: 1000 },
  exportWh: { Wh: 1, kWh: 1000 },
  importW: { W: 1, kW: 1000 },
  exportW: { W: 1, kW: 1000 },
  soc: { Percent: 1 }
}

const DEFAULT_UNIT: Record<Quantity, string> = { importWh: 'Wh', exportWh: 'Wh', importW: 'W', exportW: 'W', soc: 'Percent' }

/** Phases whose values add up to the total (line to neutral, or the line itself). */
const SUMMED_PHASES = new Set(['L1', 'L2', 'L3', 'L1-N', 'L2-N', 'L3-N'])

interface Value {
  quantity: Quantity
  /** in Wh, W or percent */
  amount: number
  phase: string | undefined
}

/** 1.6 meter values. */
export function samplesFrom16(meterValues: readonly V16.MeterValue[]): ReadSamples {
  return read(meterValues, (sampled, skipped) => {
    const measurand = sampled.measurand ?? 'Energy.Active.Import.Register'
    if (sampled.format === 'SignedData') {
      skipped.push(`${measurand} as signed data`)
      return null
    }
    const number = Number(sampled.value)
    if (sampled.value.trim() === '' || !Number.isFinite(number)) {
      skipped.push(`${measurand} "${sampled.value}", not a number`)
      return null
    }
    return { number, unit: sampled.unit }
  })
}

/** 2.0.1 and 2.1 meter values. */
export function samplesFrom2(meterValues: readonly V2.MeterValue[]): ReadSamples {
  return read(meterValues, (sampled) => ({
    number: sampled.value * 10 ** (sampled.unitOfMeasure?.multiplier ?? 0),
    unit: sampled.unitOfMeasure?.unit
  }))
}

function read<S extends { measurand?: string; phase?: string; location?: string }>(
  meterValues: readonly { timestamp: string; sampledValue: readonly S[] }[],
  numberOf: (sampled: S, skipped: string[]) => { number: number; unit: string | undefined } | null
): ReadSamples {
  const skipped: string[] = []
  const samples: MeterSample[] = []
  for (const meterValue of meterValues) {
    const tsMs = Date.parse(meterValue.timestamp)
    if (!Number.isFinite(tsMs)) {
      skipped.push(`a meter value at "${meterValue.timestamp}", not a time`)
      continue
    }
    const values: Value[] = []
    for (const sampled of meterValue.sampledValue) {
      const measurand = sampled.measurand ?? 'Energy.Active.Import.Register'
      const quantity = MEASURANDS[measurand]
      if (!quantity) continue // a measurand the market has no use for (current, voltage, ...)
      // the state of charge is the vehicle's wherever it is measured; energy and power are the outlet's
      if (quantity !== 'soc' && sampled.location !== undefined && sampled.location !== 'Outlet') continue
      const read = numberOf(sampled, skipped)
      if (!read) continue
      const unit = read.unit ?? DEFAULT_UNIT[quantity]
      const factor = UNITS[quantity][unit]
      if (factor === undefined) {
        skipped.push(`${measurand} in "${unit}"`)
        continue
      }
      values.push({ quantity, amount: read.number * factor, phase: sampled.phase })
    }
    const sample = combine(tsMs, values, skipped)
    if (sample) samples.push(sample)
  }
  return { samples, skipped }
}

/** One instant's values: the total where given, else the sum of the phases. */
function combine(tsMs: number, values: readonly Value[], skipped: string[]): MeterSample | null {
  const total = (quantity: Quantity): number | null => {
    const ofQuantity = values.filter((v) => v.quantity === quantity)
    if (quantity === 'soc') return ofQuantity[0]?.amount ?? null
    const whole = ofQuantity.find((v) => v.phase === undefined)
    if (whole) return whole.amount
    const phases = ofQuantity.filter((v) => v.phase !== undefined && SUMMED_PHASES.has(v.phase))
    return phases.length > 0 ? phases.reduce((sum, v) => sum + v.amount, 0) : null
  }
  let importWh = total('importWh')
  let exportWh = total('exportWh')
  if (importWh !== null && importWh < 0) {
    skipped.push(`a negative import register (${importWh} Wh)`)
    importWh = null
  }
  if (exportWh !== null && exportWh < 0) {
    skipped.push(`a negative export register (${exportWh} Wh)`)
    exportWh = null
  }
  const importW = total('importW')
  const exportW = total('exportW')
  const powerW = importW === null && exportW === null ? null : (importW ?? 0) - (exportW ?? 0)
  let socPercent = total('soc')
  if (socPercent !== null && !(socPercent >= 0 && socPercent <= 100)) {
    skipped.push(`a state of charge of ${socPercent} %`)
    socPercent = null
  }
  if (importWh === null && exportWh === null && powerW === null && socPercent === null) return null
  return { tsMs, importWh, exportWh, powerW, socPercent }
}
