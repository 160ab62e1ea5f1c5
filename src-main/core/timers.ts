// The clock and timers a service reads, as a port: the real ones by default, a fake one in tests,
// so a test of what happens after N milliseconds moves time itself instead of waiting it out.

/** Stops a callback that has not run yet; once it has run, does nothing. */
export type Cancel = () => void

export interface Timers {
  /** milliseconds on this clock: the epoch for wall time, any origin for a monotonic clock */
  now(): number
  /** runs `callback` once `delayMs` has passed */
  after(delayMs: number, callback: () => void): Cancel
  /** runs `callback` at the next turn of the event loop, after pending I/O */
  soon(callback: () => void): Cancel
}

function after(delayMs: number, callback: () => void): Cancel {
  const timer = setTimeout(callback, delayMs)
  return () => clearTimeout(timer)
}

function soon(callback: () => void): Cancel {
  const immediate = setImmediate(callback)
  return () => clearImmediate(immediate)
}

/** Wall-clock time (ms since the epoch) and Node's timers. */
export const wallTimers: Timers = { now: () => Date.now(), after, soon }

/** A monotonic clock (immune to the wall clock being set) and Node's timers: for spacing work. */
export const monotonicTimers: Timers = { now: () => performance.now(), after, soon }
