import { describe, expect, it } from 'vitest'
import { samplesFrom16, samplesFrom2 } from '../../../../../src-main/core/ocpp/meterValues'

const T = '2025-06-01T12:00:00Z'
const TS = Date.parse(T)

describe('meter values', () => {
  it('1.6: reads numbers written as strings, in Wh or kWh, W or kW, with Energy.Active.Import.Register when no measurand is named', () => {
    const { samples, skipped } = samplesFrom16([
      {
        timestamp: T,
        sampledValue: [
          { value: '12345' },
          { value: '0.25', measurand: 'Energy.Active.Export.Register', unit: 'kWh' },
          { value: '3.5', measurand: 'Power.Active.Import', unit: 'kW' },
          { value: '500', measurand: 'Power.Active.Export' },
          { value: '80', measurand: 'SoC', unit: 'Percent', location: 'EV' },
          { value: '230.1', measurand: 'Voltage', unit: 'V' }
        ]
      }
    ])
    expect(samples).toEqual([{ tsMs: TS, importWh: 12_345, exportWh: 250, powerW: 3000, socPercent: 80 }])
    expect(skipped).toEqual([])
  })

  it('2.x: scales by the power of ten and the unit', () => {
    const { samples } = samplesFrom2([
      {
        timestamp: T,
        sampledValue: [
          { value: 12.5, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } },
          { value: 2, measurand: 'Energy.Active.Export.Register', unitOfMeasure: { unit: 'Wh', multiplier: 3 } },
          { value: 7, measurand: 'Power.Active.Export', unitOfMeasure: { unit: 'kW' } },
          { value: 55.5, measurand: 'SoC', unitOfMeasure: { unit: 'Percent' } }
        ]
      }
    ])
    expect(samples).toEqual([{ tsMs: TS, importWh: 12_500, exportWh: 2000, powerW: -7000, socPercent: 55.5 }])
  })

  it('sums phases where no total is given, and prefers the total where it is', () => {
    const phases = (values: [string | undefined, number][]) =>
      samplesFrom2([
        {
          timestamp: T,
          sampledValue: values.map(([phase, value]) => ({ value, measurand: 'Power.Active.Import', ...(phase ? { phase } : {}) }))
        }
      ]).samples[0]!.powerW
    expect(
      phases([
        ['L1', 1000],
        ['L2', 1100],
        ['L3', 900]
      ])
    ).toBe(3000)
    expect(
      phases([
        ['L1-N', 1000],
        ['L2-N', 1000],
        ['N', 50]
      ])
    ).toBe(2000)
    expect(
      phases([
        ['L1', 1000],
        [undefined, 3333],
        ['L2', 1000]
      ])
    ).toBe(3333)
  })

  it('takes energy and power at the outlet only, the state of charge wherever it is measured', () => {
    const { samples } = samplesFrom2([
      {
        timestamp: T,
        sampledValue: [
          { value: 999_999, measurand: 'Energy.Active.Import.Register', location: 'Inlet' },
          { value: 100, measurand: 'Energy.Active.Import.Register', location: 'Outlet' },
          { value: 42, measurand: 'SoC', location: 'EV' }
        ]
      }
    ])
    expect(samples).toEqual([{ tsMs: TS, importWh: 100, exportWh: null, powerW: null, socPercent: 42 }])
  })

  it('leaves out, and names, what it cannot read: signed data, text, unknown units, negative registers, a state of charge over 100 %', () => {
    const { samples, skipped } = samplesFrom16([
      {
        timestamp: T,
        sampledValue: [
          { value: 'MIIB...', format: 'SignedData' },
          { value: 'lots', measurand: 'Energy.Active.Export.Register' },
          { value: '5', measurand: 'Power.Active.Import', unit: 'A' },
          { value: '101', measurand: 'SoC', unit: 'Percent' }
        ]
      },
      { timestamp: T, sampledValue: [{ value: '-5', measurand: 'Energy.Active.Import.Register' }] }
    ])
    expect(samples).toEqual([])
    expect(skipped).toEqual([
      'Energy.Active.Import.Register as signed data',
      'Energy.Active.Export.Register "lots", not a number',
      'Power.Active.Import in "A"',
      'a state of charge of 101 %',
      'a negative import register (-5 Wh)'
    ])
  })

  it('keeps one sample per meter value, in the order given', () => {
    const later = '2025-06-01T12:01:00Z'
    const { samples } = samplesFrom2([
      { timestamp: later, sampledValue: [{ value: 2 }] },
      { timestamp: T, sampledValue: [{ value: 1 }] }
    ])
    expect(samples.map((s) => [s.tsMs, s.importWh])).toEqual([
      [Date.parse(later), 2],
      [TS, 1]
    ])
  })
})
