// Evolutionary game among the grids: Algorithm 1, eqs. (19)–(33), as MODEL.md reads them.
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

/** D, R and u of every seller for given prices, supplies and selection probabilities. */
export function sellerState(prices: readonly number[], supplies: readonly number[], q: readonly number[], buyers: readonly Buyer[]): SellerState {
  const demand: number[] = []
  const ratio: number[] = []
  const utility: number[] = []
  let meanUtility = 0
  prices.forEach((price, m) => {
    let bought = 0
    let k = 0 // K_m = Σ_n κ_n p*_n(ϖ_m)²
    for (const b of buyers) {
      const p = bestResponse(b, price)
      bought += p
      k += b.kappa * p * p
    }
    const d = q[m]! * bought
    const r = d > 0 ? supplies[m]! / d : Number.POSITIVE_INFINITY
    const u = r >= 1 ? k / 2 : (r - (r * r) / 2) * k
    demand.push(d)
    ratio.push(r)
    utility.push(u)
    meanUtility += q[m]! * u
  })
  return { demand, ratio, utility, meanUtility }
}

/** Algorithm 1 from q0 (uniform when omitted); the trace holds every iteration for the charts. */
export function runEgt(
  prices: readonly number[],
  supplies: readonly number[],
  buyers: readonly Buyer[],
  options: EgtOptions = DEFAULT_EGT,
  q0?: readonly number[]
): EgtResult {
  const count = prices.length
  let q = q0 ? [...q0] : Array.from({ length: count }, () => 1 / count)
  const trace: EgtIteration[] = []
  for (let iteration = 1; ; iteration++) {
    const state = sellerState(prices, supplies, q, buyers)
    trace.push({ q, ...state })
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
