// The one way into the ledger. Transactions from peers (gossip, fetched parents, sync batches)
// wait in one bounded queue and are stored in batches, one commit each (up to 50 ms apart
// when they trickle in), so network I/O goes on between commits. When the queue is full, gossip is turned away (not
// stored, not forwarded: the mesh slows, nobody is penalised) and a sync or a fetch waits for
// room before it asks its peer for more. The node's own writes (wallet sends, settlement, meter
// summaries, spam, milestones) run at once, ahead of what waits: an operator is waiting on them,
// and they commit together with the caller's own rows. A local flood (spam) waits for room too.
import type { IngestOutcome } from './ingestOutcome'
import type { Checked } from './validation'

export type IngestSource = 'local' | 'gossip' | 'fetched' | 'sync'

export interface IngestLinks {
  /** runs work in one database transaction (ledger.transaction) */
  commit<T>(work: () => T): T
  /** stores checked transactions, inside the commit */
  store(checked: readonly Checked[]): IngestOutcome[]
  /** transactions the ledger holds: what a job added includes what it released from waiting */
  size(): number
}

export interface IngestCounters {
  /** transactions waiting */
  queued: number
  capacity: number
  /** transactions stored, by where they came from */
  stored: Record<IngestSource, number>
  /** gossiped transactions turned away because the queue was full */
  turnedAway: number
  commits: number
}

interface Job {
  source: IngestSource
  checked: readonly Checked[]
  /** the caller's own writes, committed with the job (a sync's cursor) */
  alongside?: () => void
  resolve(outcomes: IngestOutcome[]): void
  reject(error: unknown): void
}

export const DEFAULT_INGEST_CAPACITY = 10_000
/** transactions per commit: large enough to share one fsync, small enough to keep the event loop moving */
const MAX_BATCH = 1_024
/**
 * Fewer than this waiting (gossip trickling in) wait up to GROUP_COMMIT_MS for company: each
 * commit is an fsync and rewrites the pages its rows share (the last id chunk among them). Three
 * nodes at 2,000 tx/s spent 229 µs a transaction each on their own thread with commits 20 ms
 * apart and 212 µs at 50 ms; each hop of gossip waits up to that long more.
 */
const GROUP_COMMIT_MIN = 256
const GROUP_COMMIT_MS = 50

export class IngestQueue {
  private readonly jobs: Job[] = []
  private queuedTransactions = 0
  private readonly roomWaiters: (() => void)[] = []
  private scheduled = false
  private closedBecause: string | null = null
  private readonly stored: Record<IngestSource, number> = { local: 0, gossip: 0, fetched: 0, sync: 0 }
  private turnedAway = 0
  private commits = 0

  constructor(
    private readonly links: IngestLinks,
    readonly capacity = DEFAULT_INGEST_CAPACITY
  ) {}

  get counters(): IngestCounters {
    return {
      queued: this.queuedTransactions,
      capacity: this.capacity,
      stored: { ...this.stored },
      turnedAway: this.turnedAway,
      commits: this.commits
    }
  }

  get full(): boolean {
    return this.queuedTransactions >= this.capacity
  }

  /** Queues the transactions if there is room; null if not, and the caller lets them go. */
  offer(source: IngestSource, checked: readonly Checked[], alongside?: () => void): Promise<IngestOutcome[]> | null {
    if (this.full || this.closedBecause) {
      if (source === 'gossip') this.turnedAway += checked.length
      return null
    }
    return this.enqueue(source, checked, alongside)
  }

  /** Queues the transactions once there is room: the caller waits, and asks its peer for no more meanwhile. */
  async submit(source: IngestSource, checked: readonly Checked[], alongside?: () => void): Promise<IngestOutcome[]> {
    while (this.full && !this.closedBecause) await this.room()
    return this.enqueue(source, checked, alongside)
  }

  /** Resolves once the queue has room (at once if it has). */
  room(): Promise<void> {
    if (!this.full || this.closedBecause) return Promise.resolve()
    return new Promise((resolve) => this.roomWaiters.push(resolve))
  }

  /** The node's own write: runs now, in one commit, ahead of whatever waits. */
  local<T>(work: () => T): T {
    const before = this.links.size()
    const result = this.links.commit(work)
    this.stored.local += this.links.size() - before
    return result
  }

  /** Refuses everything from now on and fails what waits: the ledger is closing. */
  close(reason: string): void {
    this.closedBecause = reason
    for (const job of this.jobs.splice(0)) job.reject(new Error(reason))
    this.queuedTransactions = 0
    for (const wake of this.roomWaiters.splice(0)) wake()
  }

  private enqueue(source: IngestSource, checked: readonly Checked[], alongside?: () => void): Promise<IngestOutcome[]> {
    if (this.closedBecause) return Promise.reject(new Error(this.closedBecause))
    return new Promise((resolve, reject) => {
      this.jobs.push({ source, checked, alongside, resolve, reject })
      this.queuedTransactions += checked.length
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled || this.jobs.length === 0) return
    this.scheduled = true
    if (this.queuedTransactions >= GROUP_COMMIT_MIN) setImmediate(() => this.commitNextBatch())
    else setTimeout(() => this.commitNextBatch(), GROUP_COMMIT_MS)
  }

  /** Stores the jobs at the head of the queue, up to MAX_BATCH transactions (at least one job), in one commit. */
  private commitNextBatch(): void {
    this.scheduled = false
    let size = 0
    let count = 0
    while (count < this.jobs.length && (count === 0 || size + this.jobs[count]!.checked.length <= MAX_BATCH))
      size += this.jobs[count++]!.checked.length
    const batch = this.jobs.splice(0, count)
    try {
      const added: number[] = []
      const outcomes = this.links.commit(() =>
        batch.map((job) => {
          const before = this.links.size()
          const done = this.links.store(job.checked)
          job.alongside?.()
          added.push(this.links.size() - before)
          return done
        })
      )
      this.commits++
      batch.forEach((job, i) => {
        this.stored[job.source] += added[i]!
        job.resolve(outcomes[i]!)
      })
    } catch (error) {
      // the database refused the commit (disk full, I/O): nothing of the batch is stored
      for (const job of batch) job.reject(error)
    } finally {
      this.queuedTransactions -= size
      if (!this.full) for (const wake of this.roomWaiters.splice(0)) wake()
      this.schedule()
    }
  }
}
