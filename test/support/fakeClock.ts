import type { Cancel, Timers } from '../../src-main/core/timers'

interface Pending {
  dueMs: number
  /** order of setting: callbacks due at the same time run in the order they were set */
  order: number
  callback: () => void
}

/**
 * A clock that moves only when the test moves it: `advance(ms)` runs every callback that falls
 * due on the way, in time order, with `now()` reading each one's due time as it runs.
 * `soon` callbacks are due at the current time, so `advance(0)` runs them.
 */
export class FakeClock implements Timers {
  private nowMs: number
  private pending: Pending[] = []
  private setCount = 0

  constructor(startMs = 0) {
    this.nowMs = startMs
  }

  now(): number {
    return this.nowMs
  }

  after(delayMs: number, callback: () => void): Cancel {
    const entry: Pending = { dueMs: this.nowMs + Math.max(0, delayMs), order: this.setCount++, callback }
    this.pending.push(entry)
    return () => {
      this.pending = this.pending.filter((p) => p !== entry)
    }
  }

  soon(callback: () => void): Cancel {
    return this.after(0, callback)
  }

  /** Callbacks set and not yet run or cancelled. */
  get waiting(): number {
    return this.pending.length
  }

  /** Moves time forward by `ms`, running what falls due (including what those callbacks set). */
  advance(ms: number): void {
    const untilMs = this.nowMs + ms
    for (;;) {
      const next = this.nextDue()
      if (!next || next.dueMs > untilMs) break
      this.pending = this.pending.filter((p) => p !== next)
      this.nowMs = next.dueMs
      next.callback()
    }
    this.nowMs = untilMs
  }

  private nextDue(): Pending | undefined {
    let next: Pending | undefined
    for (const p of this.pending) if (!next || p.dueMs < next.dueMs || (p.dueMs === next.dueMs && p.order < next.order)) next = p
    return next
  }
}
