import { describe, expect, it } from 'vitest'
import { backlogSlope, fallingBehind, quantile, RateSearch } from '../../../../../src-main/cli/networkBench/figures'

/** Runs a search against a network that keeps up with any rate up to `capacity`, and lists the rates tried. */
function search(
  first: number,
  capacity: number,
  limits = { maxDoublings: 5, bisections: 2, floor: 10 }
): { tried: number[]; held: number } {
  const rates = new RateSearch(first, limits)
  const tried: number[] = []
  for (let rate = rates.proposal(); rate !== null; rate = rates.proposal()) {
    tried.push(rate)
    rates.record(rate, rate <= capacity)
  }
  return { tried, held: rates.held }
}

describe('the rate search of bench network', () => {
  it('doubles until a rate fails, then bisects between the last that held and the first that failed', () => {
    expect(search(100, 700)).toEqual({ tried: [100, 200, 400, 800, 600, 700], held: 700 })
  })

  it('halves from a first guess that fails, then bisects', () => {
    expect(search(400, 130)).toEqual({ tried: [400, 200, 100, 150, 125], held: 125 })
  })

  it('stops doubling at its limit with the highest rate tried as the answer', () => {
    expect(search(100, Infinity, { maxDoublings: 2, bisections: 2, floor: 10 })).toEqual({ tried: [100, 200], held: 200 })
  })

  it('gives up below the floor: held stays 0, which the bench reports as a failure', () => {
    expect(search(40, 5)).toEqual({ tried: [40, 20, 10], held: 0 })
  })
})

describe('whether a step kept up', () => {
  const step = { rate: 500, issuedTxPerSecond: 498, requestTxPerSecond: 480, drainMs: 120, backlogGrowthTxPerSecond: 3 }

  it('holds when the issuer reached the rate, every node drained in time and the backlog did not grow', () => {
    expect(fallingBehind(step, 2000)).toBeNull()
  })

  it('names the issuer falling short, a node not drained, and a growing backlog', () => {
    expect(fallingBehind({ ...step, issuedTxPerSecond: 300 }, 2000)).toBe('the nodes took in 300 tx/s only')
    expect(fallingBehind({ ...step, drainMs: null }, 2000)).toBe('not every node held everything 2 s after the last issue')
    expect(fallingBehind({ ...step, backlogGrowthTxPerSecond: 80 }, 2000)).toBe('the backlog grew by 80 tx/s')
  })
})

describe('backlog slope and quantiles', () => {
  it('measures how fast a backlog grows in transactions per second', () => {
    const growing = Array.from({ length: 20 }, (_, i) => ({ atMs: i * 100, backlog: 50 + i * 10 }))
    expect(backlogSlope(growing)).toBeCloseTo(100, 6)
    const steady = Array.from({ length: 20 }, (_, i) => ({ atMs: i * 100, backlog: i % 2 ? 60 : 40 }))
    expect(Math.abs(backlogSlope(steady))).toBeLessThan(5)
  })

  it('takes the nearest-rank quantile', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i) // 100 .. 1, unsorted on purpose
    expect(quantile(values, 0.5)).toBe(50)
    expect(quantile(values, 0.99)).toBe(99)
    expect(quantile([7], 0.99)).toBe(7)
  })
})
