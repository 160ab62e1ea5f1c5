// `dv2g bench market`: how long the market takes at the paper's size and far beyond it, and how
// the cost grows. Figures only; the tests assert behaviour, not time.
import { readFileSync } from 'node:fs'
import { priceResponse, runEgt, stateFromResponse } from '../../../src-shared/market/egt'
import { runDay } from '../../../src-shared/market/day'
import { seededRandom } from '../../../src-shared/random'
import { scenarioSchema } from '../../../src-shared/market/scenario'
import { clearMarket } from '../../../src-shared/market/clearing'
import { DEFAULT_GAME, solveSlot } from '../../../src-shared/market/stackelberg'
import type { Buyer } from '../../../src-shared/market/welfare'

/** A market of M sellers and N buyers on the paper's scale of prices and energies, from a seed. */
export function randomMarket(sellers: number, buyers: number, seed: number) {
  const random = seededRandom(seed)
  const offers = Array.from({ length: sellers }, () => ({ supplyKWh: 0.5 + 3 * random(), reservePrice: 0.03 + 0.06 * random() }))
  // grids sized so that the market clears inside (reserve, cap) rather than at a bound
  const perBuyer = (sellers * 2) / buyers
  const grids: Buyer[] = Array.from({ length: buyers }, () => ({
    xi: 0.2 + 0.1 * random(),
    kappa: 0.08 / perBuyer,
    demandCapKWh: perBuyer * (1 + random())
  }))
  return { offers, buyers: grids, priceCap: 0.2 }
}

function medianMs(runs: number, work: () => unknown): number {
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    work()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(runs / 2)]!
}

export interface MarketBench {
  slot10x3Ms: number
  slot10x3WithTraceMs: number
  paperDayMs: number
  slot10000x1000Ms: number
  perIteration: { sellers: number; buyers: number; mn: number; ms: number; nsPerPair: number }[]
  iterationGrowth: { sellers: number; stackelbergRounds: number; egtIterationsFromUniform: number; egtConverged: boolean }[]
}

export function benchMarket(scenarioFile: string, note: (line: string) => void): MarketBench {
  const small = randomMarket(10, 3, 1)
  for (let i = 0; i < 200; i++) solveSlot(small.offers, small.buyers, small.priceCap, DEFAULT_GAME, false) // warm up the JIT
  const slot10x3Ms = medianMs(501, () => solveSlot(small.offers, small.buyers, small.priceCap, DEFAULT_GAME, false))
  const slot10x3WithTraceMs = medianMs(51, () => solveSlot(small.offers, small.buyers, small.priceCap, DEFAULT_GAME, true))
  note(
    `one slot 10 EVs x 3 grids: ${slot10x3Ms.toFixed(3)} ms median (${slot10x3WithTraceMs.toFixed(2)} ms keeping the literal iterations)`
  )

  const scenario = scenarioSchema.parse(JSON.parse(readFileSync(scenarioFile, 'utf8')))
  const paperDayMs = medianMs(101, () => runDay(scenario))
  note(
    `the paper's day (${scenario.evs.length} EVs, ${scenario.grids.length} grids, ${scenario.slots} slots): ${paperDayMs.toFixed(2)} ms median`
  )

  const big = randomMarket(10_000, 1_000, 2)
  const slot10000x1000Ms = medianMs(3, () => solveSlot(big.offers, big.buyers, big.priceCap, DEFAULT_GAME, false))
  note(`one slot 10,000 EVs x 1,000 grids: ${slot10000x1000Ms.toFixed(0)} ms median`)

  // one iteration of the loop: the grids' best responses to every price, then D, R, u for Q
  const perIteration = [
    [100, 10],
    [300, 30],
    [1_000, 100],
    [3_000, 300],
    [10_000, 1_000]
  ].map(([m, n]) => {
    const market = randomMarket(m!, n!, 3)
    const prices = market.offers.map((o) => (o.reservePrice + market.priceCap) / 2)
    const q = prices.map(() => 1 / m!)
    const supplies = market.offers.map((o) => o.supplyKWh)
    const runs = Math.max(3, Math.round(2e7 / (m! * n!)))
    const ms = medianMs(runs, () => stateFromResponse(priceResponse(prices, market.buyers), supplies, q))
    return { sellers: m!, buyers: n!, mn: m! * n!, ms, nsPerPair: (ms * 1e6) / (m! * n!) }
  })
  for (const r of perIteration)
    note(`one iteration at M·N = ${r.mn.toExponential(0)}: ${r.ms.toFixed(3)} ms, ${r.nsPerPair.toFixed(2)} ns per pair`)

  // how many rounds the literal loop and Algorithm 1 need as the number of sellers grows
  const iterationGrowth = [3, 10, 30, 100, 300, 1_000].map((m) => {
    const market = randomMarket(m, 3, 4)
    const traced = solveSlot(market.offers, market.buyers, market.priceCap, DEFAULT_GAME, true)
    const clearing = clearMarket(market.offers, market.buyers, market.priceCap)
    const prices = market.offers.map((o, i) => (clearing.soldKWh[i]! > 0 ? clearing.price! : o.reservePrice))
    const egt = runEgt(
      prices,
      market.offers.map((o) => o.supplyKWh),
      market.buyers,
      { sigma1: 1, tolerance: DEFAULT_GAME.tolerance, maxIterations: 50_000, epsilon: 1e-9 },
      undefined,
      false
    )
    return {
      sellers: m,
      stackelbergRounds: traced.iterations.stackelberg,
      egtIterationsFromUniform: egt.iterations,
      egtConverged: egt.converged
    }
  })
  return { slot10x3Ms, slot10x3WithTraceMs, paperDayMs, slot10000x1000Ms, perIteration, iterationGrowth }
}
