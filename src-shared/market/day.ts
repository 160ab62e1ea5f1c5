// A day of trading: slot after slot, EVs and grids are classified (12)–(16), the slot's game is
// solved (Algorithm 2 with Algorithm 1 inside), and the EVs' batteries and the grids' storage carry
// what happened into the next slot (4)–(8). Pure and deterministic: the same scenario (and seed)
// gives the same day.
import { batteryAfterSlot, evSupplyKWh } from './battery'
import { gridDemandCapKWh, gridStorageAfterSlot, productionConsumptionRatio } from './classify'
import { gameOptions, type Scenario } from './scenario'
import { solveSlot, type SlotResult } from './stackelberg'

export const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null)
/** Below a milliwatt-hour, supply or demand is rounding noise, not a participant in the market. */
const NEGLIGIBLE_KWH = 1e-6

export interface SlotSeller {
  id: string
  supplyKWh: number
  reservePrice: number
  price: number
  probability: number
  demandKWh: number
  /** R_m; null when nothing is asked of the seller (R = ∞) */
  ratio: number | null
  utility: number
  soldKWh: number
  earned: number
}

/** One price announcement of Algorithm 2, as the charts and the files take it (R = ∞ as null). */
export interface TraceStep {
  prices: number[]
  q: number[]
  demand: number[]
  ratio: (number | null)[]
  utility: number[]
  meanUtility: number
  egtIterations: number
}

export const traceSteps = (trace: SlotResult['trace']): TraceStep[] =>
  trace.map((s) => ({ prices: s.prices, q: s.q, demand: s.demand, ratio: s.ratio.map(finiteOrNull), utility: s.utility, meanUtility: s.meanUtility, egtIterations: s.egtIterations }))

export interface SlotTrace {
  /** seller ids, in the order of every array below */
  sellers: string[]
  steps: TraceStep[]
}

export interface SlotOutcome {
  /** 1-based slot number */
  t: number
  priceCap: number
  converged: boolean
  iterations: { stackelberg: number; egt: number }
  clearingPrice: number | null
  sellers: SlotSeller[]
  buyers: { id: string; demandCapKWh: number; boughtKWh: number; paid: number; welfare: number }[]
  trades: { buyer: string; seller: string; energyKWh: number; price: number; paid: number }[]
  baseline: { sellers: { id: string; ask: number; soldKWh: number }[]; totalPaid: number }
  tradedKWh: number
  totalPaid: number
  /** participants whose production and consumption came from live meters, not the scenario */
  fromMeters: string[]
  /** the literal iterations of Algorithm 2 (figs. 7–9, 11), when asked for */
  trace: SlotTrace | null
}

export interface ParticipantDay {
  id: string
  /** ζ per slot (12); null when nothing was consumed */
  pcr: (number | null)[]
}

export interface DayResult {
  scenario: string
  slots: SlotOutcome[]
  evs: (ParticipantDay & { exportableKWh: number[]; soldKWh: number[]; batteryKWh: number[] })[]
  grids: (ParticipantDay & { demandCapKWh: number[]; boughtKWh: number[]; storageKWh: number[] })[]
  converged: boolean
  totalTradedKWh: number
  totalPaid: number
}

/** Production and consumption that replace the scenario's for one slot (live meter readings). */
export type SlotOverrides = ReadonlyMap<string, { productionKWh?: number; consumptionKWh?: number }>

export interface DayState {
  batteryKWh: number[]
  storageKWh: number[]
}

/** The state carried from slot to slot, so a live market can run one slot at a time. */
export class MarketDay {
  private readonly batteryKWh: number[]
  private readonly storageKWh: number[]

  /** From the scenario's initial state, or from a state saved after an earlier slot. */
  constructor(
    readonly scenario: Scenario,
    state?: DayState
  ) {
    this.batteryKWh = state ? [...state.batteryKWh] : scenario.evs.map((ev) => ev.battery.initialKWh)
    this.storageKWh = state ? [...state.storageKWh] : scenario.grids.map((g) => g.storage?.initialKWh ?? 0)
  }

  state(): DayState {
    return { batteryKWh: [...this.batteryKWh], storageKWh: [...this.storageKWh] }
  }

  /** Slot t (0-based) with the scenario's profiles, or live readings where given. */
  profiles(t: number, overrides?: SlotOverrides) {
    const pick = (p: { id: string; productionKWh: number[]; consumptionKWh: number[] }) => ({
      productionKWh: overrides?.get(p.id)?.productionKWh ?? p.productionKWh[t]!,
      consumptionKWh: overrides?.get(p.id)?.consumptionKWh ?? p.consumptionKWh[t]!
    })
    return { evs: this.scenario.evs.map(pick), grids: this.scenario.grids.map(pick) }
  }

  runSlot(t: number, options: { trace?: boolean; overrides?: SlotOverrides } = {}) {
    const { scenario } = this
    const hours = scenario.slotHours
    const { evs, grids } = this.profiles(t, options.overrides)
    const exportable = scenario.evs.map((ev, m) => evSupplyKWh(ev.battery, this.batteryKWh[m]!, evs[m]!.productionKWh, evs[m]!.consumptionKWh, hours))
    const demandCaps = scenario.grids.map((g, n) =>
      gridDemandCapKWh(grids[n]!.productionKWh, grids[n]!.consumptionKWh, g.storage && { capacityKWh: g.storage.capacityKWh, levelKWh: this.storageKWh[n]! })
    )
    // sellers have energy to spare (13), buyers a deficit or storage to refill (14), (16)
    const sellerIndex = exportable.flatMap((s, m) => (s > NEGLIGIBLE_KWH ? [m] : []))
    const buyerIndex = demandCaps.flatMap((g, n) => (g > NEGLIGIBLE_KWH ? [n] : []))
    const priceCap = scenario.priceCap[t]!
    const offers = sellerIndex.map((m) => ({ supplyKWh: exportable[m]!, reservePrice: scenario.evs[m]!.reservePrice }))
    const buyers = buyerIndex.map((n) => ({ xi: scenario.grids[n]!.xi, kappa: scenario.grids[n]!.kappa, demandCapKWh: demandCaps[n]! }))
    const result: SlotResult | null =
      offers.length > 0 && buyers.length > 0 ? solveSlot(offers, buyers, priceCap, gameOptions(scenario.game), options.trace ?? false) : null

    const soldKWh = scenario.evs.map(() => 0)
    const earned = scenario.evs.map(() => 0)
    const boughtKWh = scenario.grids.map(() => 0)
    // an unconverged slot is reported, never traded on
    const trades = result?.converged ? result.trades.list() : []
    for (const trade of trades) {
      soldKWh[sellerIndex[trade.seller]!]! += trade.energyKWh
      earned[sellerIndex[trade.seller]!]! += trade.paid
      boughtKWh[buyerIndex[trade.buyer]!]! += trade.energyKWh
    }
    scenario.evs.forEach((ev, m) => {
      this.batteryKWh[m] = batteryAfterSlot(ev.battery, this.batteryKWh[m]!, evs[m]!.productionKWh, evs[m]!.consumptionKWh, soldKWh[m]!, hours)
    })
    scenario.grids.forEach((g, n) => {
      if (g.storage) this.storageKWh[n] = gridStorageAfterSlot({ capacityKWh: g.storage.capacityKWh, levelKWh: this.storageKWh[n]! }, grids[n]!.productionKWh, grids[n]!.consumptionKWh, boughtKWh[n]!)
    })

    const sellerIds = sellerIndex.map((m) => scenario.evs[m]!.id)
    const buyerIds = buyerIndex.map((n) => scenario.grids[n]!.id)
    const outcome: SlotOutcome = {
      t: t + 1,
      priceCap,
      converged: result?.converged ?? true,
      iterations: result?.iterations ?? { stackelberg: 0, egt: 0 },
      clearingPrice: result?.clearingPrice ?? null,
      sellers: sellerIndex.map((m, i) => ({
        id: sellerIds[i]!,
        supplyKWh: exportable[m]!,
        reservePrice: scenario.evs[m]!.reservePrice,
        price: result?.prices[i] ?? scenario.evs[m]!.reservePrice,
        probability: result?.probability[i] ?? 0,
        demandKWh: result?.demand[i] ?? 0,
        ratio: result ? finiteOrNull(result.ratio[i]!) : null,
        utility: result?.utility[i] ?? 0,
        soldKWh: soldKWh[m]!,
        earned: earned[m]!
      })),
      buyers: buyerIndex.map((n, i) => ({
        id: buyerIds[i]!,
        demandCapKWh: demandCaps[n]!,
        boughtKWh: boughtKWh[n]!,
        paid: result?.converged ? result.buyers[i]!.paid : 0,
        welfare: result?.converged ? result.buyers[i]!.welfare : 0
      })),
      trades: trades.map((tr) => ({ buyer: buyerIds[tr.buyer]!, seller: sellerIds[tr.seller]!, energyKWh: tr.energyKWh, price: tr.price, paid: tr.paid })),
      baseline: {
        sellers: (result?.baseline.sellers ?? []).map((b, i) => ({ id: sellerIds[i]!, ask: b.ask, soldKWh: b.soldKWh })),
        totalPaid: result?.baseline.totalPaid ?? 0
      },
      tradedKWh: trades.reduce((sum, tr) => sum + tr.energyKWh, 0),
      fromMeters: [...scenario.evs, ...scenario.grids].map((p) => p.id).filter((id) => options.overrides?.has(id)),
      totalPaid: trades.reduce((sum, tr) => sum + tr.paid, 0),
      trace:
        result && result.trace.length > 0
          ? {
              sellers: sellerIds,
              steps: traceSteps(result.trace)
            }
          : null
    }
    return {
      outcome,
      evs: { pcr: evs.map((p) => productionConsumptionRatio(p.productionKWh, p.consumptionKWh)), exportable, soldKWh, batteryKWh: [...this.batteryKWh] },
      grids: { pcr: grids.map((p) => productionConsumptionRatio(p.productionKWh, p.consumptionKWh)), demandCaps, boughtKWh, storageKWh: [...this.storageKWh] }
    }
  }
}

/** Slots whose literal iterations are kept: all, none, or a list of 1-based slot numbers. */
export type TraceSelection = 'all' | 'none' | readonly number[]

export function runDay(scenario: Scenario, options: { trace?: TraceSelection; onSlot?: (slot: SlotOutcome) => void } = {}): DayResult {
  const day = new MarketDay(scenario)
  const trace = options.trace ?? 'none'
  const evs = scenario.evs.map((ev) => ({ id: ev.id, pcr: [] as (number | null)[], exportableKWh: [] as number[], soldKWh: [] as number[], batteryKWh: [] as number[] }))
  const grids = scenario.grids.map((g) => ({ id: g.id, pcr: [] as (number | null)[], demandCapKWh: [] as number[], boughtKWh: [] as number[], storageKWh: [] as number[] }))
  const slots: SlotOutcome[] = []
  for (let t = 0; t < scenario.slots; t++) {
    const withTrace = trace === 'all' || (trace !== 'none' && trace.includes(t + 1))
    const slot = day.runSlot(t, { trace: withTrace })
    evs.forEach((ev, m) => {
      ev.pcr.push(slot.evs.pcr[m]!)
      ev.exportableKWh.push(slot.evs.exportable[m]!)
      ev.soldKWh.push(slot.evs.soldKWh[m]!)
      ev.batteryKWh.push(slot.evs.batteryKWh[m]!)
    })
    grids.forEach((g, n) => {
      g.pcr.push(slot.grids.pcr[n]!)
      g.demandCapKWh.push(slot.grids.demandCaps[n]!)
      g.boughtKWh.push(slot.grids.boughtKWh[n]!)
      g.storageKWh.push(slot.grids.storageKWh[n]!)
    })
    slots.push(slot.outcome)
    options.onSlot?.(slot.outcome)
  }
  return {
    scenario: scenario.name,
    slots,
    evs,
    grids,
    converged: slots.every((s) => s.converged),
    totalTradedKWh: slots.reduce((sum, s) => sum + s.tradedKWh, 0),
    totalPaid: slots.reduce((sum, s) => sum + s.totalPaid, 0)
  }
}
