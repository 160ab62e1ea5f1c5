import { describe, expect, it } from 'vitest'
import { delayAfterSlot, firstSlotOf, SlotTimers } from '../../../../../src-main/core/market/clock'
import { FakeClock } from '../../../../support/fakeClock'

describe('the market clocks', () => {
  it('solve the next slot at once, N seconds later, or on the next hour', () => {
    const at = new Date(2026, 10, 30, 10, 59, 30).getTime()
    expect(delayAfterSlot('instant', null, at)).toBe(0)
    expect(delayAfterSlot('accelerated', 5, at)).toBe(5_000)
    expect(delayAfterSlot('hourly', null, at)).toBe(30_000)
    expect(firstSlotOf('hourly', 24, at)).toBe(10)
    expect(firstSlotOf('accelerated', 24, at)).toBe(0)
  })

  it('keep one tick per run with the time it is due, and a cancelled tick never runs', () => {
    const clock = new FakeClock(1_000)
    const timers = new SlotTimers(clock)
    const ticks: string[] = []
    timers.set('a', 500, () => ticks.push('a first'))
    timers.set('a', 2_000, () => ticks.push('a'))
    timers.set('b', 1_000, () => ticks.push('b'))
    expect(timers.dueAt('a')).toBe(3_000)
    timers.cancel('b')
    expect(timers.dueAt('b')).toBeNull()
    clock.advance(1_999)
    expect(ticks).toEqual([])
    expect(timers.dueAt('a')).toBe(3_000)
    clock.advance(1)
    expect(ticks).toEqual(['a'])
    expect(timers.dueAt('a')).toBeNull()
    expect(clock.waiting).toBe(0)
  })
})
