// How chargers take part in live market slots (docs/chargers.md, "The market", "Dispatch"): a charger's
// meter values are a meter of its prosumer, so they already give the EV's energy as an assigned
// meter does; its state of charge, where the charger reports one, gives the EV's battery level.
// A solved slot goes back as each EV's allocation.
import type { SlotOutcome, SlotOverrides } from '../../../src-shared/market/day'
import type { Scenario } from '../../../src-shared/market/scenario'

type Energy = { productionKWh?: number; consumptionKWh?: number }

/** The meters' energies, with each plugged-in EV's battery level from its state of charge. */
export function liveOverrides(
  scenario: Scenario,
  meters: ReadonlyMap<string, Energy> | undefined,
  sessions: ReadonlyMap<string, { socPercent: number | null }> | undefined
): SlotOverrides | undefined {
  if (!sessions?.size) return meters
  const merged = new Map<string, Energy & { batteryKWh?: number }>(meters)
  for (const ev of scenario.evs) {
    const soc = sessions.get(ev.id)?.socPercent
    if (soc === undefined || soc === null) continue
    merged.set(ev.id, { ...merged.get(ev.id), batteryKWh: (soc / 100) * ev.battery.capacityKWh })
  }
  return merged
}

/** What each EV of the scenario sold in the slot, 0 for one that sold nothing. */
export function soldByEv(scenario: Scenario, outcome: SlotOutcome): Map<string, number> {
  const sold = new Map(outcome.sellers.map((s) => [s.id, s.soldKWh]))
  return new Map(scenario.evs.map((ev) => [ev.id, sold.get(ev.id) ?? 0]))
}
