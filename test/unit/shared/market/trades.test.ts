import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clearMarket } from '../../../../src-shared/market/clearing'
import { sellerState } from '../../../../src-shared/market/egt'
import { buyerOutcomes, firstPriceBaseline, tradesAt } from '../../../../src-shared/market/trades'
import { bestResponse, type Buyer } from '../../../../src-shared/market/welfare'

const buyers: Buyer[] = [
  { xi: 0.3, kappa: 0.01, demandCapKWh: 12 },
  { xi: 0.25, kappa: 0.02, demandCapKWh: 8 }
]

const offerArb = fc.array(
  fc.record({ supplyKWh: fc.double({ min: 0.1, max: 15, noNaN: true }), reservePrice: fc.double({ min: 0.01, max: 0.2, noNaN: true }) }),
  { minLength: 1, maxLength: 10 }
)

describe('trades', () => {
  it('conserve energy (Σ_n x_nm ≤ S_m) and money (paid = price × energy) on random cleared markets', () => {
    fc.assert(
      fc.property(offerArb, (offers) => {
        const { price, probability } = clearMarket(offers, buyers, 0.28)
        if (price === null) return
        const prices = offers.map(() => price)
        const state = sellerState(
          prices,
          offers.map((o) => o.supplyKWh),
          probability,
          buyers
        )
        const table = tradesAt(prices, probability, state.ratio, buyers)
        const trades = table.list()
        offers.forEach((o, m) => {
          const sold = trades.filter((t) => t.seller === m).reduce((sum, t) => sum + t.energyKWh, 0)
          expect(sold).toBeLessThanOrEqual(o.supplyKWh + 1e-9)
        })
        for (const t of trades) expect(t.paid).toBeCloseTo(t.price * t.energyKWh, 12)
        buyerOutcomes(table, buyers).forEach((b, n) => expect(b.boughtKWh).toBeLessThanOrEqual(bestResponse(buyers[n]!, price) + 1e-9))
      }),
      { numRuns: 150, seed: 8 }
    )
  })
})

describe('first-price sealed-bid baseline', () => {
  it('asks c + (cap − c)/M and serves demand cheapest ask first, paying each its ask', () => {
    const offers = [
      { supplyKWh: 4, reservePrice: 0.1 },
      { supplyKWh: 100, reservePrice: 0.16 }
    ]
    const { sellers, totalPaid } = firstPriceBaseline(offers, buyers, 0.28)
    expect(sellers[0]!.ask).toBeCloseTo(0.19, 12)
    expect(sellers[1]!.ask).toBeCloseTo(0.22, 12)
    expect(sellers[0]!.soldKWh).toBe(4) // the cheaper ask sells out first
    const wantedAtSecond = bestResponse(buyers[0]!, 0.22) + bestResponse(buyers[1]!, 0.22)
    expect(sellers[1]!.soldKWh).toBeCloseTo(Math.max(0, wantedAtSecond - 4), 9)
    expect(totalPaid).toBeCloseTo(4 * 0.19 + sellers[1]!.soldKWh * 0.22, 12)
  })
})
