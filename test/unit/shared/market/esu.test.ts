import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  capitalRecoveryFactor,
  costPerDay,
  degradationCostPerKWh,
  esuCost,
  EsuNotFiniteError,
  esuWorthIt,
  lifetimeThroughputKWh,
  type EsuParameters
} from '../../../../src-shared/market/esu'
import { esuParametersSchema } from '../../../../src-shared/contract'
import { referenceEsuCase } from '../../../support/esuCase'

const referenceCase: EsuParameters = referenceEsuCase

describe('capital recovery factor (docs/model.md checks)', () => {
  it('is 0.2439 at 7 % over 5 years', () => {
    expect(capitalRecoveryFactor(0.07, 5)).toBeCloseTo(0.2439, 4)
  })
  it('is 0.1627 at 10 % over 10 years', () => {
    expect(capitalRecoveryFactor(0.1, 10)).toBeCloseTo(0.1627, 4)
  })
  it('tends to 1/l as r tends to 0, and is exactly 1/l at r = 0', () => {
    expect(capitalRecoveryFactor(0, 8)).toBe(1 / 8)
    expect(capitalRecoveryFactor(1e-9, 8)).toBeCloseTo(1 / 8, 8)
  })
})

describe('cost per day CD (9)', () => {
  it('spreads CU = 10,000 at 5 % over 10 y to 1,295.05 a year and 3.548 a day', () => {
    const p = { ...referenceCase, combinedCost: 10_000 }
    expect(capitalRecoveryFactor(0.05, 10) * 10_000).toBeCloseTo(1295.05, 2)
    expect(costPerDay(p)).toBeCloseTo(3.548, 3)
  })
  it('adds the yearly maintenance before dividing by the days of the year', () => {
    const withMaintenance = costPerDay({ ...referenceCase, maintenancePerYear: 365 })
    expect(withMaintenance - costPerDay(referenceCase)).toBeCloseTo(1, 10)
  })
})

describe('lifetime throughput L_T (11) and degradation cost ω (10)', () => {
  it('reads L_T as depth of discharge × capacity × cycle life (Kempton & Tomić)', () => {
    expect(lifetimeThroughputKWh(referenceCase)).toBeCloseTo(57_600, 6)
  })
  it('gives the reference case ω = 0.14236 per kWh and CD = 2.909 per day', () => {
    const cost = esuCost(referenceCase)
    expect(Number(cost.degradationCostPerKWh.toPrecision(5))).toBe(0.14236)
    expect(Number(cost.costPerDay.toPrecision(4))).toBe(2.909)
    expect(cost.annuityFactor).toBeCloseTo(0.129505, 6)
  })
  it('halves ω when the cycle life doubles', () => {
    const longer = degradationCostPerKWh({ ...referenceCase, cycleLife: 6000 })
    expect(longer * 2).toBeCloseTo(degradationCostPerKWh(referenceCase), 12)
  })
})

describe('worth it?', () => {
  it('is worth it only when the daily saving exceeds CD', () => {
    const cost = esuCost(referenceCase)
    expect(esuWorthIt(cost, 3)).toEqual({ worthIt: true, marginPerDay: 3 - cost.costPerDay })
    expect(esuWorthIt(cost, 2).worthIt).toBe(false)
    expect(esuWorthIt(cost, cost.costPerDay).worthIt).toBe(false)
  })
})

describe('ESU parameter ranges', () => {
  it('accepts the reference case', () => {
    expect(esuParametersSchema.safeParse(referenceCase).success).toBe(true)
  })
  it.each([
    ['depthOfDischarge', 1.5],
    ['depthOfDischarge', 0],
    ['interestRate', -0.01],
    ['cycleLife', 2.5],
    ['capacityKWh', Number.NaN],
    ['lifetimeYears', 0],
    ['daysPerYear', 400]
  ])('refuses %s = %s and names the field', (field, value) => {
    const result = esuParametersSchema.safeParse({ ...referenceCase, [field]: value })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual([field])
  })
})

describe('ESU figures are finite', () => {
  it('refuses the smallest double for capacity, depth of discharge and lifetime, naming the range', () => {
    for (const field of ['capacityKWh', 'depthOfDischarge', 'lifetimeYears']) {
      const result = esuParametersSchema.safeParse({ ...referenceCase, [field]: 5e-324 })
      expect(result.success, field).toBe(false)
      expect(result.error?.issues[0]?.message).toMatch(/^must be between \S+ and \S+$/)
    }
  })

  it('gives finite figures for every input the schema accepts', () => {
    // the edges of each range and the smallest doubles, where overflow and underflow live
    const near = (min: number, max: number) =>
      fc.oneof(fc.double({ min, max, noNaN: true }), fc.constantFrom(min, max, 5e-324, 1e-300, 1e-12, 0.1, 1))
    fc.assert(
      fc.property(
        fc.record({
          capacityKWh: near(0, 100_000),
          depthOfDischarge: near(0, 1),
          cycleLife: fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(1, 1_000_000)),
          combinedCost: near(0, 1e12),
          maintenancePerYear: near(0, 1e12),
          interestRate: near(0, 1),
          lifetimeYears: near(0, 100),
          daysPerYear: near(1, 366)
        }),
        (input) => {
          const checked = esuParametersSchema.safeParse(input)
          if (!checked.success) return
          const cost = esuCost(checked.data)
          for (const [name, value] of Object.entries(cost)) expect(Number.isFinite(value), `${name} of ${JSON.stringify(input)}`).toBe(true)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it('throws a coded error naming the figure when parameters outside the schema would make one infinite', () => {
    let caught: unknown
    try {
      esuCost({ ...referenceCase, capacityKWh: 5e-324 })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(EsuNotFiniteError)
    expect(caught).toMatchObject({ code: 'invalid_argument', field: 'degradationCostPerKWh' })
    expect((caught as Error).message).toMatch(/^degradationCostPerKWh: /)
  })
})
