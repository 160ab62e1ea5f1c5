import { describe, expect, it } from 'vitest'
import { integrateReplicator, replicatorStep, replicatorVelocity } from '../../../../src-shared/market/replicator'
import { bestResponse, gridUtility, gridWelfare } from '../../../../src-shared/market/welfare'

describe('replicator dynamics', () => {
  // Nashpy's documented example (docs/model.md): A = [[3, 2], [4, 2]], integrated to t = 10
  const A = [
    [3, 2],
    [4, 2]
  ]
  it.each([
    [
      [0.5, 0.5],
      [0.10180527, 0.89819473]
    ],
    [
      [0.9, 0.1],
      [0.14074972, 0.85925028]
    ]
  ])('from %j reaches Nashpy’s %j to 1e-6', (x0, expected) => {
    const x = integrateReplicator(A, x0, 10, 1e-3)
    expect(Math.abs(x[0]! - expected[0]!)).toBeLessThan(1e-6)
    expect(Math.abs(x[1]! - expected[1]!)).toBeLessThan(1e-6)
  })

  it('keeps the population on the simplex: the velocities sum to zero', () => {
    const v = replicatorVelocity([0.2, 0.3, 0.5], [1, 4, 2])
    expect(v.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12)
    const next = replicatorStep([0.2, 0.3, 0.5], [1, 4, 2], 0.1)
    expect(next.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    expect(next[1]).toBeGreaterThan(0.3) // the fitter strategy grows
  })
})

describe('grid utility and best response (17), (18), (21)', () => {
  const grid = { xi: 0.3, kappa: 0.01, demandCapKWh: 20 }
  it('is continuous at the peak ξ/κ and flat beyond it', () => {
    const peak = grid.xi / grid.kappa
    expect(gridUtility(grid, peak)).toBeCloseTo((grid.xi * grid.xi) / (2 * grid.kappa), 12)
    expect(gridUtility(grid, peak + 10)).toBe(gridUtility(grid, peak))
  })
  it('buys where marginal utility meets the price, within its cap', () => {
    expect(bestResponse(grid, 0.25)).toBeCloseTo(5, 12)
    expect(bestResponse(grid, 0.05)).toBe(20) // capped by G_n
    expect(bestResponse(grid, 0.35)).toBe(0) // priced out
  })
  it('maximises welfare at the best response', () => {
    const price = 0.25
    const best = bestResponse(grid, price)
    for (const other of [best - 1, best - 0.1, best + 0.1, best + 1]) {
      expect(gridWelfare(grid, best, price)).toBeGreaterThan(gridWelfare(grid, other, price))
    }
  })
})
