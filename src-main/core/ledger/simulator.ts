// Discrete-event simulation of a tangle for offline scalability analysis (Popov's model):
// transactions arrive as a Poisson process of rate λ; each selects its two parents with the
// walk of tipSelection.ts over the tangle it can see, which holds only what was issued at
// least h (the attachment delay) earlier. Popov's result for this model: about 2λh tips,
// and a mean time to first approval of about 2h.
import { NONE, TangleGraph } from './graph'
import { seededRandom } from '../../../src-shared/random'
import { DEFAULT_TIP_SELECTION, TipSelector } from './tipSelection'

export interface SimulationOptions {
  /** λ, transactions per unit of time */
  rate: number
  /** h, the attachment delay, in the same unit */
  delay: number
  transactions: number
  alpha: number
  seed: number
  /** the first share of transactions is warm-up, left out of the averages */
  warmUpShare?: number
  onProgress?: (done: number, total: number) => void
}

export interface SimulationResult {
  rate: number
  delay: number
  transactions: number
  alpha: number
  /** time-average of the number of unapproved transactions, visible or not */
  meanTips: number
  /** Popov's L0 = 2λh */
  expectedTips: number
  meanFirstApprovalDelay: number
}

export function simulateTangle(options: SimulationOptions): SimulationResult {
  const { rate, delay, transactions: n, alpha } = options
  if (!(rate > 0) || !(delay >= 0) || !(n >= 2)) throw new Error('rate must be > 0, delay >= 0 and transactions >= 2')
  const random = seededRandom(options.seed)
  const visible = new TangleGraph()
  const selector = new TipSelector(visible, random, { ...DEFAULT_TIP_SELECTION, alpha })

  const issuedAt = new Float64Array(n)
  const parents = new Int32Array(2 * n)
  const firstApprovedAt = new Float64Array(n).fill(-1)
  const graphIndex = new Int32Array(n).fill(NONE)
  const id = new Uint8Array(32)
  const idView = new DataView(id.buffer)
  const reveal = (i: number) => {
    idView.setUint32(28, i, true)
    const trunk = i === 0 ? NONE : graphIndex[parents[2 * i]!]!
    const branch = i === 0 ? NONE : graphIndex[parents[2 * i + 1]!]!
    graphIndex[i] = visible.add(id, trunk, branch, issuedAt[i]!)
  }
  // graph index -> transaction number: reveal order is issue order, so they coincide
  reveal(0)

  const warmUp = Math.floor(n * (options.warmUpShare ?? 0.2))
  let now = 0
  let revealed = 1
  let tips = 1
  let tipTime = 0
  let measuredTime = 0
  for (let i = 1; i < n; i++) {
    const next = now - Math.log(1 - random()) / rate
    if (i > warmUp) {
      tipTime += tips * (next - now)
      measuredTime += next - now
    }
    now = next
    while (revealed < i && issuedAt[revealed]! <= now - delay) reveal(revealed++)
    const [a, b] = selector.selectPair()
    issuedAt[i] = now
    parents[2 * i] = a
    parents[2 * i + 1] = b
    for (const p of a === b ? [a] : [a, b]) {
      if (firstApprovedAt[p]! < 0) {
        firstApprovedAt[p] = now
        tips--
      }
    }
    tips++
    if (options.onProgress && i % 10_000 === 0) options.onProgress(i, n)
  }

  let delaySum = 0
  let approved = 0
  for (let i = warmUp; i < n; i++) {
    if (firstApprovedAt[i]! >= 0) {
      delaySum += firstApprovedAt[i]! - issuedAt[i]!
      approved++
    }
  }
  return {
    rate,
    delay,
    transactions: n,
    alpha,
    meanTips: measuredTime > 0 ? tipTime / measuredTime : tips,
    expectedTips: 2 * rate * delay,
    meanFirstApprovalDelay: approved ? delaySum / approved : Number.NaN
  }
}
