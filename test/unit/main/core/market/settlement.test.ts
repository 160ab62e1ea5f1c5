import { describe, expect, it } from 'vitest'
import type { SlotOutcome } from '../../../../../src-shared/market/day'
import { marketRecords, pairPayments, toBaseUnits } from '../../../../../src-main/core/market/settlement'

function slot(trades: SlotOutcome['trades'], sellers = 2): SlotOutcome {
  return {
    t: 5,
    priceCap: 0.2,
    converged: true,
    iterations: { stackelberg: 3, egt: 10 },
    clearingPrice: 0.15,
    sellers: Array.from({ length: sellers }, (_, m) => ({
      id: `EV${m + 1}`,
      supplyKWh: 2,
      reservePrice: 0.05,
      price: 0.15,
      probability: 1 / sellers,
      demandKWh: 2,
      ratio: 1,
      utility: 1,
      soldKWh: 2,
      earned: 0.3
    })),
    buyers: [],
    trades,
    baseline: { sellers: [], totalPaid: 0 },
    tradedKWh: trades.reduce((sum, t) => sum + t.energyKWh, 0),
    totalPaid: trades.reduce((sum, t) => sum + t.paid, 0),
    fromMeters: [],
    trace: null
  }
}

describe('settlement', () => {
  it('pays whole base units, rounded to the nearest', () => {
    expect(toBaseUnits(0.1234567, 1_000_000)).toBe(123457n)
    expect(toBaseUnits(0.0000004, 1_000_000)).toBe(0n)
  })

  it('makes one payment per grid–EV pair, and none for a payment that rounds to nothing', () => {
    const payments = pairPayments(
      slot([
        { buyer: 'G1', seller: 'EV1', energyKWh: 1.5, price: 0.15, paid: 0.225 },
        { buyer: 'G2', seller: 'EV1', energyKWh: 0.5, price: 0.15, paid: 0.075 },
        { buyer: 'G1', seller: 'EV2', energyKWh: 0.000001, price: 0.15, paid: 0.00000015 }
      ]),
      1_000_000
    )
    expect(payments).toEqual([
      { buyer: 'G1', seller: 'EV1', energyWh: 1500, paid: 0.225, amount: 225000n },
      { buyer: 'G2', seller: 'EV1', energyWh: 500, paid: 0.075, amount: 75000n }
    ])
  })

  it('records the slot as one data transaction, or as numbered parts that fit the ledger when the market is large', () => {
    const small = marketRecords('run-1', slot([{ buyer: 'G1', seller: 'EV1', energyKWh: 2, price: 0.15, paid: 0.3 }]), 1_000_000)
    expect(small).toHaveLength(1)
    expect(JSON.parse(new TextDecoder().decode(small[0]))).toEqual({
      run: 'run-1',
      t: 5,
      price: 0.15,
      sellers: [
        ['EV1', 0.15, 0.5, 2000, 2000],
        ['EV2', 0.15, 0.5, 2000, 2000]
      ],
      trades: [['G1', 'EV1', 2000, '300000']]
    })

    const large = marketRecords('run-1', slot([], 300), 1_000_000)
    expect(large.length).toBeGreaterThan(1)
    const parts = large.map((bytes) => JSON.parse(new TextDecoder().decode(bytes)))
    for (const [i, part] of parts.entries()) {
      expect(part).toMatchObject({ run: 'run-1', t: 5, part: i + 1, parts: large.length })
      expect(large[i]!.length).toBeLessThanOrEqual(3000)
    }
    expect(parts.flatMap((p) => p.sellers ?? [])).toHaveLength(300)
  })
})
