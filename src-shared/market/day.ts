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
  trace.map((s) => ({
    prices: s.prices,
    q: s.q,
    demand: s.demand,
    ratio: s.ratio.map(finiteOrNull),
    utility: s.utility,
    meanUtility: s.meanUtility,
    egtIterations: s.egtIterations
  }))

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
/**
 * Live readings by participant id: a meter's production and consumption over the slot before,
 * and an EV's battery level as its charger reports it (its state of charge times its capacity),
 * which replaces the level the model carried.
 */
export type SlotOverrides = ReadonlyMap<string, { productionKWh?: number; consumptionKWh?: number; batteryKWh?: number }>

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
    scenario.evs.forEach((ev, m) => {
      const measured = options.overrides?.get(ev.id)?.batteryKWh
      if (measured !== undefined) this.batteryKWh[m] = Math.min(ev.battery.capacityKWh, Math.max(0, measured))
    })
    const exportable = scenario.evs.map((ev, m) =>
      evSupplyKWh(ev.battery, this.batteryKWh[m]!, evs[m]!.productionKWh, evs[m]!.consumptionKWh, hours)
    )
    const demandCaps = scenario.grids.map((g, n) =>
      gridDemandCapKWh(
        grids[n]!.productionKWh,
        grids[n]!.consumptionKWh,
        g.storage && { capacityKWh: g.storage.capacityKWh, levelKWh: this.storageKWh[n]! }
      )
    )
    const outcome = clearSlot(
      t,
      scenario.evs.map((ev, m) => ({ id: ev.id, supplyKWh: exportable[m]!, reservePrice: ev.reservePrice })),
      scenario.grids.map((g, n) => ({ id: g.id, xi: g.xi, kappa: g.kappa, demandCapKWh: demandCaps[n]! })),
      scenario.priceCap[t]!,
      scenario.game,
      {
        trace: options.trace ?? false,
        fromMeters: [...scenario.evs, ...scenario.grids].map((p) => p.id).filter((id) => options.overrides?.has(id))
      }
    )
    const soldKWh = scenario.evs.map((ev) => outcome.sellers.find((s) => s.id === ev.id)?.soldKWh ?? 0)
    const boughtKWh = scenario.grids.map((g) => outcome.buyers.find((b) => b.id === g.id)?.boughtKWh ?? 0)
    scenario.evs.forEach((ev, m) => {
      this.batteryKWh[m] = batteryAfterSlot(
        ev.battery,
        this.batteryKWh[m]!,
        evs[m]!.productionKWh,
        evs[m]!.consumptionKWh,
        soldKWh[m]!,
        hours
      )
    })
    scenario.grids.forEach((g, n) => {
      if (g.storage)
        this.storageKWh[n] = gridStorageAfterSlot(
          { capacityKWh: g.storage.capacityKWh, levelKWh: this.storageKWh[n]! },
          grids[n]!.productionKWh,
          grids[n]!.consumptionKWh,
          boughtKWh[n]!
        )
    })
    return {
      outcome,
      evs: {
        pcr: evs.map((p) => productionConsumptionRatio(p.productionKWh, p.consumptionKWh)),
        exportable,
        soldKWh,
        batteryKWh: [...this.batteryKWh]
      },
      grids: {
        pcr: grids.map((p) => productionConsumptionRatio(p.productionKWh, p.consumptionKWh)),
        demandCaps,
        boughtKWh,
        storageKWh: [...this.storageKWh]
      }
    }
  }
}

export interface SellerInput {
  id: string
  supplyKWh: number
  reservePrice: number
}

export interface BuyerInput {
  id: string
  xi: number
  kappa: number
  demandCapKWh: number
}

/**
 * Slot t (0-based) among these sellers and buyers, in their order: the ones with energy to spare
 * (13) and the ones with a deficit or storage to refill (14), (16) play the slot's game; the
 * others are left out of it. Every clock solves a slot here, the local ones from a scenario's
 * participants and the network clock from the offers and bids on the tangle.
 */
export function clearSlot(
  t: number,
  sellers: readonly SellerInput[],
  buyers: readonly BuyerInput[],
  priceCap: number,
  game: Scenario['game'],
  options: { trace: boolean; fromMeters?: string[] }
): SlotOutcome {
  const active = sellers.filter((s) => s.supplyKWh > NEGLIGIBLE_KWH)
  const buying = buyers.filter((b) => b.demandCapKWh > NEGLIGIBLE_KWH)
  const result: SlotResult | null =
    active.length > 0 && buying.length > 0 ? solveSlot(active, buying, priceCap, gameOptions(game), options.trace) : null
  const soldKWh = active.map(() => 0)
  const earned = active.map(() => 0)
  const boughtKWh = buying.map(() => 0)
  // an unconverged slot is reported, never traded on
  const trades = result?.converged ? result.trades.list() : []
  for (const trade of trades) {
    soldKWh[trade.seller]! += trade.energyKWh
    earned[trade.seller]! += trade.paid
    boughtKWh[trade.buyer]! += trade.energyKWh
  }
  return {
    t: t + 1,
    priceCap,
    converged: result?.converged ?? true,
    iterations: result?.iterations ?? { stackelberg: 0, egt: 0 },
    clearingPrice: result?.clearingPrice ?? null,
    sellers: active.map((s, i) => ({
      id: s.id,
      supplyKWh: s.supplyKWh,
      reservePrice: s.reservePrice,
      price: result?.prices[i] ?? s.reservePrice,
      probability: result?.probability[i] ?? 0,
      demandKWh: result?.demand[i] ?? 0,
      ratio: result ? finiteOrNull(result.ratio[i]!) : null,
      utility: result?.utility[i] ?? 0,
      soldKWh: soldKWh[i]!,
      earned: earned[i]!
    })),
    buyers: buying.map((b, i) => ({
      id: b.id,
      demandCapKWh: b.demandCapKWh,
      boughtKWh: boughtKWh[i]!,
      paid: result?.converged ? result.buyers[i]!.paid : 0,
      welfare: result?.converged ? result.buyers[i]!.welfare : 0
    })),
    trades: trades.map((tr) => ({
      buyer: buying[tr.buyer]!.id,
      seller: active[tr.seller]!.id,
      energyKWh: tr.energyKWh,
      price: tr.price,
      paid: tr.paid
    })),
    baseline: {
      sellers: (result?.baseline.sellers ?? []).map((b, i) => ({ id: active[i]!.id, ask: b.ask, soldKWh: b.soldKWh })),
      totalPaid: result?.baseline.totalPaid ?? 0
    },
    tradedKWh: trades.reduce((sum, tr) => sum + tr.energyKWh, 0),
    fromMeters: options.fromMeters ?? [],
    totalPaid: trades.reduce((sum, tr) => sum + tr.paid, 0),
    trace: result && result.trace.length > 0 ? { sellers: active.map((s) => s.id), steps: traceSteps(result.trace) } : null
  }
}

/** Slots whose literal iterations are kept: all, none, or a list of 1-based slot numbers. */
export type TraceSelection = 'all' | 'none' | readonly number[]

export function runDay(scenario: Scenario, options: { trace?: TraceSelection; onSlot?: (slot: SlotOutcome) => void } = {}): DayResult {
  const day = new MarketDay(scenario)
  const trace = options.trace ?? 'none'
  const evs = scenario.evs.map((ev) => ({
    id: ev.id,
    pcr: [] as (number | null)[],
    exportableKWh: [] as number[],
    soldKWh: [] as number[],
    batteryKWh: [] as number[]
  }))
  const grids = scenario.grids.map((g) => ({
    id: g.id,
    pcr: [] as (number | null)[],
    demandCapKWh: [] as number[],
    boughtKWh: [] as number[],
    storageKWh: [] as number[]
  }))
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
