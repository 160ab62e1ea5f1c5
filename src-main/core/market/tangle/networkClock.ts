// The network clock: the operator's node announces a run on the tangle, and at each
// slot's close issues a milestone, which fixes the slot's input set; it solves the slot from that
// set and publishes the result, which every node can solve again. The operator's key is held
// for the run's day from the moment it starts, as the milestone clock holds it.
import type { KeyObject } from 'node:crypto'
import type { SlotOutcome } from '../../../../src-shared/market/day'
import type { Scenario } from '../../../../src-shared/market/scenario'
import type { MarketLedger } from '../ledgerPort'
import type { SlotParticipants } from '../runStore'
import { solveInputSet } from './clearing'
import { inputSetAt, registryAt, slotCloseMs, type InputSet } from './inputSet'
import type { MarketTangle } from './marketTangle'
import { encodeBody, MARKET_TOPICS, type RunAnnouncement } from './messages'
import { resultParts, type MarketResult } from './result'

/**
 * Above this many offers the literal loop is not run for the console: at 1,000 EVs it takes
 * seconds (98 rounds of the grids' game), the equilibrium itself under a tenth of one.
 */
const MAX_TRACED_SELLERS = 100

export interface ClosedSlot {
  outcome: SlotOutcome
  participants: SlotParticipants
  result: MarketResult
  inputs: InputSet
  /** the result's transactions, one per part */
  resultTxs: string[]
}

export class NetworkClock {
  constructor(
    private readonly tangle: () => MarketTangle,
    private readonly ledger: () => MarketLedger,
    private readonly now: () => number
  ) {}

  /**
   * Announces a run whose slot 0 opens one slot from now, on a whole second: agents see the
   * announcement, confirmed by a milestone issued at once, before they have to offer.
   */
  announce(
    runId: string,
    scenario: Scenario,
    slotSeconds: number,
    operatorKey: KeyObject
  ): { announcement: RunAnnouncement; txId: string } {
    const announcement: RunAnnouncement = {
      run: runId,
      scenario: scenario.name,
      slots: scenario.slots,
      slotSeconds,
      startMs: Math.ceil((this.now() + slotSeconds * 1000) / 1000) * 1000,
      slotHours: scenario.slotHours,
      priceCap: scenario.priceCap,
      game: scenario.game,
      currency: scenario.currency
    }
    const txId = this.tangle().publish(operatorKey, MARKET_TOPICS.run, encodeBody(announcement))
    this.milestoneNow(operatorKey)
    return { announcement, txId }
  }

  /** How long until slot t closes (0 once it has). */
  msUntilClose(announcement: RunAnnouncement, t: number): number {
    return Math.max(0, slotCloseMs(announcement, t) - this.now())
  }

  /**
   * Closes slot t: a milestone issued now fixes what the slot is solved from, the slot is
   * solved, its result is published in as many parts as it needs, and a second milestone
   * confirms them.
   */
  close(announcement: RunAnnouncement, t: number, scenario: Scenario, operatorKey: KeyObject): ClosedSlot {
    const milestone = this.milestoneNow(operatorKey)
    const { index } = this.tangle()
    index.catchUpAll()
    const inputs = inputSetAt(index, announcement, t, milestone, registryAt(index, this.tangle().operatorKeys(), milestone))
    // solved as every verifier solves it: the literal loop's trace is no part of the result
    const { outcome, result } = solveInputSet(announcement, t, inputs, { trace: false })
    const resultTxs = resultParts(result).map((body) => this.tangle().publish(operatorKey, MARKET_TOPICS.result, body))
    // confirmed at once, so every node verifies it and the agents enter the next slot from it
    this.milestoneNow(operatorKey)
    // the iterations the console plays back, once the result is out, for a market small enough to watch
    const trace = inputs.offers.length <= MAX_TRACED_SELLERS ? solveInputSet(announcement, t, inputs, { trace: true }).outcome.trace : null
    return { outcome: { ...outcome, trace }, participants: participantsOf(scenario, inputs, outcome), result, inputs, resultTxs }
  }

  /** Issues a milestone referencing every tip if anything waits for one; the latest milestone's index either way. */
  private milestoneNow(operatorKey: KeyObject): number {
    const { ledger } = this.ledger()
    if (ledger.awaitsMilestone()) {
      const outcome = ledger.issueMilestone(operatorKey, { referenceAllTips: true })
      if (outcome.status !== 'accepted')
        throw new Error(`the closing milestone was refused: ${'reason' in outcome ? outcome.reason : outcome.status}`)
    }
    return ledger.latestMilestone()?.index ?? 0
  }
}

/**
 * The slot's row per participant of the scenario, in its order, as History draws it: what each
 * offered and sold, or bid for and bought. Batteries and storage are the agents' own and not
 * known here (0); a participant without an input offered nothing.
 */
function participantsOf(scenario: Scenario, inputs: InputSet, outcome: SlotOutcome): SlotParticipants {
  const offered = new Map(inputs.offers.map((o) => [o.participant.id, o.value.supplyWh / 1000]))
  const capped = new Map(inputs.bids.map((b) => [b.participant.id, b.value.demandCapWh / 1000]))
  const sold = new Map(outcome.sellers.map((s) => [s.id, s.soldKWh]))
  const bought = new Map(outcome.buyers.map((b) => [b.id, b.boughtKWh]))
  return {
    evs: scenario.evs.map((ev) => ({
      id: ev.id,
      pcr: null,
      exportableKWh: offered.get(ev.id) ?? 0,
      soldKWh: sold.get(ev.id) ?? 0,
      batteryKWh: 0
    })),
    grids: scenario.grids.map((g) => ({
      id: g.id,
      pcr: null,
      demandCapKWh: capped.get(g.id) ?? 0,
      boughtKWh: bought.get(g.id) ?? 0,
      storageKWh: 0
    }))
  }
}
