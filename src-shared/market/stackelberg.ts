// One market slot: the Stackelberg loop of Algorithm 2, eqs. (38)–(40), between EVs (leaders,
// setting prices) and grids (followers, playing Algorithm 1), then the equilibrium it is after.
//
// Which solve is used (docs/model.md "What the equilibrium must satisfy"): the literal loop runs first, with a step that
// diminishes as σ2/√y, and its iterations are kept as the trace the operator watches. At given
// prices the grids' choice is nearly winner-take-all, so that loop chatters around ϖ* rather than
// landing on it; what is reported and settled is therefore the equilibrium solved directly
// (clearing.ts), then checked by Algorithm 1 at those prices: the slot is converged only when the
// grids find nothing to move there, |u_m − ū| < C (33), within the EGT iteration limit. The loop
// is skipped when no trace is wanted (a day of analysis solves the equilibrium only).
import { clearMarket, type Offer } from './clearing'
import { DEFAULT_EGT, runEgt, type EgtIteration } from './egt'
import { randomSimplexPoint } from '../random'
import { buyerOutcomes, firstPriceBaseline, TradeTable, tradesAt } from './trades'
import type { Buyer } from './welfare'

export interface SellerOffer extends Offer {
  /** ϖ_m(1); the midpoint of reserve and cap when not given */
  initialPrice?: number
}

export interface GameOptions {
  sigma1: number
  sigma2: number
  /** C of (33) and (39) */
  tolerance: number
  /** iterations of the literal loop kept for the trace */
  maxIterations: number
  egtMaxIterations: number
  /** Algorithm 1's initial Q is random from this seed; uniform when absent */
  seed?: number
}

export const DEFAULT_GAME: GameOptions = { sigma1: 1, sigma2: 0.002, tolerance: 1e-6, maxIterations: 200, egtMaxIterations: 2000 }

export interface LoopIteration extends EgtIteration {
  prices: number[]
  egtIterations: number
}

export interface SlotResult {
  converged: boolean
  iterations: { stackelberg: number; egt: number }
  clearingPrice: number | null
  prices: number[]
  probability: number[]
  demand: number[]
  ratio: number[]
  utility: number[]
  trace: LoopIteration[]
  trades: TradeTable
  buyers: { boughtKWh: number; paid: number; welfare: number }[]
  baseline: ReturnType<typeof firstPriceBaseline>
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi)

/** (39), (40): every seller's demand meets its supply, or its price is pinned where the push goes. */
function settled(prices: readonly number[], state: EgtIteration, offers: readonly Offer[], priceCap: number, tolerance: number): boolean {
  return offers.every((o, m) => {
    const gap = state.demand[m]! - o.supplyKWh
    if (Math.abs(gap) < tolerance) return true
    return (gap < 0 && prices[m]! <= o.reservePrice) || (gap > 0 && prices[m]! >= priceCap)
  })
}

export function solveSlot(
  offers: readonly SellerOffer[],
  buyers: readonly Buyer[],
  priceCap: number,
  options: GameOptions = DEFAULT_GAME,
  withTrace = true
): SlotResult {
  const supplies = offers.map((o) => o.supplyKWh)
  const egtOptions = { ...DEFAULT_EGT, sigma1: options.sigma1, maxIterations: options.egtMaxIterations }
  const q0 = options.seed === undefined ? undefined : randomSimplexPoint(offers.length, options.seed)
  let prices = offers.map((o) => clamp(o.initialPrice ?? (o.reservePrice + priceCap) / 2, o.reservePrice, priceCap))
  let q = q0
  let egtIterations = 0
  const trace: LoopIteration[] = []

  // the literal loop, for the trace; Q carries over from one price announcement to the next
  for (let y = 1; withTrace && y <= options.maxIterations; y++) {
    const egt = runEgt(prices, supplies, buyers, egtOptions, q, false)
    egtIterations += egt.iterations
    q = egt.q
    trace.push({
      prices,
      q: egt.q,
      demand: egt.demand,
      ratio: egt.ratio,
      utility: egt.utility,
      meanUtility: egt.meanUtility,
      egtIterations: egt.iterations
    })
    if (settled(prices, egt, offers, priceCap, options.tolerance)) break
    const step = options.sigma2 / Math.sqrt(y)
    prices = prices.map((p, m) => clamp(p + step * (egt.demand[m]! - supplies[m]!), offers[m]!.reservePrice, priceCap))
  }

  // the equilibrium: one clearing price for those who sell, the reserve for those who do not
  const clearing = clearMarket(offers, buyers, priceCap)
  const finalPrices = offers.map((o, m) =>
    clearing.price !== null && clearing.soldKWh[m]! > 0 ? clearing.price : clamp(o.reservePrice, 0, priceCap)
  )
  const check = runEgt(finalPrices, supplies, buyers, egtOptions, clearing.price === null ? q : clearing.probability, false)
  egtIterations += check.iterations
  const probability = clearing.price === null ? check.q : clearing.probability
  const trades = clearing.price === null ? new TradeTable(finalPrices) : tradesAt(finalPrices, probability, check.ratio, buyers)

  return {
    converged: check.converged,
    iterations: { stackelberg: trace.length, egt: egtIterations },
    clearingPrice: clearing.price,
    prices: finalPrices,
    probability,
    demand: check.demand,
    ratio: check.ratio,
    utility: check.utility,
    trace,
    trades,
    buyers: buyerOutcomes(trades, buyers),
    baseline: firstPriceBaseline(offers, buyers, priceCap)
  }
}
