// One slot as `dv2g market solve` and the live auction take it: named sellers and buyers in,
// the equilibrium with its trades and the first-price baseline out (the JSON shape of dv2g market solve).
import { finiteOrNull, traceSteps, type TraceStep } from './day'
import { gameOptions, type SlotInput } from './scenario'
import { solveSlot } from './stackelberg'

export interface SlotSolution {
  converged: boolean
  iterations: { stackelberg: number; egt: number }
  clearingPrice: number | null
  sellers: { id: string; price: number; probability: number; demandKWh: number; supplyKWh: number; ratio: number | null; utility: number }[]
  buyers: { id: string; boughtKWh: number; paid: number; welfare: number }[]
  trades: { buyer: string; seller: string; energyKWh: number; price: number; paid: number }[]
  baseline: { sellers: { id: string; ask: number; soldKWh: number }[]; totalPaid: number }
  /** the literal iterations of Algorithm 2: prices, Q, D and R per seller (figs. 7–9, 11) */
  trace: TraceStep[]
}

export function solveSlotInput(input: SlotInput): SlotSolution {
  const result = solveSlot(input.sellers, input.buyers, input.priceCap, gameOptions(input.game))
  const sellerId = (m: number) => input.sellers[m]!.id
  const buyerId = (n: number) => input.buyers[n]!.id
  // an unconverged slot is reported as such and trades nothing
  const trades = result.converged ? result.trades.list() : []
  return {
    converged: result.converged,
    iterations: result.iterations,
    clearingPrice: result.clearingPrice,
    sellers: input.sellers.map((s, m) => ({
      id: s.id,
      price: result.prices[m]!,
      probability: result.probability[m]!,
      demandKWh: result.demand[m]!,
      supplyKWh: s.supplyKWh,
      ratio: finiteOrNull(result.ratio[m]!),
      utility: result.utility[m]!
    })),
    buyers: input.buyers.map((b, n) => ({
      id: b.id,
      boughtKWh: result.converged ? result.buyers[n]!.boughtKWh : 0,
      paid: result.converged ? result.buyers[n]!.paid : 0,
      welfare: result.converged ? result.buyers[n]!.welfare : 0
    })),
    trades: trades.map((t) => ({
      buyer: buyerId(t.buyer),
      seller: sellerId(t.seller),
      energyKWh: t.energyKWh,
      price: t.price,
      paid: t.paid
    })),
    baseline: {
      sellers: result.baseline.sellers.map((b, m) => ({ id: sellerId(m), ask: b.ask, soldKWh: b.soldKWh })),
      totalPaid: result.baseline.totalPaid
    },
    trace: traceSteps(result.trace)
  }
}
