// Tip selection (docs/model.md "Tip selection"): a random walk from an entry point a bounded distance below
// the tips, stepping to approver y with probability ∝ exp(α·(CW(y) − CW_max)), ending at a tip.
// Cumulative weights are computed over the entry point's future cone only (as IRI 1.5.0), and
// the entry point is never more than `window` transactions old, so the cost of one selection
// does not grow with the tangle.
import { popcount } from './bits'
import { NONE, type TangleGraph } from './graph'

export interface TipSelectionOptions {
  /** α of the walk; 0 steps uniformly among approvers */
  alpha: number
  /** how many of the newest transactions the entry point's future cone spans at least */
  window: number
  /**
   * and at least this many per current tip: an entry point too close to the tips starves the
   * ones outside its cone (measured with `dv2g tangle sim`: 50 per tip keeps α = 0 within 11 %
   * of Popov's 2λh tips, 5 per tip leaves ten times as many)
   */
  windowPerTip: number
  /** and at most this many, which bounds the weight bitsets to maxWindow²/8 bytes */
  maxWindow: number
}

export const DEFAULT_TIP_SELECTION: TipSelectionOptions = { alpha: 0.05, window: 512, windowPerTip: 50, maxWindow: 8192 }

export type Random = () => number

/** The entry point's future cone in index (topological) order, with cumulative weights. */
interface Cone {
  entry: number
  /** index − entry -> position in the cone, NONE outside it */
  localOf: Int32Array
  weight: Int32Array | null
}

export class TipSelector {
  /**
   * An index the entry point must not be above, when something below the window still has to
   * be decided (the ledger sets it below every open double spend, so walks pass the fork and
   * the weights pick a side).
   */
  entryCeiling: () => number = () => Number.POSITIVE_INFINITY

  constructor(
    private readonly graph: TangleGraph,
    private readonly random: Random = Math.random,
    readonly options: TipSelectionOptions = DEFAULT_TIP_SELECTION
  ) {}

  /** Steps back along trunks from a random tip to the oldest ancestor inside the window. */
  entryPoint(): number {
    const g = this.graph
    if (g.size === 0) throw new Error('the tangle is empty: attach a genesis first')
    const tips = g.tips
    let x = tips.size ? tips.at(Math.floor(this.random() * tips.size)) : g.size - 1
    while (g.invalid[x] === 1 && g.trunk[x] !== NONE) x = g.trunk[x]!
    const { window, windowPerTip, maxWindow } = this.options
    const oldest = Math.max(0, g.size - Math.min(maxWindow, Math.max(window, windowPerTip * tips.size)))
    const ceiling = this.entryCeiling()
    for (let parent = g.trunk[x]!; parent !== NONE && (parent >= oldest || x > ceiling); parent = g.trunk[x]!) x = parent
    return x
  }

  /**
   * One walk from the entry point to a tip, weighted by the entry's cone (undefined: uniform
   * steps); one cone serves every walk from that entry.
   */
  walk(entry: number, cone: Cone | undefined): number {
    const g = this.graph
    const candidates: number[] = []
    const weights: number[] = []
    for (let x = entry; ;) {
      candidates.length = 0
      g.forEachApprover(x, (y) => {
        if (g.invalid[y] === 0) candidates.push(y)
      })
      if (candidates.length === 0) return x
      x = candidates.length === 1 ? candidates[0]! : this.step(candidates, cone, weights)
    }
  }

  /**
   * `count` tips, each from a fresh entry point with its weights. Walks from the same entry share
   * its cone (most do: entries lie at the window's edge), which costs far more than a walk.
   */
  selectTips(count: number): number[] {
    const cones = new Map<number, Cone>()
    const coneOf = (entry: number) => cones.get(entry) ?? cones.set(entry, this.cone(entry)).get(entry)!
    return Array.from({ length: count }, () => {
      const entry = this.entryPoint()
      return this.walk(entry, this.options.alpha === 0 ? undefined : coneOf(entry))
    })
  }

  /** Two walks from one entry point: the trunk and branch for a new transaction. */
  selectPair(): [number, number] {
    const entry = this.entryPoint()
    const cone = this.options.alpha === 0 ? undefined : this.cone(entry)
    return [this.walk(entry, cone), this.walk(entry, cone)]
  }

  private step(candidates: number[], cone: Cone | undefined, weights: number[]): number {
    if (!cone?.weight || this.options.alpha === 0) return candidates[Math.floor(this.random() * candidates.length)]!
    let max = 0
    const weightOf = (y: number) => cone.weight![cone.localOf[y - cone.entry]!]!
    for (const y of candidates) max = Math.max(max, weightOf(y))
    weights.length = 0
    let total = 0
    for (const y of candidates) {
      const w = Math.exp(this.options.alpha * (weightOf(y) - max))
      weights.push(w)
      total += w
    }
    let r = this.random() * total
    for (let i = 0; i < candidates.length; i++) {
      r -= weights[i]!
      if (r < 0) return candidates[i]!
    }
    return candidates[candidates.length - 1]!
  }

  /**
   * The valid future cone of the entry point and, when α > 0, each member's cumulative weight
   * within it: 1 + the number of members that approve it, counted exactly with one bitset per
   * member, filled from the newest member down. Members all lie in [entry, size), so plain
   * arrays over that range replace sets and maps.
   */
  cone(entry: number): Cone {
    const g = this.graph
    const span = g.size - entry
    const localOf = new Int32Array(span).fill(NONE)
    localOf[0] = 0
    let k = 1
    for (let x = entry + 1; x < g.size; x++) {
      if (g.invalid[x] === 1) continue
      const t = g.trunk[x]!
      const b = g.branch[x]!
      if ((t >= entry && localOf[t - entry] !== NONE) || (b >= entry && localOf[b - entry] !== NONE)) localOf[x - entry] = k++
    }
    if (this.options.alpha === 0) return { entry, localOf, weight: null }

    const words = (k + 31) >>> 5
    const approvedBy = new Uint32Array(k * words)
    const weight = new Int32Array(k)
    for (let x = g.size - 1; x >= entry; x--) {
      const i = localOf[x - entry]!
      if (i === NONE) continue
      const row = i * words
      g.forEachApprover(x, (y) => {
        const j = localOf[y - entry]!
        if (j === NONE) return
        approvedBy[row + (j >>> 5)]! |= 1 << (j & 31)
        const other = j * words
        // an approver's row only has bits at or above its own: start there
        for (let w = j >>> 5; w < words; w++) approvedBy[row + w]! |= approvedBy[other + w]!
      })
      let count = 1
      for (let w = i >>> 5; w < words; w++) count += popcount(approvedBy[row + w]!)
      weight[i] = count
    }
    return { entry, localOf, weight }
  }
}
