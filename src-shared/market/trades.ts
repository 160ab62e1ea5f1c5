// Who buys what from whom once prices and selection probabilities are set (MODEL.md "Trades and
// settlement"), and the first-price sealed-bid baseline the paper compares with (fig. 10).
import { bestResponse, gridWelfare, type Buyer } from './welfare'

export interface Trade {
  buyer: number
  seller: number
  energyKWh: number
  price: number
  paid: number
}

/** x_nm = Q_m · p*_n(ϖ_m) · min(1, R_m), paid at ϖ_m: Σ_n x_nm never exceeds S_m. */
export function tradesAt(prices: readonly number[], probability: readonly number[], ratio: readonly number[], buyers: readonly Buyer[]): Trade[] {
  const trades: Trade[] = []
  prices.forEach((price, m) => {
    buyers.forEach((buyer, n) => {
      const energyKWh = probability[m]! * bestResponse(buyer, price) * Math.min(1, ratio[m]!)
      if (energyKWh > 0) trades.push({ buyer: n, seller: m, energyKWh, price, paid: price * energyKWh })
    })
  })
  return trades
}

/** Each grid's energy bought, payment and welfare W_n (18) over its trades. */
export function buyerOutcomes(trades: readonly Trade[], buyers: readonly Buyer[]) {
  return buyers.map((buyer, n) => {
    const mine = trades.filter((t) => t.buyer === n)
    const boughtKWh = mine.reduce((sum, t) => sum + t.energyKWh, 0)
    const paid = mine.reduce((sum, t) => sum + t.paid, 0)
    // W = U(p) − payment; with one price per seller the payment is the sum of the trades
    const welfare = gridWelfare(buyer, boughtKWh, 0) - paid
    return { boughtKWh, paid, welfare }
  })
}

export interface BaselineSeller {
  ask: number
  soldKWh: number
}

/**
 * First-price sealed-bid procurement: each seller asks b_m = c_m + (ϖ^max − c_m)/M (the symmetric
 * equilibrium bid with costs uniform up to ϖ^max); the grids' demand is served cheapest ask first,
 * each winner paid its own ask. A grid buys from an ask only what it wants at that ask.
 */
export function firstPriceBaseline(
  offers: readonly { supplyKWh: number; reservePrice: number }[],
  buyers: readonly Buyer[],
  priceCap: number
): { sellers: BaselineSeller[]; totalPaid: number } {
  const count = offers.length
  const sellers = offers.map((o) => ({ ask: o.reservePrice + (priceCap - o.reservePrice) / count, soldKWh: 0 }))
  const bought = buyers.map(() => 0)
  let totalPaid = 0
  const order = sellers.map((s, m) => [s.ask, m] as const).sort((a, b) => a[0] - b[0])
  for (const [ask, m] of order) {
    if (ask > priceCap) continue
    let left = offers[m]!.supplyKWh
    buyers.forEach((buyer, n) => {
      const wanted = Math.max(0, bestResponse(buyer, ask) - bought[n]!)
      const energy = Math.min(wanted, left)
      if (energy <= 0) return
      bought[n]! += energy
      left -= energy
      sellers[m]!.soldKWh += energy
      totalPaid += energy * ask
    })
  }
  return { sellers, totalPaid }
}
