// The market's local clocks: when a running run solves its next slot (one timer per run, and the
// time it is due, which the console shows), and what a slot lasts on each clock: instant (one
// after the other), accelerated (N seconds per slot, for rehearsal) or hourly (on the hour).
import type { MarketRun } from '../../../src-shared/contract'
import { wallTimers, type Cancel, type Timers } from '../timers'

type Clock = MarketRun['clock']

const HOUR_MS = 3_600_000

/** How long after one slot the next is solved. */
export function delayAfterSlot(clock: Clock, slotSeconds: number | null, nowMs: number): number {
  if (clock === 'instant') return 0
  if (clock === 'accelerated') return slotSeconds! * 1000
  return HOUR_MS - (nowMs % HOUR_MS)
}

/** The wall-clock length of one slot: what the meters' readings are averaged over. */
export function slotWindowMs(clock: Clock, slotSeconds: number | null): number {
  return clock === 'accelerated' ? slotSeconds! * 1000 : HOUR_MS
}

/** How long a slot's iterations take to play on the consoles' charts. */
export function playbackMs(clock: Clock, slotSeconds: number | null): number {
  if (clock === 'instant') return 0
  if (clock === 'accelerated') return Math.min(3000, slotSeconds! * 500)
  return 3000
}

/** The hour of the day the hourly clock starts a 24-slot day at: the current one. */
export function firstSlotOf(clock: Clock, slots: number, nowMs: number): number {
  return clock === 'hourly' && slots === 24 ? new Date(nowMs).getHours() : 0
}

export class SlotTimers {
  private readonly timers = new Map<string, Cancel>()
  private readonly due = new Map<string, number>()

  constructor(private readonly clock: Timers = wallTimers) {}

  /** Runs `tick` for the run after delayMs, in place of a tick already set for it. */
  set(runId: string, delayMs: number, tick: () => void): void {
    this.cancel(runId)
    this.due.set(runId, this.clock.now() + delayMs)
    this.timers.set(
      runId,
      this.clock.after(delayMs, () => {
        this.timers.delete(runId)
        this.due.delete(runId)
        tick()
      })
    )
  }

  cancel(runId: string): void {
    this.timers.get(runId)?.()
    this.timers.delete(runId)
    this.due.delete(runId)
  }

  cancelAll(): void {
    for (const runId of [...this.timers.keys()]) this.cancel(runId)
  }

  /** When the run's next slot is due (ms since the epoch), or null when none is set. */
  dueAt(runId: string): number | null {
    return this.due.get(runId) ?? null
  }
}
