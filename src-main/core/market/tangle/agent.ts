// An EV's or a grid's agent (issue 11, "Agents"): it watches the runs the operator announces and,
// in each slot, posts its own input, signed by its own wallet: an EV its supply from its battery
// model, eqs. (4)-(8), at its reserve price; a grid its ξ, κ and demand cap. Its battery (or
// storage) follows the published outcomes: it is replayed from the profile's initial level through
// every result so far, so an agent that was down picks up where the market left it.
import type { KeyObject } from 'node:crypto'
import { batteryAfterSlot, evSupplyKWh } from '../../../../src-shared/market/battery'
import { gridDemandCapKWh, gridStorageAfterSlot } from '../../../../src-shared/market/classify'
import type { EvParticipant, GridParticipant } from '../../../../src-shared/market/scenario'
import type { Db } from '../../db/connection'
import { slotCloseMs } from './inputSet'
import type { MarketTangle } from './marketTangle'
import { encodeBody, MARKET_TOPICS, type RunAnnouncement } from './messages'
import type { MarketResult } from './result'
import { announcedRuns, operatorResults } from './verifier'

export type AgentProfile = { role: 'ev'; participant: EvParticipant } | { role: 'grid'; participant: GridParticipant }

/** a slot's input waits this share of the slot for the previous slot's result before it is posted without it */
const WAIT_FOR_RESULT_SHARE = 0.6
/** and is not posted in the slot's last share: it could miss the closing milestone (an agent that starts that late sits the slot out) */
const TOO_LATE_SHARE = 0.25

export interface Posted {
  run: string
  t: number
  tx: string
  /** what was offered or bid for, in Wh */
  energyWh: number
}

/** The battery (EV) or storage (grid) level entering slot t, replayed through the results of the slots before it. */
export function levelBefore(profile: AgentProfile, run: RunAnnouncement, results: ReadonlyMap<number, MarketResult>, t: number): number {
  const { participant } = profile
  let level = profile.role === 'ev' ? profile.participant.battery.initialKWh : (profile.participant.storage?.initialKWh ?? 0)
  for (let s = 0; s < t; s++) {
    const production = participant.productionKWh[s] ?? 0
    const consumption = participant.consumptionKWh[s] ?? 0
    const result = results.get(s)
    if (profile.role === 'ev') {
      const sold = result?.sellers.find((x) => x.id === participant.id)?.soldKWh ?? 0
      level = batteryAfterSlot(profile.participant.battery, level, production, consumption, sold, run.slotHours)
    } else if (profile.participant.storage) {
      const bought = result?.buyers.find((x) => x.id === participant.id)?.boughtKWh ?? 0
      level = gridStorageAfterSlot({ capacityKWh: profile.participant.storage.capacityKWh, levelKWh: level }, production, consumption, bought)
    }
  }
  return level
}

/** The body this agent posts for slot t, from the level it enters the slot with. */
export function inputFor(profile: AgentProfile, run: RunAnnouncement, t: number, level: number): { topic: typeof MARKET_TOPICS.offer | typeof MARKET_TOPICS.bid; body: Record<string, unknown>; energyWh: number } {
  const { participant } = profile
  const production = participant.productionKWh[t] ?? 0
  const consumption = participant.consumptionKWh[t] ?? 0
  if (profile.role === 'ev') {
    // energy goes on the ledger in whole Wh
    const supplyWh = Math.round(evSupplyKWh(profile.participant.battery, level, production, consumption, run.slotHours) * 1000)
    return { topic: MARKET_TOPICS.offer, body: { run: run.run, t, id: participant.id, supplyWh, reservePrice: profile.participant.reservePrice }, energyWh: supplyWh }
  }
  const storage = profile.participant.storage && { capacityKWh: profile.participant.storage.capacityKWh, levelKWh: level }
  const demandCapWh = Math.round(gridDemandCapKWh(production, consumption, storage) * 1000)
  return { topic: MARKET_TOPICS.bid, body: { run: run.run, t, id: participant.id, xi: profile.participant.xi, kappa: profile.participant.kappa, demandCapWh }, energyWh: demandCapWh }
}

export class MarketAgent {
  private readonly postedAlready: (run: string, t: number) => boolean
  private readonly record: (run: string, t: number, tx: string, atMs: number) => void

  constructor(
    db: Db,
    private readonly tangle: MarketTangle,
    readonly profile: AgentProfile,
    private readonly key: KeyObject,
    private readonly now: () => number = Date.now
  ) {
    const has = db.prepare('SELECT 1 FROM market_agent_inputs WHERE run_id = ? AND t = ?')
    this.postedAlready = (run, t) => has.get(run, t) !== undefined
    const insert = db.prepare('INSERT INTO market_agent_inputs (run_id, t, tx_id, posted_ms) VALUES (?, ?, ?, ?)')
    this.record = (run, t, tx, atMs) => insert.run(run, t, tx, atMs)
  }

  /** Posts this slot's input for every open run that has none from here yet; what it posted. */
  tick(): Posted[] {
    const { index } = this.tangle
    index.catchUpAll()
    const keys = this.tangle.operatorKeys()
    const now = this.now()
    const posted: Posted[] = []
    for (const run of announcedRuns(index, keys).values()) {
      const t = Math.floor((now - run.startMs) / (run.slotSeconds * 1000))
      if (t < 0 || t >= run.slots || this.postedAlready(run.run, t)) continue
      const results = operatorResults(index, keys, run.run)
      const slotMs = run.slotSeconds * 1000
      const opened = slotCloseMs(run, t) - slotMs
      if (now - opened > (1 - TOO_LATE_SHARE) * slotMs) continue
      // the previous slot's outcome moves the battery: wait for it, but not past most of the slot
      if (t > 0 && !results.has(t - 1) && now - opened < WAIT_FOR_RESULT_SHARE * slotMs) continue
      const input = inputFor(this.profile, run, t, levelBefore(this.profile, run, results, t))
      const tx = this.tangle.publish(this.key, input.topic, encodeBody(input.body))
      this.record(run.run, t, tx, now)
      posted.push({ run: run.run, t, tx, energyWh: input.energyWh })
    }
    return posted
  }
}
