// Who buys what from whom once prices and selection probabilities are set (docs/model.md "Trades and
// settlement"), and the first-price sealed-bid baseline the paper compares with (fig. 10).
import { doubled } from '../typedArrays'
import { bestResponse, gridWelfare, type Buyer } from './welfare'

export interface Trade {
  buyer: number
  seller: number
  energyKWh: number
  price: number
  paid: number
}

/**
 * Trades in columns: a market of 10,000 EVs and 1,000 grids makes millions of them, which plain
 * objects would hold at ten times the memory and time. The price of a trade is its seller's.
 */
export class TradeTable {
  count = 0
  buyer = new Int32Array(64)
  seller = new Int32Array(64)
  energyKWh = new Float64Array(64)

  constructor(readonly prices: readonly number[]) {}

  add(buyer: number, seller: number, energyKWh: number): void {
    if (this.count === this.buyer.length) {
      this.buyer = doubled(this.buyer)
      this.seller = doubled(this.seller)
      this.energyKWh = doubled(this.energyKWh)
    }
    this.buyer[this.count] = buyer
    this.seller[this.count] = seller
    this.energyKWh[this.count++] = energyKWh
  }

  trade(i: number): Trade {
    const price = this.prices[this.seller[i]!]!
    return { buyer: this.buyer[i]!, seller: this.seller[i]!, energyKWh: this.energyKWh[i]!, price, paid: price * this.energyKWh[i]! }
  }

  list(): Trade[] {
    return Array.from({ length: this.count }, (_, i) => this.trade(i))
  }
}

/** x_nm = Q_m · p*_n(ϖ_m) · min(1, R_m), paid at ϖ_m: Σ_n x_nm never exceeds S_m. */
export function tradesAt(
  prices: readonly number[],
  probability: readonly number[],
  ratio: readonly number[],
  buyers: readonly Buyer[]
): TradeTable {
  const table = new TradeTable(prices)
  for (let m = 0; m < prices.length; m++) {
    const share = probability[m]! * Math.min(1, ratio[m]!)
    if (!(share > 0)) continue
    for (let n = 0; n < buyers.length; n++) {
      const energyKWh = share * bestResponse(buyers[n]!, prices[m]!)
      if (energyKWh > 0) table.add(n, m, energyKWh)
    }
  }
  return table
}

/** Each grid's energy bought, payment and welfare W_n (18) over its trades. */
export function buyerOutcomes(trades: TradeTable, buyers: readonly Buyer[]) {
  const boughtKWh = buyers.map(() => 0)
  const paid = buyers.map(() => 0)
  for (let i = 0; i < trades.count; i++) {
    const n = trades.buyer[i]!
    boughtKWh[n]! += trades.energyKWh[i]!
    paid[n]! += trades.energyKWh[i]! * trades.prices[trades.seller[i]!]!
  }
  // W = U(p) − payment; with one price per seller the payment is the sum of the trades
  return buyers.map((buyer, n) => ({ boughtKWh: boughtKWh[n]!, paid: paid[n]!, welfare: gridWelfare(buyer, boughtKWh[n]!, 0) - paid[n]! }))
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
