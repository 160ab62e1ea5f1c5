// The equilibrium the Stackelberg game must reach (docs/model.md "What the equilibrium must satisfy"),
// solved directly: one uniform price where the grids' best-response demand meets the supply of
// the sellers willing to sell at it. Sellers whose reserve is below that price sell everything,
// the marginal ones share what is left in proportion to their supply, dearer ones sell nothing.
// The literal iterations of Algorithm 2 are what the operator watches; this is what is settled.
import { totalDemand, type Buyer } from './welfare'

export interface Offer {
  supplyKWh: number
  /** ϖ_m^min: at least the seller's degradation cost ω (10) */
  reservePrice: number
}

export interface Clearing {
  /** ϖ*; null when nothing trades (every reserve above what any grid pays) */
  price: number | null
  /** energy each seller sells, kWh */
  soldKWh: number[]
  /** Q_m = sold_m / Σ sold */
  probability: number[]
}

/** Price at which total demand equals `supply`, within [low, high], by bisection on a decreasing demand. */
export function priceForDemand(buyers: readonly Buyer[], supply: number, low: number, high: number, tolerance = 1e-12): number {
  if (totalDemand(buyers, low) <= supply) return low
  if (totalDemand(buyers, high) >= supply) return high
  let lo = low
  let hi = high
  while (hi - lo > tolerance * Math.max(1, hi)) {
    const mid = (lo + hi) / 2
    if (totalDemand(buyers, mid) > supply) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

export function clearMarket(offers: readonly Offer[], buyers: readonly Buyer[], priceCap: number): Clearing {
  const sold = offers.map(() => 0)
  const willing = offers.map((o, m) => ({ ...o, m })).filter((o) => o.reservePrice <= priceCap && o.supplyKWh > 0)
  willing.sort((a, b) => a.reservePrice - b.reservePrice)
  // reserve levels from cheapest up, each with the supply of everyone at or below it
  const levels: { price: number; first: number; end: number; supplyBelow: number; supplyHere: number }[] = []
  let supplyBelow = 0
  for (let i = 0; i < willing.length;) {
    let end = i
    let supplyHere = supplyBelow
    while (end < willing.length && willing[end]!.reservePrice === willing[i]!.reservePrice) supplyHere += willing[end++]!.supplyKWh
    levels.push({ price: willing[i]!.reservePrice, first: i, end, supplyBelow, supplyHere })
    supplyBelow = supplyHere
    i = end
  }
  let price: number | null = null
  for (const [i, level] of levels.entries()) {
    const nextLevel = levels[i + 1]?.price ?? priceCap
    const demandHere = totalDemand(buyers, level.price)
    if (demandHere <= level.supplyHere) {
      // the marginal sellers at this level set the price and share what the grids still want
      price = level.price
      const share = Math.max(0, demandHere - level.supplyBelow) / (level.supplyHere - level.supplyBelow)
      for (let j = 0; j < level.end; j++) sold[willing[j]!.m] = j < level.first ? willing[j]!.supplyKWh : willing[j]!.supplyKWh * share
      break
    }
    if (totalDemand(buyers, nextLevel) <= level.supplyHere || i === levels.length - 1) {
      // everyone up to this level sells out, at the price where demand falls to their supply
      price = priceForDemand(buyers, level.supplyHere, level.price, nextLevel)
      const scale = Math.min(1, totalDemand(buyers, price) / level.supplyHere)
      for (let j = 0; j < level.end; j++) sold[willing[j]!.m] = willing[j]!.supplyKWh * scale
      break
    }
  }
  const total = sold.reduce((a, b) => a + b, 0)
  return { price: total > 0 ? price : null, soldKWh: sold, probability: sold.map((s) => (total > 0 ? s / total : 0)) }
}
