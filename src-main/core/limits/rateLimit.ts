// Per-peer rate limits: a token bucket for each peer. A request that finds the bucket empty is
// refused, and still costs its tokens: the bucket goes into debt, so a peer that backs off when
// refused recovers, while one that keeps asking sinks until it is flooding (and is banned).
// The map of peers is bounded: beyond it the peer heard from longest ago is forgotten.

export interface RateLimit {
  /** tokens added per second: the sustained rate */
  perSecond: number
  /** tokens a quiet peer has saved up: the burst it may send at once */
  burst: number
  /** debt (tokens asked for while refused) beyond which the peer is flooding */
  floodAfter: number
}

export type RateVerdict = 'allowed' | 'limited' | 'flooding'

interface Bucket {
  tokens: number
  atMs: number
}

export const MAX_TRACKED_PEERS = 1_000

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    readonly limit: RateLimit,
    private readonly maxPeers = MAX_TRACKED_PEERS,
    private readonly now: () => number = Date.now
  ) {
    if (!(limit.perSecond > 0 && limit.burst > 0 && limit.floodAfter >= 0))
      throw new RangeError(`a rate limit needs perSecond > 0, burst > 0 and floodAfter >= 0, not ${JSON.stringify(limit)}`)
  }

  get trackedPeers(): number {
    return this.buckets.size
  }

  /** Spends `cost` tokens of this peer's bucket: allowed if it had them, else limited, or flooding once deep in debt. */
  take(peer: string, cost = 1): RateVerdict {
    const bucket = this.refilled(peer)
    const allowed = bucket.tokens >= cost
    // the debt stops somewhere: a peer that stops asking is served again within a bounded time
    bucket.tokens = Math.max(bucket.tokens - cost, -(this.limit.floodAfter + this.limit.burst))
    if (allowed) return 'allowed'
    return -bucket.tokens > this.limit.floodAfter ? 'flooding' : 'limited'
  }

  /**
   * The asking side's use: spends `cost` tokens and says 0 if this peer's bucket holds them, else
   * spends nothing and says how many milliseconds until it will.
   */
  reserve(peer: string, cost: number): number {
    const bucket = this.refilled(peer)
    if (bucket.tokens < cost) return Math.ceil(((cost - bucket.tokens) / this.limit.perSecond) * 1000)
    bucket.tokens -= cost
    return 0
  }

  /** Tokens this peer's bucket holds now (negative while in debt). */
  available(peer: string): number {
    return this.refilled(peer).tokens
  }

  /** This peer's bucket, refilled for the time since its last use. */
  private refilled(peer: string): Bucket {
    const nowMs = this.now()
    const bucket = this.buckets.get(peer) ?? { tokens: this.limit.burst, atMs: nowMs }
    // re-inserted on every use: the map's first key is the peer heard from longest ago
    this.buckets.delete(peer)
    this.buckets.set(peer, bucket)
    if (this.buckets.size > this.maxPeers) this.buckets.delete(this.buckets.keys().next().value!)
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * this.limit.perSecond)
    bucket.atMs = nowMs
    return bucket
  }

  forget(peer: string): void {
    this.buckets.delete(peer)
  }
}
