// The arithmetic of `dv2g bench network`, apart from the processes it measures: whether a step
// kept up, which rate to try next, percentiles.

export interface BacklogSample {
  /** ms since the step began */
  atMs: number
  /** transactions the issuing node holds that the slowest other node does not yet */
  backlog: number
}

/** Least-squares slope of the backlog, in transactions per second: > 0 means it grows. */
export function backlogSlope(samples: readonly BacklogSample[]): number {
  if (samples.length < 3) return 0
  const n = samples.length
  const meanT = samples.reduce((sum, s) => sum + s.atMs, 0) / n
  const meanB = samples.reduce((sum, s) => sum + s.backlog, 0) / n
  let covariance = 0
  let variance = 0
  for (const s of samples) {
    covariance += (s.atMs - meanT) * (s.backlog - meanB)
    variance += (s.atMs - meanT) ** 2
  }
  return variance === 0 ? 0 : (covariance / variance) * 1000
}

export interface StepMeasure {
  /** the rate asked of the issuing node, tx/s */
  rate: number
  /** the rate the nodes took transactions in, on the nodes' clock (BenchNetwork.submitEverywhere) */
  issuedTxPerSecond: number
  /** the same timed from the bench's side, the first request's transfer and the last reply included */
  requestTxPerSecond: number
  /** ms from the last issue until every node held everything, or null if not within the bound */
  drainMs: number | null
  /** the backlog's growth over the second half of the issuing, tx/s */
  backlogGrowthTxPerSecond: number
}

/** the issuing node may fall this far short of the rate asked */
export const ISSUE_SHORTFALL = 0.9
/** a backlog growing by more than this share of the rate is a node falling behind */
export const BACKLOG_GROWTH_SHARE = 0.1

/** Why a step did not keep up, or null when every node kept up. */
export function fallingBehind(step: StepMeasure, drainBoundMs: number): string | null {
  if (step.issuedTxPerSecond < ISSUE_SHORTFALL * step.rate) return `the nodes took in ${Math.round(step.issuedTxPerSecond)} tx/s only`
  if (step.drainMs === null) return `not every node held everything ${drainBoundMs / 1000} s after the last issue`
  if (step.backlogGrowthTxPerSecond > BACKLOG_GROWTH_SHARE * step.rate)
    return `the backlog grew by ${Math.round(step.backlogGrowthTxPerSecond)} tx/s`
  return null
}

/**
 * The highest rate at which all nodes keep up: doubling from a first guess until a step fails
 * (halving instead when the first one does), then bisecting between the last rate that held and
 * the first that did not.
 */
export class RateSearch {
  /** the highest rate that held so far (0: none yet) */
  held = 0
  /** the lowest rate that failed so far */
  failed = Infinity
  private doublings = 0
  private bisections = 0

  constructor(
    private next: number,
    private readonly limits: { maxDoublings: number; bisections: number; floor: number }
  ) {}

  /** The rate to try next, or null when the search is done. */
  proposal(): number | null {
    if (this.held === 0) return this.next >= this.limits.floor ? this.next : null
    if (this.failed === Infinity) return this.doublings < this.limits.maxDoublings ? this.next : null
    if (this.bisections >= this.limits.bisections) return null
    const middle = Math.round((this.held + this.failed) / 2)
    return middle > this.held && middle < this.failed ? middle : null
  }

  record(rate: number, keptUp: boolean): void {
    const bracketed = this.held > 0 && this.failed < Infinity
    if (keptUp) this.held = Math.max(this.held, rate)
    else this.failed = Math.min(this.failed, rate)
    if (bracketed) this.bisections++
    else if (this.failed === Infinity) {
      this.doublings++
      this.next = rate * 2
    } else if (this.held === 0) this.next = Math.floor(rate / 2)
  }
}

/** The q-quantile (0..1) of values, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}
