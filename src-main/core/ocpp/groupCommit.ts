// Group commit for what chargers report. Each commit of the database is an fsync (synchronous=FULL),
// a few milliseconds of the one thread every charger shares: a thousand chargers sending meter
// values every second, each in a transaction of its own, need more fsyncs than a second holds.
// Here the writes of messages that arrive close together run in one transaction, each in its own
// savepoint (one that fails is rolled back alone and fails alone), and each message's promise
// settles only after that transaction has committed: its answer goes to the charger once what it
// sent is durable, so nothing acknowledged is lost. Writes run in arrival order, exactly as they
// would one by one, so keyed writes stay exactly-once. The first message after a quiet spell
// commits at the next turn of the event loop; while messages keep coming, commits are spaced.
import type { Db } from '../db/connection'
import { monotonicTimers, type Cancel, type Timers } from '../timers'

export interface GroupCommitOptions {
  /** while messages keep coming, commits are at least this far apart */
  spacingMs: number
  /** a group this large commits at the next turn without waiting out the spacing */
  maxGroup: number
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { spacingMs: 10, maxGroup: 500 }

interface Queued {
  work: () => unknown
  resolve(value: unknown): void
  reject(error: unknown): void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

export class GroupCommit {
  private queue: Queued[] = []
  private cancelScheduled: Cancel | null = null
  private scheduled: 'immediate' | 'timer' | null = null
  private lastCommitMs = Number.NEGATIVE_INFINITY
  /** outside a transaction this begins and commits one; inside one it is a savepoint */
  private readonly transaction: (work: () => unknown) => unknown

  constructor(
    db: Db,
    private readonly options: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
    private readonly timers: Timers = monotonicTimers
  ) {
    this.transaction = db.transaction((work: () => unknown) => work())
  }

  /** Runs `work` in the next group; resolves with its value once the group has committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      this.schedule()
    })
  }

  /** Messages waiting for their group's commit. */
  get waiting(): number {
    return this.queue.length
  }

  /** Commits what is queued now, synchronously. */
  private flush(): void {
    this.cancelScheduled?.()
    this.cancelScheduled = null
    this.scheduled = null
    const group = this.queue
    this.queue = []
    if (group.length === 0) return
    const outcomes: Outcome[] = []
    try {
      this.transaction(() => {
        for (const item of group) {
          try {
            outcomes.push({ ok: true, value: this.transaction(item.work) })
          } catch (error) {
            outcomes.push({ ok: false, error })
          }
        }
      })
    } catch (error) {
      // the commit itself failed (or the database is closed): none of the group is stored, none acknowledged
      for (const item of group) item.reject(error)
      return
    } finally {
      this.lastCommitMs = this.timers.now()
    }
    group.forEach((item, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) item.resolve(outcome.value)
      else item.reject(outcome.error)
    })
  }

  private schedule(): void {
    const waitMs = this.queue.length >= this.options.maxGroup ? 0 : this.lastCommitMs + this.options.spacingMs - this.timers.now()
    if (this.scheduled === 'immediate' || (this.scheduled === 'timer' && waitMs > 0)) return
    this.cancelScheduled?.()
    if (waitMs <= 0) {
      this.cancelScheduled = this.timers.soon(() => this.flush())
      this.scheduled = 'immediate'
    } else {
      this.cancelScheduled = this.timers.after(waitMs, () => this.flush())
      this.scheduled = 'timer'
    }
  }
}
