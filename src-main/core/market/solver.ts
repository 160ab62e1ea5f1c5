// The solver call every clock shares: one slot of a run solved, with what each participant did
// beside its outcome and the state carried to the next slot, ready for the run store.
import { MarketDay, type DayResult, type DayState, type SlotOutcome, type SlotOverrides } from '../../../src-shared/market/day'
import type { Scenario } from '../../../src-shared/market/scenario'
import type { SlotParticipants } from './runStore'

export interface SolvedSlot {
  outcome: SlotOutcome
  participants: SlotParticipants
  /** batteries and storage after the slot */
  state: DayState
}

/** Slot t (0-based) of the scenario from the state its previous slot left, with live readings where given. */
export function solveScenarioSlot(scenario: Scenario, state: DayState, t: number, overrides?: SlotOverrides): SolvedSlot {
  const day = new MarketDay(scenario, state)
  const slot = day.runSlot(t, { trace: true, overrides })
  const participants: SlotParticipants = {
    evs: scenario.evs.map((ev, m) => ({
      id: ev.id,
      pcr: slot.evs.pcr[m]!,
      exportableKWh: slot.evs.exportable[m]!,
      soldKWh: slot.evs.soldKWh[m]!,
      batteryKWh: slot.evs.batteryKWh[m]!
    })),
    grids: scenario.grids.map((g, n) => ({
      id: g.id,
      pcr: slot.grids.pcr[n]!,
      demandCapKWh: slot.grids.demandCaps[n]!,
      boughtKWh: slot.grids.boughtKWh[n]!,
      storageKWh: slot.grids.storageKWh[n]!
    }))
  }
  return { outcome: slot.outcome, participants, state: day.state() }
}

/** Slot i (0-based) of a day solved elsewhere (dv2g simulate), in the same shape. */
export function slotOfDay(day: DayResult, i: number): Omit<SolvedSlot, 'state'> {
  return {
    outcome: day.slots[i]!,
    participants: {
      evs: day.evs.map((ev) => ({
        id: ev.id,
        pcr: ev.pcr[i]!,
        exportableKWh: ev.exportableKWh[i]!,
        soldKWh: ev.soldKWh[i]!,
        batteryKWh: ev.batteryKWh[i]!
      })),
      grids: day.grids.map((g) => ({
        id: g.id,
        pcr: g.pcr[i]!,
        demandCapKWh: g.demandCapKWh[i]!,
        boughtKWh: g.boughtKWh[i]!,
        storageKWh: g.storageKWh[i]!
      }))
    }
  }
}
