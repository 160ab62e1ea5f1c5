import { describe, expect, it } from 'vitest'
import { degradationCostPerKWh } from '../../../src-shared/market/esu'
import { checkDraft, checkField, defaultEsuParameters, draftFromParameters, parseNumberText } from '../../../src-renderer/esu/fields'
import { chartDepths, cycleRange, omegaChartOption } from '../../../src-renderer/esu/omegaChart'
import { formatBytes, formatDuration, significant } from '../../../src-renderer/format'

describe('ESU form checks', () => {
  it('reads typed numbers, with spaces or underscores grouping digits', () => {
    expect(parseNumberText(' 8 200 ')).toBe(8200)
    expect(parseNumberText('10_000')).toBe(10000)
    expect(parseNumberText('')).toBeUndefined()
    expect(parseNumberText('1,5')).toBeNaN()
  })

  it('uses the contract messages for each field', () => {
    expect(checkField('depthOfDischarge', '0')).toEqual({ ok: false, error: 'must be between 0.01 and 1' })
    expect(checkField('daysPerYear', '400')).toEqual({ ok: false, error: 'must be between 1 and 366' })
    expect(checkField('interestRate', '0')).toEqual({ ok: true, value: 0 })
    expect(checkField('dailySaving', '')).toEqual({ ok: true, value: undefined })
    expect(checkField('lifetimeYears', '')).toEqual({ ok: false, error: 'is required' })
  })

  it('gives parameters only when every field is valid', () => {
    const draft = draftFromParameters(defaultEsuParameters, '3')
    expect(checkDraft(draft)).toMatchObject({ parameters: defaultEsuParameters, dailySaving: 3, invalid: [] })
    const broken = checkDraft({ ...draft, cycleLife: '0' })
    expect(broken.parameters).toBeNull()
    expect(broken.dailySaving).toBeNull()
    expect(broken.invalid.map((f) => f.key)).toEqual(['cycleLife'])
  })
})

describe('ω chart', () => {
  it('draws the current depth of discharge and two others', () => {
    expect(chartDepths(0.8)).toEqual([0.5, 0.8, 1])
    expect(chartDepths(0.5)).toEqual([0.5, 0.8, 1])
    expect(chartDepths(0.65)).toEqual([0.5, 0.65, 1])
  })

  it('spans 500 to 10,000 cycles unless the ESU lies outside', () => {
    expect(cycleRange(3000)).toEqual([500, 10_000])
    expect(cycleRange(200)).toEqual([200, 10_000])
    expect(cycleRange(20_000)).toEqual([500, 22_000])
  })

  it('plots ω (10) with named axes and marks this ESU', () => {
    const option = omegaChartOption(defaultEsuParameters)
    const series = option.series as { type: string; name: string; data: [number, number][] }[]
    expect(series.map((s) => s.name)).toEqual(['D_D 0.5', 'D_D 0.8', 'D_D 1', 'this ESU'])
    const [x, y] = series[1]!.data[0]!
    expect(x).toBe(500)
    expect(y).toBeCloseTo(degradationCostPerKWh({ ...defaultEsuParameters, cycleLife: 500 }), 12)
    expect(series[3]!.data).toEqual([[3000, degradationCostPerKWh(defaultEsuParameters)]])
    expect(option.xAxis).toMatchObject({ name: 'cycle life L_c (cycles)' })
    expect(option.yAxis).toMatchObject({ name: 'ω (¤/kWh)', type: 'log' })
    expect(omegaChartOption({ ...defaultEsuParameters, combinedCost: 0 }).yAxis).toMatchObject({ type: 'value' })
  })
})

describe('formats', () => {
  it('prints 5 significant digits as plain numbers', () => {
    expect(significant(0.1423611111)).toBe('0.14236')
    expect(significant(2.9094178)).toBe('2.9094')
    expect(significant(57600.00000000001)).toBe('57600')
    expect(significant(0.1295045749)).toBe('0.12950')
    expect(significant(1234567)).toBe('1234600')
    expect(significant(0)).toBe('0')
  })

  it('prints sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 bytes')
    expect(formatBytes(32768)).toBe('32.0 KiB')
    expect(formatDuration(65_000)).toBe('1 min 05 s')
    expect(formatDuration(90_061_000)).toBe('1 d 01 h')
  })
})
