// Confirmation confidence (docs/model.md "Confirmation and double spends"): the share of N tip selections whose tip approves
// a transaction. Above the threshold it is confirmed; a double spend is settled when one side
// confirms, and the other side, with everything approving it, is rejected.
import type { Db } from '../db/connection'
import { NONE, TxStatus } from './graph'
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

export interface StatusChange {
  index: number
  status: TxStatus
}

export class ConfirmationTracker {
  private readonly sql
  /** lowest index that may still be pending; everything below is settled */
  private pendingFrom = 0
  private stamp = new Int32Array(0)
  /** walks that reached each pending transaction this round, by its place in the window (zero between rounds) */
  private tally = new Uint32Array(0)
  private round = 0
  /** confidence of the pending transactions at the last round, for the explorer */
  lastConfidence = new Map<number, number>()

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

  /** Confidence of each pending transaction in the window, from `walks` fresh tip selections. */
  confidence(): Map<number, number> {
    const g = this.ledger.graph
    const from = this.scoreFrom()
    const confidence = new Map<number, number>()
    if (g.size === 0) return confidence
    if (this.stamp.length < g.size) this.stamp = new Int32Array(Math.max(g.size * 2, 1024))
    // tallied in an array, not a map: a round at a few thousand transactions a second visits
    // hundreds of thousands of pending ones, and a map update each was most of the round
    if (this.tally.length < g.size - from) this.tally = new Uint32Array(Math.max((g.size - from) * 2, 1024))
    const visited: number[] = []
    const stack: number[] = []
    for (const tip of this.ledger.selector.selectTips(this.options.walks)) {
      const mark = ++this.round
      // a tip does not approve itself: start from what it approves
      if (g.trunk[tip] !== NONE) stack.push(g.trunk[tip]!)
      if (g.branch[tip] !== NONE) stack.push(g.branch[tip]!)
      while (stack.length) {
        const x = stack.pop()!
        if (x < from || this.stamp[x] === mark) continue
        this.stamp[x] = mark
        // a confirmed transaction's past cone is settled: every tip approving it approved its
        // parents too, so they crossed the threshold no later than it did (or are invalid, and
        // then so is it). Walking on would cost the whole window every round on a quiet tangle.
        if (g.status[x] === TxStatus.Confirmed) continue
        if (g.status[x] === TxStatus.Pending && this.tally[x - from]!++ === 0) visited.push(x)
        if (g.trunk[x] !== NONE) stack.push(g.trunk[x]!)
        if (g.branch[x] !== NONE) stack.push(g.branch[x]!)
      }
    }
    for (const x of visited) {
      confidence.set(x, this.tally[x - from]! / this.options.walks)
      this.tally[x - from] = 0
    }
    return confidence
  }

  /** One round: score, confirm, settle double spends, and store every change in one transaction. */
  update(): StatusChange[] {
    const g = this.ledger.graph
    const confidence = this.confidence()
    this.lastConfidence = confidence
    const changes: StatusChange[] = []
    const at = this.now()
    this.sql.transaction(() => {
      for (const [x, c] of confidence) {
        if (c < this.options.threshold || g.status[x] !== TxStatus.Pending || g.invalid[x] === 1) continue
        g.status[x] = TxStatus.Confirmed
        this.sql.setStatus.run(TxStatus.Confirmed, at, x + 1)
        changes.push({ index: x, status: TxStatus.Confirmed })
      }
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
