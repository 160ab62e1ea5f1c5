// The figures of `dv2g bench ocpp` from the MeterValues round trips, apart from the chargers and
// processes that make them: a steady window of time, the calls answered within it per second,
// and the round-trip quantiles of the calls made within it.
import { quantile } from '../networkBench/figures'
import type { RoundTrip } from './chargerFleet'

export interface WindowFigures {
  /** MeterValues answered (CALLRESULT) within the window, per second */
  messagesPerSecond: number
  p50Ms: number
  p99Ms: number
  /** calls made within the window */
  calls: number
  /** of those, answered with a CALLERROR or not at all (timed out, connection lost) */
  failed: number
  /** of those, neither answered nor failed when the window was read (their time so far counts) */
  unanswered: number
  /** the first few failures' reasons, distinct */
  failures: string[]
}

/** Every MeterValues round trip since metering began. */
export class RoundTripLog {
  private readonly trips: RoundTrip[] = []

  readonly record = (trip: RoundTrip): void => {
    this.trips.push(trip)
  }

  /** Calls answered so far. */
  answered(): number {
    let count = 0
    for (const trip of this.trips) if (trip.answeredMs !== null) count++
    return count
  }

  /** Calls made and neither answered nor failed yet: a backlog when it is more than the calls a round trip overlaps. */
  outstanding(): number {
    let count = 0
    for (const trip of this.trips) if (trip.answeredMs === null && trip.failure === null) count++
    return count
  }

  /** Answers that arrived in [startMs, endMs). */
  answeredBetween(startMs: number, endMs: number): number {
    let count = 0
    for (const trip of this.trips) if (trip.answeredMs !== null && trip.answeredMs >= startMs && trip.answeredMs < endMs) count++
    return count
  }

  /** Calls made in [startMs, endMs) that have neither an answer nor a failure yet. */
  pending(startMs: number, endMs: number): number {
    return this.trips.filter((t) => t.sentMs >= startMs && t.sentMs < endMs && t.answeredMs === null && t.failure === null).length
  }

  /**
   * The window [startMs, endMs) read at `readMs` (≥ endMs): the answers that arrived within it per
   * second, and the round trips of the calls made within it. A call still unanswered counts with
   * the time it has waited so far, so a central system that stops answering cannot look fast.
   */
  figures(startMs: number, endMs: number, readMs: number): WindowFigures {
    const seconds = (endMs - startMs) / 1000
    let answeredInWindow = 0
    const roundTripsMs: number[] = []
    let calls = 0
    let failed = 0
    let unanswered = 0
    const failures = new Set<string>()
    for (const trip of this.trips) {
      if (trip.answeredMs !== null && trip.answeredMs >= startMs && trip.answeredMs < endMs) answeredInWindow++
      if (trip.sentMs < startMs || trip.sentMs >= endMs) continue
      calls++
      if (trip.failure !== null) {
        failed++
        if (failures.size < 5) failures.add(trip.failure)
      } else if (trip.answeredMs !== null) roundTripsMs.push(trip.answeredMs - trip.sentMs)
      else {
        unanswered++
        roundTripsMs.push(readMs - trip.sentMs)
      }
    }
    return {
      messagesPerSecond: answeredInWindow / seconds,
      p50Ms: quantile(roundTripsMs, 0.5),
      p99Ms: quantile(roundTripsMs, 0.99),
      calls,
      failed,
      unanswered,
      failures: [...failures]
    }
  }
}
