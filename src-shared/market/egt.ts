// Evolutionary game among the grids: Algorithm 1, eqs. (19)–(33), as docs/model.md reads them.
// Given the sellers' prices, the grids' selection probabilities Q evolve by the discrete
// replicator (32) until every seller still chosen earns the mean utility (33).
import { replicatorStep } from './replicator'
import { bestResponse, type Buyer } from './welfare'

export interface EgtOptions {
  /** σ1 of (32); scaled down when a step would leave the simplex */
  sigma1: number
  /** C of (33) */
  tolerance: number
  maxIterations: number
  /** sellers with Q below this no longer count for (33) */
  epsilon: number
}

export const DEFAULT_EGT: EgtOptions = { sigma1: 1, tolerance: 1e-9, maxIterations: 20_000, epsilon: 1e-9 }

export interface SellerState {
  /** D_m (20) */
  demand: number[]
  /** R_m = S_m / D_m (19), Infinity when D_m = 0 */
  ratio: number[]
  /** u_m (24), (25) */
  utility: number[]
  /** ū (28) */
  meanUtility: number
}

export interface EgtIteration extends SellerState {
  q: number[]
}

export interface EgtResult extends EgtIteration {
  iterations: number
  converged: boolean
  trace: EgtIteration[]
}

/** What the grids' best responses give each seller at its price: Σ_n p*_n(ϖ_m) and K_m. Fixed while Q moves. */
export interface PriceResponse {
  bought: Float64Array
  k: Float64Array
}

/** O(M·N): the only part of an iteration that depends on the buyers. */
export function priceResponse(prices: readonly number[], buyers: readonly Buyer[]): PriceResponse {
  const bought = new Float64Array(prices.length)
  const k = new Float64Array(prices.length)
  prices.forEach((price, m) => {
    let sum = 0
    let kSum = 0 // K_m = Σ_n κ_n p*_n(ϖ_m)²
    for (const b of buyers) {
      const p = bestResponse(b, price)
      sum += p
      kSum += b.kappa * p * p
    }
    bought[m] = sum
    k[m] = kSum
  })
  return { bought, k }
}

/** D, R and u of every seller for selection probabilities q, given the price response. O(M). */
export function stateFromResponse(response: PriceResponse, supplies: readonly number[], q: readonly number[]): SellerState {
  const count = q.length
  const demand = new Array<number>(count)
  const ratio = new Array<number>(count)
  const utility = new Array<number>(count)
  let meanUtility = 0
  for (let m = 0; m < count; m++) {
    const d = q[m]! * response.bought[m]!
    const r = d > 0 ? supplies[m]! / d : Number.POSITIVE_INFINITY
    const u = r >= 1 ? response.k[m]! / 2 : (r - (r * r) / 2) * response.k[m]!
    demand[m] = d
    ratio[m] = r
    utility[m] = u
    meanUtility += q[m]! * u
  }
  return { demand, ratio, utility, meanUtility }
}

/** D, R and u of every seller for given prices, supplies and selection probabilities. */
export function sellerState(
  prices: readonly number[],
  supplies: readonly number[],
  q: readonly number[],
  buyers: readonly Buyer[]
): SellerState {
  return stateFromResponse(priceResponse(prices, buyers), supplies, q)
}

/**
 * Algorithm 1 from q0 (uniform when omitted). The trace holds every iteration for the charts
 * unless `keepTrace` is false (the Stackelberg loop keeps its own, one entry per price change).
 */
export function runEgt(
  prices: readonly number[],
  supplies: readonly number[],
  buyers: readonly Buyer[],
  options: EgtOptions = DEFAULT_EGT,
  q0?: readonly number[],
  keepTrace = true
): EgtResult {
  const count = prices.length
  const response = priceResponse(prices, buyers)
  let q = q0 ? [...q0] : Array.from({ length: count }, () => 1 / count)
  const trace: EgtIteration[] = []
  for (let iteration = 1; ; iteration++) {
    const state = stateFromResponse(response, supplies, q)
    if (keepTrace) trace.push({ q, ...state })
    let gap = 0
    for (let m = 0; m < count; m++) if (q[m]! > options.epsilon) gap = Math.max(gap, Math.abs(state.utility[m]! - state.meanUtility))
    const converged = gap < options.tolerance
    if (converged || iteration >= options.maxIterations) return { q, ...state, iterations: iteration, converged, trace }
    // a step of σ·(u − ū) ≤ −1 would make some Q negative: keep every step above −1/2
    let worst = 0
    for (let m = 0; m < count; m++) worst = Math.max(worst, state.meanUtility - state.utility[m]!)
    const sigma = worst > 0 ? Math.min(options.sigma1, 0.5 / worst) : options.sigma1
    q = normalise(replicatorStep(q, state.utility, sigma))
  }
}

/** Removes the rounding drift off the simplex that many small steps accumulate. */
function normalise(q: number[]): number[] {
  const sum = q.reduce((a, b) => a + Math.max(b, 0), 0)
  return q.map((v) => Math.max(v, 0) / sum)
}
