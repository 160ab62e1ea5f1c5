// Which peers a node asks for history. A peer that lets a sync request time out, or claims more
// transactions than it then serves, is benched: while benched it is asked only if no other peer
// is ahead. Each demerit doubles the time on the bench, so a peer that stalls again and again costs
// a request now and then, never the node's whole catching up. Serving what it claimed clears the
// record. Nothing here bans: a slow peer is not a hostile one, and it keeps its connection.

/** time on the bench after a first demerit */
export const FIRST_BENCH_MS = 30_000
export const MAX_BENCH_MS = 10 * 60_000
/** peers remembered; beyond it the one demoted longest ago is forgotten */
const MAX_REMEMBERED = 1_000

interface Record {
  demerits: number
  untilMs: number
  reason: string
}

export class SyncStanding {
  private readonly records = new Map<string, Record>()

  constructor(private readonly now: () => number = Date.now) {}

  /** The peer failed a sync: it is benched, for longer than last time. Returns how long, in ms. */
  demote(peer: string, reason: string): number {
    const demerits = (this.records.get(peer)?.demerits ?? 0) + 1
    const forMs = Math.min(MAX_BENCH_MS, FIRST_BENCH_MS * 2 ** (demerits - 1))
    this.records.delete(peer)
    this.records.set(peer, { demerits, untilMs: this.now() + forMs, reason })
    if (this.records.size > MAX_REMEMBERED) this.records.delete(this.records.keys().next().value!)
    return forMs
  }

  /** The peer served the history it claimed: its record is cleared. */
  served(peer: string): void {
    this.records.delete(peer)
  }

  isBenched(peer: string): boolean {
    const record = this.records.get(peer)
    return record !== undefined && record.untilMs > this.now()
  }

  /** Demerits so far (0 for a peer with a clean record): a benched peer's claims weigh less. */
  demeritsOf(peer: string): number {
    return this.records.get(peer)?.demerits ?? 0
  }
}
