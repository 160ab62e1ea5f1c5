import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runEgt, sellerState } from '../../../../src-shared/market/egt'
import type { Buyer } from '../../../../src-shared/market/welfare'

const buyers: Buyer[] = [
  { xi: 0.3, kappa: 0.01, demandCapKWh: 12 },
  { xi: 0.25, kappa: 0.02, demandCapKWh: 8 }
]

describe('evolutionary game among grids (Algorithm 1)', () => {
  it('computes D, R and u of (19), (20), (24), (25)', () => {
    const state = sellerState([0.2, 0.2], [5, 15], [0.5, 0.5], buyers)
    // p*_1(0.2) = 10, p*_2(0.2) = 2.5: Σ = 12.5; K = 0.01·100 + 0.02·6.25 = 1.125
    state.demand.forEach((d) => expect(d).toBeCloseTo(6.25, 12))
    expect(state.ratio[0]).toBeCloseTo(0.8, 12)
    expect(state.ratio[1]).toBeCloseTo(2.4, 12)
    expect(state.utility[0]).toBeCloseTo((0.8 - 0.32) * 1.125, 12)
    expect(state.utility[1]).toBeCloseTo(1.125 / 2, 12)
  })

  it('at one price and scarce supply, settles at Q_m = S_m / ΣS (equal ratios)', () => {
    const supplies = [2, 3, 5]
    const result = runEgt([0.2, 0.2, 0.2], supplies, buyers)
    expect(result.converged).toBe(true)
    result.q.forEach((q, m) => expect(q).toBeCloseTo(supplies[m]! / 10, 6))
    expect(new Set(result.ratio.map((r) => r.toFixed(6))).size).toBe(1)
  })

  it('keeps Q on the simplex at every iteration, for any market', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ price: fc.double({ min: 0.01, max: 0.29, noNaN: true }), supply: fc.double({ min: 0.1, max: 30, noNaN: true }) }),
          { minLength: 2, maxLength: 8 }
        ),
        (sellers) => {
          const result = runEgt(
            sellers.map((s) => s.price),
            sellers.map((s) => s.supply),
            buyers,
            { sigma1: 5, tolerance: 1e-9, maxIterations: 500, epsilon: 1e-9 }
          )
          for (const step of result.trace) {
            expect(step.q.every((q) => q >= 0)).toBe(true)
            expect(step.q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
          }
        }
      ),
      { numRuns: 60, seed: 11 }
    )
  })

  it('is reproducible from the same starting point', () => {
    const a = runEgt([0.1, 0.2], [4, 6], buyers, undefined, [0.7, 0.3])
    const b = runEgt([0.1, 0.2], [4, 6], buyers, undefined, [0.7, 0.3])
    expect(a).toEqual(b)
  })
})
