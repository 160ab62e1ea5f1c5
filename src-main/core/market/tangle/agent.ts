// An EV's or a grid's agent (docs/market.md, "On the network"): it watches the runs the operator announces and,
// in each slot, posts its own input, signed by its own wallet: an EV its supply from its battery
// model, eqs. (4)-(8), at its reserve price; a grid its ξ, κ and demand cap. Its battery (or
// storage) follows the published outcomes: it is replayed from the profile's initial level through
// every result so far, so an agent that was down picks up where the market left it. With a meter,
// an agent takes its production and consumption from it and signs what it delivered. One node
// runs one agent or a swarm of them.
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
  participant: string
  run: string
  t: number
  tx: string
  /** what was offered or bid for, in Wh */
  energyWh: number
}

/** What a slot's result gave each participant: kWh sold by each EV, bought by each grid. */
export interface SlotAllocation {
  sold: ReadonlyMap<string, number>
  bought: ReadonlyMap<string, number>
}

export const allocationOf = (result: MarketResult): SlotAllocation => ({
  sold: new Map(result.sellers.map((s) => [s.id, s.soldKWh])),
  bought: new Map(result.buyers.map((b) => [b.id, b.boughtKWh]))
})

/** A slot's production and consumption, kWh. */
export interface SlotEnergy {
  productionKWh: number
  consumptionKWh: number
}

/** Where an agent's production and consumption in slot t come from: its profile, or its meter. */
export type EnergyOf = (t: number) => SlotEnergy

export const profileEnergy =
  (profile: AgentProfile): EnergyOf =>
  (t) => ({ productionKWh: profile.participant.productionKWh[t] ?? 0, consumptionKWh: profile.participant.consumptionKWh[t] ?? 0 })

/** The battery (EV) or storage (grid) level entering slot t, replayed through the allocations of the slots before it. */
export function levelBefore(
  profile: AgentProfile,
  run: RunAnnouncement,
  allocations: ReadonlyMap<number, SlotAllocation>,
  t: number,
  energyOf: EnergyOf = profileEnergy(profile)
): number {
  let level = profile.role === 'ev' ? profile.participant.battery.initialKWh : (profile.participant.storage?.initialKWh ?? 0)
  for (let s = 0; s < t; s++) {
    const { productionKWh: production, consumptionKWh: consumption } = energyOf(s)
    const allocation = allocations.get(s)
    if (profile.role === 'ev') {
      const sold = allocation?.sold.get(profile.participant.id) ?? 0
      level = batteryAfterSlot(profile.participant.battery, level, production, consumption, sold, run.slotHours)
    } else if (profile.participant.storage) {
      const bought = allocation?.bought.get(profile.participant.id) ?? 0
      level = gridStorageAfterSlot(
        { capacityKWh: profile.participant.storage.capacityKWh, levelKWh: level },
        production,
        consumption,
        bought
      )
    }
  }
  return level
}

/** The body this agent posts for slot t, from the level it enters the slot with. */
export function inputFor(
  profile: AgentProfile,
  run: RunAnnouncement,
  t: number,
  level: number,
  energyOf: EnergyOf = profileEnergy(profile)
): { topic: typeof MARKET_TOPICS.offer | typeof MARKET_TOPICS.bid; body: Record<string, unknown>; energyWh: number } {
  const { participant } = profile
  const { productionKWh: production, consumptionKWh: consumption } = energyOf(t)
  if (profile.role === 'ev') {
    // energy goes on the ledger in whole Wh
    const supplyWh = Math.round(evSupplyKWh(profile.participant.battery, level, production, consumption, run.slotHours) * 1000)
    return {
      topic: MARKET_TOPICS.offer,
      body: { run: run.run, t, id: participant.id, supplyWh, reservePrice: profile.participant.reservePrice },
      energyWh: supplyWh
    }
  }
  const storage = profile.participant.storage && { capacityKWh: profile.participant.storage.capacityKWh, levelKWh: level }
  const demandCapWh = Math.round(gridDemandCapKWh(production, consumption, storage) * 1000)
  return {
    topic: MARKET_TOPICS.bid,
    body: { run: run.run, t, id: participant.id, xi: profile.participant.xi, kappa: profile.participant.kappa, demandCapWh },
    energyWh: demandCapWh
  }
}

/** What an agent's meter tells it (`dv2g agent --meter`), from the readings stored in its data dir. */
export interface AgentMeter {
  /** production and consumption over [fromMs, toMs), applied to a slot of `slotHours`; null without readings there */
  energy(fromMs: number, toMs: number, slotHours: number): SlotEnergy | null
  /** the meter's summary of [fromMs, toMs); null without two readings there */
  summary(
    fromMs: number,
    toMs: number
  ): { meter: string; fromMs: number; toMs: number; importWh: number; exportWh: number; readings: number } | null
}

/** The meters of this data dir that count for one participant: those assigned to its id (the agent's port assigns them). */
export function participantMeter(
  meters: {
    prosumerEnergy(fromMs: number, toMs: number, slotHours: number): ReadonlyMap<string, SlotEnergy>
    metersOf(prosumer: string): string[]
    summaryOf(meterId: string, fromMs: number, toMs: number): ReturnType<AgentMeter['summary']>
  },
  participant: string
): AgentMeter {
  return {
    energy: (fromMs, toMs, slotHours) => meters.prosumerEnergy(fromMs, toMs, slotHours).get(participant) ?? null,
    // an EV has one meter; of several, the first that counted anything
    summary: (fromMs, toMs) =>
      meters
        .metersOf(participant)
        .reduce<ReturnType<AgentMeter['summary']>>((found, id) => found ?? meters.summaryOf(id, fromMs, toMs), null)
  }
}

/** A participant this node runs an agent for, the key of its registered wallet, and its meter if it has one. */
export interface AgentMember {
  profile: AgentProfile
  key: KeyObject
  meter?: AgentMeter
}

/**
 * A member's production and consumption per slot: with a meter, what it measured over the slot
 * before (as the live clocks read assigned meters), else, and where it measured nothing, its profile.
 */
function energyOfMember(member: AgentMember, run: RunAnnouncement): EnergyOf {
  const fromProfile = profileEnergy(member.profile)
  const { meter } = member
  if (!meter) return fromProfile
  const slotMs = run.slotSeconds * 1000
  return (t) => {
    const opens = run.startMs + t * slotMs
    return meter.energy(opens - slotMs, opens, run.slotHours) ?? fromProfile(t)
  }
}

/** A slot's energy is delivered in the slot's length after it clears. */
export const deliveryWindow = (run: RunAnnouncement, t: number) => ({
  fromMs: slotCloseMs(run, t),
  toMs: slotCloseMs(run, t) + run.slotSeconds * 1000
})

/** An input to post now: whose, for which run and slot, and what. */
export interface DueInput {
  member: AgentMember
  run: string
  t: number
  input: ReturnType<typeof inputFor>
}

/**
 * The agents one node runs: one (`dv2g agent`) or a swarm of them (`dv2g agent swarm`). The runs
 * and results are read once per tick for all of them; what each posted is recorded, so a
 * restart does not post twice.
 */
export class MarketAgents {
  private readonly postedAlready: (run: string, t: number, participant: string) => boolean
  private readonly record: (run: string, t: number, participant: string, tx: string, atMs: number) => void
  private readonly deliveredAlready: (run: string, t: number, participant: string) => boolean
  private readonly recordDelivery: (run: string, t: number, participant: string, tx: string, atMs: number) => void

  constructor(
    db: Db,
    private readonly tangle: MarketTangle,
    readonly members: readonly AgentMember[],
    private readonly now: () => number = Date.now
  ) {
    const has = db.prepare('SELECT 1 FROM market_agent_inputs WHERE run_id = ? AND t = ? AND participant_id = ?')
    this.postedAlready = (run, t, participant) => has.get(run, t, participant) !== undefined
    const insert = db.prepare('INSERT INTO market_agent_inputs (run_id, t, participant_id, tx_id, posted_ms) VALUES (?, ?, ?, ?, ?)')
    this.record = (run, t, participant, tx, atMs) => insert.run(run, t, participant, tx, atMs)
    const delivered = db.prepare('SELECT 1 FROM market_agent_deliveries WHERE run_id = ? AND t = ? AND participant_id = ?')
    this.deliveredAlready = (run, t, participant) => delivered.get(run, t, participant) !== undefined
    const insertDelivery = db.prepare(
      'INSERT INTO market_agent_deliveries (run_id, t, participant_id, tx_id, posted_ms) VALUES (?, ?, ?, ?, ?)'
    )
    this.recordDelivery = (run, t, participant, tx, atMs) => insertDelivery.run(run, t, participant, tx, atMs)
  }

  /** The inputs due now: for every open run, one from each member that has not posted in its current slot. */
  due(): DueInput[] {
    const { index } = this.tangle
    index.catchUpAll()
    const keys = this.tangle.operatorKeys()
    const now = this.now()
    const due: DueInput[] = []
    for (const run of announcedRuns(index, keys).values()) {
      const t = Math.floor((now - run.startMs) / (run.slotSeconds * 1000))
      if (t < 0 || t >= run.slots) continue
      const slotMs = run.slotSeconds * 1000
      const opened = slotCloseMs(run, t) - slotMs
      if (now - opened > (1 - TOO_LATE_SHARE) * slotMs) continue
      const waiting = this.members.filter((m) => !this.postedAlready(run.run, t, m.profile.participant.id))
      if (!waiting.length) continue
      const results = operatorResults(index, keys, run.run)
      // the previous slot's outcome moves the battery: wait for it, but not past most of the slot
      if (t > 0 && !results.has(t - 1) && now - opened < WAIT_FOR_RESULT_SHARE * slotMs) continue
      const allocations = new Map([...results].map(([slot, result]) => [slot, allocationOf(result)]))
      for (const member of waiting) {
        const energyOf = energyOfMember(member, run)
        due.push({
          member,
          run: run.run,
          t,
          input: inputFor(member.profile, run, t, levelBefore(member.profile, run, allocations, t, energyOf), energyOf)
        })
      }
    }
    return due
  }

  /** Signs and attaches one due input, and records it. */
  post(due: DueInput): Posted {
    const participant = due.member.profile.participant.id
    const tx = this.tangle.publish(due.member.key, due.input.topic, encodeBody(due.input.body))
    this.record(due.run, due.t, participant, tx, this.now())
    return { participant, run: due.run, t: due.t, tx, energyWh: due.input.energyWh }
  }

  /** Posts every input due now; what it posted. */
  tick(): Posted[] {
    return this.due().map((d) => this.post(d))
  }

  /**
   * Posts, for each member with a meter, its meter's summary of every slot it offered in whose
   * delivery window has passed, once; the transactions posted.
   */
  postDeliveries(): string[] {
    // every look of a swarm without meters (the usual case) would read the runs for nothing
    const metered = this.members.flatMap((m) => (m.meter && m.profile.role === 'ev' ? [{ ...m, meter: m.meter }] : []))
    if (!metered.length) return []
    const { index } = this.tangle
    const now = this.now()
    const posted: string[] = []
    for (const run of announcedRuns(index, this.tangle.operatorKeys()).values()) {
      for (const member of metered) {
        const id = member.profile.participant.id
        for (let t = 0; t < run.slots; t++) {
          const window = deliveryWindow(run, t)
          if (window.toMs > now) break
          if (!this.postedAlready(run.run, t, id) || this.deliveredAlready(run.run, t, id)) continue
          const summary = member.meter.summary(window.fromMs, window.toMs)
          if (!summary) continue
          const tx = this.tangle.publish(member.key, MARKET_TOPICS.delivery, encodeBody({ run: run.run, t, id, ...summary }))
          this.recordDelivery(run.run, t, id, tx, now)
          posted.push(tx)
        }
      }
    }
    return posted
  }
}
