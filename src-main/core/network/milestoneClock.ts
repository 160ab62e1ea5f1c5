// The operator's milestone clock (TIP-0002 style): the node that holds a milestone
// issuer's key issues the next milestone every interval, approving the current tips. A milestone is
// stored like any transaction attached here, so gossip publishes it and every peer applies it on
// ingest (its state hash checked there). An interval with nothing new issues nothing: an idle
// network would otherwise grow by one milestone that references only the previous one per tick.
import type { KeyObject } from 'node:crypto'
import type { IngestOutcome, Ledger } from '../ledger/ledger'

export const MIN_MILESTONE_SECONDS = 0.1
export const MAX_MILESTONE_SECONDS = 86_400

export class MilestoneClock {
  private readonly timer: NodeJS.Timeout
  /** the last refusal logged, so a lasting one is logged once rather than every interval */
  private lastRefusal = ''

  constructor(
    private readonly ledger: Ledger,
    private readonly issuerKey: KeyObject,
    intervalMs: number,
    private readonly log: (line: string) => void
  ) {
    this.timer = setInterval(() => this.tick(), intervalMs)
    this.timer.unref()
  }

  /** Issues the next milestone if anything waits for one: its outcome, or null for an empty interval. */
  tick(): IngestOutcome | null {
    if (!this.ledger.awaitsMilestone()) return null
    try {
      const outcome = this.ledger.issueMilestone(this.issuerKey)
      if (outcome.status === 'accepted') this.lastRefusal = ''
      else this.logRefusal('reason' in outcome ? outcome.reason : outcome.status)
      return outcome
    } catch (error) {
      // a failed commit (disk full, I/O) must not end the node: the next interval tries again
      this.logRefusal(error instanceof Error ? error.message : String(error))
      return null
    }
  }

  stop(): void {
    clearInterval(this.timer)
  }

  private logRefusal(reason: string): void {
    if (reason === this.lastRefusal) return
    this.lastRefusal = reason
    this.log(`dv2g node: could not issue a milestone: ${reason}`)
  }
}
