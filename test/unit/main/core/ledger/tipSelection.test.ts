import { describe, expect, it } from 'vitest'
import { NONE, TangleGraph, TxStatus } from '../../../../../src-main/core/ledger/graph'
import { simulateTangle } from '../../../../../src-main/core/ledger/simulator'
import { seededRandom } from '../../../../../src-shared/random'
import { TipSelector } from '../../../../../src-main/core/ledger/tipSelection'

function idOf(n: number): Uint8Array {
  const id = new Uint8Array(32)
  new DataView(id.buffer).setUint32(28, n, true)
  return id
}

/** A tangle grown by its own tip selection, `count` transactions after the genesis. */
function grow(count: number, alpha: number, seed = 7): { graph: TangleGraph; selector: TipSelector } {
  const graph = new TangleGraph()
  graph.add(idOf(0), NONE, NONE, 0)
  const selector = new TipSelector(graph, seededRandom(seed), { alpha, window: 64, windowPerTip: 50, maxWindow: 8192 })
  for (let i = 1; i <= count; i++) {
    const [a, b] = selector.selectPair()
    graph.add(idOf(i), a, b, i)
  }
  return { graph, selector }
}

/** CW by definition: 1 + the number of transactions that approve x directly or indirectly. */
function bruteForceWeight(graph: TangleGraph, x: number, within: (y: number) => boolean): number {
  let count = 1
  for (let y = x + 1; y < graph.size; y++) if (within(y) && graph.approves(y, x)) count++
  return count
}

describe('tangle graph', () => {
  it('finds transactions by id and keeps approvers and tips up to date', () => {
    const g = new TangleGraph()
    const genesis = g.add(idOf(100), NONE, NONE, 0)
    const a = g.add(idOf(101), genesis, genesis, 1)
    const b = g.add(idOf(102), genesis, a, 2)
    expect(g.indexOf(idOf(102))).toBe(b)
    expect(g.indexOf(idOf(999))).toBe(NONE)
    expect(g.approvers(genesis).sort()).toEqual([a, b])
    expect([...g.tips.values()]).toEqual([b])
    expect(g.approves(b, genesis)).toBe(true)
    expect(g.approves(a, b)).toBe(false)
  })

  it('grows past its initial capacity without losing anything', () => {
    const g = new TangleGraph()
    g.add(idOf(0), NONE, NONE, 0)
    for (let i = 1; i < 10_000; i++) g.add(idOf(i), i - 1, Math.floor((i - 1) / 2), i)
    expect(g.size).toBe(10_000)
    for (const i of [0, 4095, 4096, 9999]) expect(g.indexOf(idOf(i))).toBe(i)
    expect(g.approvers(4999).sort((x, y) => x - y)).toEqual([5000, 9999])
  })

  it('marks everything approving a rejected transaction invalid, and new approvers of it too', () => {
    const { graph } = grow(300, 0)
    const victim = 150
    graph.reject(victim)
    expect(graph.status[victim]).toBe(TxStatus.Rejected)
    for (let y = 0; y < graph.size; y++) expect(graph.invalid[y] === 1).toBe(graph.approves(y, victim))
    const late = graph.add(idOf(5000), victim, 0, 1)
    expect(graph.invalid[late]).toBe(1)
  })
})

describe('tip selection', () => {
  it('ends every walk at a tip of the valid tangle', () => {
    for (const alpha of [0, 0.5]) {
      const { graph, selector } = grow(2000, alpha)
      for (let i = 0; i < 200; i++) {
        const [a, b] = selector.selectPair()
        expect(graph.approvers(a)).toEqual([])
        expect(graph.approvers(b)).toEqual([])
      }
    }
  })

  it('computes cumulative weights over the entry point’s future cone exactly', () => {
    const { graph, selector } = grow(400, 0.1)
    const entry = selector.entryPoint()
    const cone = selector.cone(entry)
    const inCone = (y: number) => y >= entry && cone.localOf[y - entry] !== NONE
    for (let x = entry; x < graph.size; x++) {
      if (!inCone(x)) continue
      expect(cone.weight![cone.localOf[x - entry]!]).toBe(bruteForceWeight(graph, x, inCone))
    }
  })

  it('never walks into the cone of a rejected transaction', () => {
    const { graph, selector } = grow(1000, 0.05)
    graph.reject(900)
    for (let i = 0; i < 300; i++) {
      for (const tip of selector.selectPair()) expect(graph.approves(tip, 900)).toBe(false)
    }
  })

  it('with a large α follows the heavier of two branches', () => {
    const g = new TangleGraph()
    g.add(idOf(0), NONE, NONE, 0)
    let heavy = g.add(idOf(1), 0, 0, 1)
    const light = g.add(idOf(2), 0, 0, 2)
    for (let i = 3; i < 40; i++) heavy = g.add(idOf(i), heavy, heavy, i)
    const selector = new TipSelector(g, seededRandom(3), { alpha: 1, window: 512, windowPerTip: 50, maxWindow: 8192 })
    const picks = Array.from({ length: 100 }, () => selector.walk(0, selector.cone(0)))
    expect(picks.filter((tip) => tip === light).length).toBeLessThan(3)
    const uniform = new TipSelector(g, seededRandom(3), { alpha: 0, window: 512, windowPerTip: 50, maxWindow: 8192 })
    const uniformPicks = Array.from({ length: 400 }, () => uniform.walk(0, undefined))
    expect(uniformPicks.filter((tip) => tip === light).length).toBeGreaterThan(120)
  })
})

describe('tangle simulation (Popov)', () => {
  it.each([
    [10, 1, 20_000],
    [100, 1, 40_000]
  ])('with α = 0 and λ = %s, h = %s keeps about 2λh tips', (rate, delay, transactions) => {
    const result = simulateTangle({ rate, delay, transactions, alpha: 0, seed: 1 })
    expect(result.expectedTips).toBe(2 * rate * delay)
    expect(Math.abs(result.meanTips / result.expectedTips - 1)).toBeLessThan(0.15)
    expect(result.meanFirstApprovalDelay).toBeGreaterThan(1.5 * delay)
    expect(result.meanFirstApprovalDelay).toBeLessThan(2.5 * delay)
  })

  it('gives the same result for the same seed', () => {
    const options = { rate: 20, delay: 1, transactions: 1000, alpha: 0.05, seed: 42 }
    expect(simulateTangle(options)).toEqual(simulateTangle(options))
  })
})
