// The per-peer token bucket: a burst, then the sustained rate; a peer that keeps asking while
// refused is flooding, one that backs off is served again; the map of peers stays bounded.
import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../../../../../src-main/core/limits/rateLimit'

function clock(): { now: () => number; advance: (ms: number) => void } {
  let ms = 1_000_000
  return { now: () => ms, advance: (by) => (ms += by) }
}

describe('RateLimiter', () => {
  it('allows a burst, then refuses until tokens come back at the sustained rate', () => {
    const time = clock()
    const limiter = new RateLimiter({ perSecond: 10, burst: 5, floodAfter: 100 }, 100, time.now)
    const verdicts = Array.from({ length: 6 }, () => limiter.take('a'))
    expect(verdicts).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'limited'])
    // the refused request cost a token too: 100 ms brings one back, which pays that debt only
    time.advance(100)
    expect(limiter.take('a')).toBe('limited')
    time.advance(300)
    expect(limiter.take('a')).toBe('allowed')
  })

  it('keeps each peer to its own bucket', () => {
    const time = clock()
    const limiter = new RateLimiter({ perSecond: 1, burst: 2, floodAfter: 10 }, 100, time.now)
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual(['allowed', 'allowed', 'limited'])
    expect([limiter.take('b'), limiter.take('b')]).toEqual(['allowed', 'allowed'])
  })

  it('charges by cost: a request bigger than what is left is refused', () => {
    const time = clock()
    const limiter = new RateLimiter({ perSecond: 1_000, burst: 1_000, floodAfter: 10_000 }, 100, time.now)
    expect(limiter.take('a', 600)).toBe('allowed')
    expect(limiter.take('a', 600)).toBe('limited')
    time.advance(1_000)
    expect(limiter.take('a', 600)).toBe('allowed')
  })

  it('calls a peer that keeps asking while refused flooding, and serves one that backed off again', () => {
    const time = clock()
    const limiter = new RateLimiter({ perSecond: 10, burst: 10, floodAfter: 20 }, 100, time.now)
    const verdicts = Array.from({ length: 40 }, () => limiter.take('rogue'))
    expect(verdicts.filter((v) => v === 'allowed')).toHaveLength(10)
    // 10 allowed, then 20 refused requests of debt are tolerated, the next ones are a flood
    expect(verdicts.indexOf('flooding')).toBe(30)
    expect(verdicts.slice(30).every((v) => v === 'flooding')).toBe(true)

    for (let i = 0; i < 12; i++) limiter.take('patient')
    // a peer refused twice that then waits is in no debt worth mentioning: served after its refill
    time.advance(1_500)
    expect(limiter.take('patient')).toBe('allowed')
    // the flooder's debt is bounded: it too is served once it has been quiet long enough
    time.advance(4_000)
    expect(limiter.take('rogue')).toBe('allowed')
  })

  it('lets the asking side wait instead of going into debt: it says how long until the tokens are back', () => {
    const time = clock()
    const limiter = new RateLimiter({ perSecond: 100, burst: 300, floodAfter: 0 }, 100, time.now)
    expect([limiter.reserve('peer', 200), limiter.reserve('peer', 200)]).toEqual([0, 1_000])
    // nothing was spent by the refused reservation: 100 tokens are still there
    expect(limiter.reserve('peer', 100)).toBe(0)
    time.advance(1_999)
    expect(limiter.reserve('peer', 200)).toBe(1)
    time.advance(1)
    expect(limiter.reserve('peer', 200)).toBe(0)
  })

  it('remembers at most maxPeers peers, forgetting the one heard from longest ago', () => {
    const time = clock()
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, floodAfter: 5 }, 3, time.now)
    for (const peer of ['a', 'b', 'c']) limiter.take(peer)
    expect(limiter.take('a')).toBe('limited') // a is now the most recent
    limiter.take('d') // b, heard from longest ago, is forgotten
    expect(limiter.trackedPeers).toBe(3)
    expect(limiter.take('b')).toBe('allowed') // a full bucket again: b was forgotten
    expect(limiter.take('a')).toBe('limited') // a was kept
    for (let i = 0; i < 5_000; i++) limiter.take(`sybil-${i}`)
    expect(limiter.trackedPeers).toBe(3)
  })

  it('refuses a limit that could not work', () => {
    expect(() => new RateLimiter({ perSecond: 0, burst: 1, floodAfter: 1 })).toThrow(/perSecond > 0/)
  })
})
