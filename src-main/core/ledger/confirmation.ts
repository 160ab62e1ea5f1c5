// Confirmation confidence (docs/model.md "Confirmation and double spends"): the share of N tip selections whose tip approves
// a transaction. Above the threshold it is confirmed; a double spend is settled when one side
// confirms, and the other side, with everything approving it, is rejected.
import type { Db } from '../db/connection'
import { popcount } from './bits'
import { TxStatus } from './graph'
import type { Ledger } from './ledger'

export interface ConfirmationOptions {
  /** N: tip selections per round */
  walks: number
  /** confidence at which a transaction counts as confirmed */
  threshold: number
  /** only this many of the newest transactions are scored: older pending ones are orphans */
  window: number
}

export const DEFAULT_CONFIRMATION: ConfirmationOptions = { walks: 64, threshold: 0.9, window: 20_000 }

/** in the scores: not pending, or reached by no walk (a real confidence is never negative) */
const NOT_SCORED = -1

export interface StatusChange {
  index: number
  status: TxStatus
}

export class ConfirmationTracker {
  private readonly sql
  /** lowest index that may still be pending; everything below is settled */
  private pendingFrom = 0
  /** per transaction from the window's start, a bitset of the walks that reached it this round */
  private reached = new Uint32Array(0)
  /**
   * the last round's confidence per transaction from `scoredFrom`, NOT_SCORED where it is not
   * pending or no walk reached it: reused round after round, as a window of 20,000 pending
   * transactions (walks that never agree) made a Map of that size twice a second for the GC
   */
  private scores = new Float64Array(0)
  private scoredFrom = 0
  private scoredSpan = 0

  constructor(
    private readonly ledger: Ledger,
    db: Db,
    readonly options: ConfirmationOptions = DEFAULT_CONFIRMATION,
    private readonly now: () => number = Date.now
  ) {
    this.sql = {
      setStatus: db.prepare('UPDATE transactions SET status = ?, status_ms = ? WHERE seq = ?'),
      resolveConflict: db.prepare('UPDATE conflicts SET winner_seq = ?, resolved_ms = ? WHERE tx_seq = ? AND idx = ?'),
      transaction: (work: () => void) => db.transaction(work)()
    }
  }

  /**
   * Confidence of each pending transaction in the window, from `walks` fresh tip selections: the
   * share of walks whose tip approves it. One pass from the newest transaction down carries, as a
   * bitset per transaction, the walks that reach it; parents come before their approvers in index
   * order, so a transaction has heard from all its approvers when the pass gets to it. A walk
   * stops at a confirmed transaction: its past cone is settled (every tip approving it approved
   * its parents too, so they crossed the threshold no later than it did, or are invalid and then
   * so is it), and going on would cost the whole window every round on a quiet tangle.
   */
  confidence(): Map<number, number> {
    this.score()
    const confidence = new Map<number, number>()
    this.forEachScored((x, c) => confidence.set(x, c))
    return confidence
  }

  /** The last round's confidence of a transaction; 0 where it was not pending or no walk reached it. */
  lastConfidenceOf(index: number): number {
    const at = index - this.scoredFrom
    return at >= 0 && at < this.scoredSpan && this.scores[at] !== NOT_SCORED ? this.scores[at]! : 0
  }

  private forEachScored(each: (index: number, confidence: number) => void): void {
    for (let at = 0; at < this.scoredSpan; at++) if (this.scores[at] !== NOT_SCORED) each(this.scoredFrom + at, this.scores[at]!)
  }

  /** Fills `scores` for this round (see confidence()). */
  private score(): void {
    const g = this.ledger.graph
    this.scoredSpan = 0
    if (g.size === 0) return
    const from = this.scoreFrom()
    const words = Math.ceil(this.options.walks / 32)
    const span = g.size - from
    if (this.reached.length < span * words) this.reached = new Uint32Array(Math.max(span * 2, 1024) * words)
    if (this.scores.length < span) this.scores = new Float64Array(Math.max(span * 2, 1024))
    const scores = this.scores
    scores.fill(NOT_SCORED, 0, span)
    this.scoredFrom = from
    this.scoredSpan = span
    const reached = this.reached
    reached.fill(0, 0, span * words)
    // parents below the window (or none: the genesis) are not scored
    const seed = (parent: number, walk: number) => {
      if (parent >= from) reached[(parent - from) * words + (walk >>> 5)]! |= 1 << (walk & 31)
    }
    const passOn = (parent: number, row: number) => {
      if (parent < from) return
      const parentRow = (parent - from) * words
      for (let w = 0; w < words; w++) reached[parentRow + w]! |= reached[row + w]!
    }
    // a tip does not approve itself: each walk starts at what its tip approves
    this.ledger.selector.selectTips(this.options.walks).forEach((tip, walk) => {
      seed(g.trunk[tip]!, walk)
      seed(g.branch[tip]!, walk)
    })
    for (let x = g.size - 1; x >= from; x--) {
      const row = (x - from) * words
      let count = 0
      for (let w = 0; w < words; w++) count += popcount(reached[row + w]!)
      if (count === 0 || g.status[x] === TxStatus.Confirmed) continue
      if (g.status[x] === TxStatus.Pending) scores[x - from] = count / this.options.walks
      passOn(g.trunk[x]!, row)
      passOn(g.branch[x]!, row)
    }
  }

  /** One round: score, confirm, settle double spends, and store every change in one transaction. */
  update(): StatusChange[] {
    const g = this.ledger.graph
    this.score()
    const changes: StatusChange[] = []
    const at = this.now()
    this.sql.transaction(() => {
      this.forEachScored((x, c) => {
        if (c < this.options.threshold || g.status[x] !== TxStatus.Pending || g.invalid[x] === 1) return
        g.status[x] = TxStatus.Confirmed
        this.sql.setStatus.run(TxStatus.Confirmed, at, x + 1)
        changes.push({ index: x, status: TxStatus.Confirmed })
      })
      for (const [key, spenders] of this.ledger.openConflicts) {
        const winner = spenders.find((s) => g.status[s] === TxStatus.Confirmed)
        if (winner === undefined) continue
        for (const loser of spenders) {
          if (loser === winner) continue
          for (const x of g.reject(loser)) {
            if (g.status[x] === TxStatus.Confirmed) continue
            g.status[x] = TxStatus.Rejected
            this.sql.setStatus.run(TxStatus.Rejected, at, x + 1)
            changes.push({ index: x, status: TxStatus.Rejected })
          }
        }
        const [txSeq, idx] = key.split(':').map(Number)
        this.sql.resolveConflict.run(winner + 1, at, txSeq, idx)
        this.ledger.openConflicts.delete(key)
      }
    })
    return changes
  }

  private scoreFrom(): number {
    const g = this.ledger.graph
    while (this.pendingFrom < g.size && g.status[this.pendingFrom] !== TxStatus.Pending) this.pendingFrom++
    return Math.max(this.pendingFrom, g.size - this.options.window)
  }
}
