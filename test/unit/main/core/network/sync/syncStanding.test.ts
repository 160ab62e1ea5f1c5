import { describe, expect, it } from 'vitest'
import { FIRST_BENCH_MS, MAX_BENCH_MS, SyncStanding } from '../../../../../../src-main/core/network/sync/syncStanding'

describe('sync standing', () => {
  it('benches a demoted peer for twice as long each time, up to the cap, and clears it once it served its claim', () => {
    let nowMs = 0
    const standing = new SyncStanding(() => nowMs)
    expect(standing.isBenched('p')).toBe(false)
    expect(standing.demote('p', 'timed out')).toBe(FIRST_BENCH_MS)
    expect(standing.isBenched('p')).toBe(true)
    nowMs += FIRST_BENCH_MS
    expect(standing.isBenched('p')).toBe(false)
    expect(standing.demote('p', 'timed out')).toBe(2 * FIRST_BENCH_MS)
    for (let i = 0; i < 10; i++) standing.demote('p', 'timed out')
    expect(standing.demote('p', 'timed out')).toBe(MAX_BENCH_MS)
    standing.served('p')
    expect(standing.isBenched('p')).toBe(false)
    expect(standing.demote('p', 'claimed more than it served')).toBe(FIRST_BENCH_MS)
    expect(standing.isBenched('other')).toBe(false)
  })
})
