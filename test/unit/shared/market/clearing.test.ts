import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clearMarket, priceForDemand } from '../../../../src-shared/market/clearing'
import { runEgt } from '../../../../src-shared/market/egt'
import { totalDemand, type Buyer } from '../../../../src-shared/market/welfare'

const buyers: Buyer[] = [
  { xi: 0.3, kappa: 0.01, demandCapKWh: 12 },
  { xi: 0.25, kappa: 0.02, demandCapKWh: 8 }
]

/** An independent oracle: the price where demand meets a given supply, by plain bisection. */
function bisect(bs: readonly Buyer[], supply: number, low: number, high: number): number {
  let lo = low
  let hi = high
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2
    if (totalDemand(bs, mid) > supply) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

describe('market clearing (docs/model.md equilibrium identities)', () => {
  it('clears at one price where demand equals total supply, with Q_m = S_m / ΣS', () => {
    const offers = [
      { supplyKWh: 2, reservePrice: 0.05 },
      { supplyKWh: 3, reservePrice: 0.04 },
      { supplyKWh: 5, reservePrice: 0.06 }
    ]
    const result = clearMarket(offers, buyers, 0.28)
    expect(result.price).toBeCloseTo(bisect(buyers, 10, 0.06, 0.28), 9)
    result.probability.forEach((q, m) => expect(q).toBeCloseTo(offers[m]!.supplyKWh / 10, 9))
    expect(totalDemand(buyers, result.price!)).toBeCloseTo(10, 6)
  })

  it('sells everything at the cap when demand at the cap exceeds supply', () => {
    const result = clearMarket(
      [
        { supplyKWh: 1, reservePrice: 0.05 },
        { supplyKWh: 3, reservePrice: 0.1 }
      ],
      buyers,
      0.12
    )
    expect(result.price).toBe(0.12)
    expect(result.soldKWh).toEqual([1, 3])
    expect(result.probability).toEqual([0.25, 0.75])
  })

  it('lets the cheapest sellers sell when supply exceeds demand at the reserve prices', () => {
    const result = clearMarket(
      [
        { supplyKWh: 30, reservePrice: 0.2 },
        { supplyKWh: 30, reservePrice: 0.1 }
      ],
      buyers,
      0.28
    )
    expect(result.price).toBe(0.1)
    expect(result.soldKWh[0]).toBe(0)
    expect(result.soldKWh[1]).toBeCloseTo(totalDemand(buyers, 0.1), 9)
    expect(result.probability).toEqual([0, 1])
  })

  it('trades nothing when every reserve is above the cap', () => {
    expect(clearMarket([{ supplyKWh: 5, reservePrice: 0.3 }], buyers, 0.28)).toEqual({ price: null, soldKWh: [0], probability: [0] })
  })

  it('over random markets: sold within supply, money and energy conserved, and the EGT agrees at the clearing price', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            supplyKWh: fc.double({ min: 0.1, max: 15, noNaN: true }),
            reservePrice: fc.double({ min: 0.01, max: 0.2, noNaN: true })
          }),
          { minLength: 1, maxLength: 10 }
        ),
        fc.double({ min: 0.2, max: 0.3, noNaN: true }),
        (offers, cap) => {
          const { price, soldKWh, probability } = clearMarket(offers, buyers, cap)
          soldKWh.forEach((sold, m) => {
            expect(sold).toBeGreaterThanOrEqual(0)
            expect(sold).toBeLessThanOrEqual(offers[m]!.supplyKWh + 1e-9)
            if (sold > 1e-9) expect(offers[m]!.reservePrice).toBeLessThanOrEqual(price! + 1e-12)
          })
          if (price === null) return
          const sold = soldKWh.reduce((a, b) => a + b, 0)
          // grids buy exactly what is sold, unless even the cap leaves them short
          if (price < cap - 1e-9) expect(sold).toBeCloseTo(totalDemand(buyers, price), 6)
          else expect(sold).toBeLessThanOrEqual(totalDemand(buyers, price) + 1e-6)
          expect(probability.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
          // at one price with every seller's ratio equal, Algorithm 1 has nothing left to move
          const selling = soldKWh.map((s, m) => [s, m] as const).filter(([s]) => s > 1e-9)
          const egt = runEgt(
            selling.map(() => price),
            selling.map(([s]) => s),
            buyers,
            undefined,
            selling.map(([s]) => s / sold)
          )
          expect(egt.iterations).toBeLessThan(5)
        }
      ),
      { numRuns: 200, seed: 21 }
    )
  })

  it('finds the price for a demand by bisection within its bounds', () => {
    expect(priceForDemand(buyers, 1000, 0.05, 0.2)).toBe(0.05)
    expect(priceForDemand(buyers, 0, 0.05, 0.2)).toBe(0.2)
    expect(totalDemand(buyers, priceForDemand(buyers, 7, 0, 0.3))).toBeCloseTo(7, 9)
  })
})
