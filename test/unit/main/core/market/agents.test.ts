// The agents one node runs (dv2g agent, dv2g agent swarm), in process: each member posts one
// input per slot, signed by its own wallet, waits for the previous slot's result, and follows it.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { evSupplyKWh } from '../../../../../src-shared/market/battery'
import { gameSchema, scenarioSchema, type EvParticipant } from '../../../../../src-shared/market/scenario'
import { seededRandom } from '../../../../../src-shared/random'
import type { LedgerServices } from '../../../../../src-main/core/app'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { Ledger, type IngestOutcome } from '../../../../../src-main/core/ledger/ledger'
import { privateKeyFromSeed, publicKeyBytes } from '../../../../../src-main/core/ledger/signing'
import { paperScenario } from '../../../../../src-main/core/market/paperScenario'
import { allocationOf, inputFor, levelBefore, MarketAgents } from '../../../../../src-main/core/market/tangle/agent'
import { solveInputSet } from '../../../../../src-main/core/market/tangle/clearing'
import { inputSetAt, registryAt } from '../../../../../src-main/core/market/tangle/inputSet'
import { MarketTangle } from '../../../../../src-main/core/market/tangle/marketTangle'
import { encodeBody, MARKET_TOPICS, type RunAnnouncement } from '../../../../../src-main/core/market/tangle/messages'
import { resultParts } from '../../../../../src-main/core/market/tangle/result'
import { loadOrCreateSwarmSecret, swarmKey } from '../../../../../src-main/core/market/tangle/swarmKeys'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const operator = privateKeyFromSeed(new Uint8Array(32).fill(1))
const START_MS = Date.UTC(2026, 10, 30, 12)
const SLOT_MS = 60_000

function accepted(outcome: IngestOutcome) {
  if (outcome.status !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`)
  return outcome
}

/** A swarm of paper-3x10's first grid and three EVs on one ledger, registered by the operator. */
function swarmOnALedger() {
  const clock = { now: START_MS - 1000 }
  const dataDir = tempDir()
  const db = openDatabase(join(dataDir, 'market.sqlite'))
  const ledger = new Ledger(db, { powBits: 2, random: seededRandom(4), now: () => clock.now })
  accepted(ledger.createGenesis(operator, [{ address: addressOf(publicKeyBytes(operator)), amount: 1000n }], [publicKeyBytes(operator)]))
  const tangle = new MarketTangle(db, () => ({ ledger }) as unknown as LedgerServices)
  const scenario = scenarioSchema.parse(paperScenario())
  const secret = loadOrCreateSwarmSecret(dataDir)
  const members = [
    ...scenario.evs
      .slice(0, 3)
      .map((participant) => ({ profile: { role: 'ev' as const, participant }, ...swarmKey(secret, participant.id) })),
    { profile: { role: 'grid' as const, participant: scenario.grids[0]! }, ...swarmKey(secret, scenario.grids[0]!.id) }
  ]
  for (const m of members)
    tangle.publish(operator, MARKET_TOPICS.register, encodeBody({ id: m.profile.participant.id, role: m.profile.role, address: m.address }))
  const run: RunAnnouncement = {
    run: 'r1',
    scenario: scenario.name,
    slots: 3,
    slotSeconds: SLOT_MS / 1000,
    startMs: START_MS,
    slotHours: 1,
    priceCap: [0.13, 0.13, 0.13],
    game: gameSchema.parse({ seed: 2020 }),
    currency: 'USD'
  }
  tangle.publish(operator, MARKET_TOPICS.run, encodeBody(run))
  const milestone = () => {
    accepted(ledger.issueMilestone(operator, { referenceAllTips: true }))
    return tangle.index.catchUpAll()
  }
  milestone()
  const agents = new MarketAgents(db, tangle, members, () => clock.now)
  /** the operator closes slot t as the network clock does */
  const close = (t: number) => {
    const at = milestone()
    const { result } = solveInputSet(run, t, inputSetAt(tangle.index, run, t, at, registryAt(tangle.index, tangle.operatorKeys(), at)), {
      trace: false
    })
    for (const body of resultParts(result)) tangle.publish(operator, MARKET_TOPICS.result, body)
    milestone()
    return result
  }
  return { clock, db, tangle, agents, members, close, run, milestone }
}

describe('market agents', () => {
  it('post one input per member and slot, each signed by its own wallet, and not again', () => {
    const s = swarmOnALedger()
    expect(s.agents.due()).toEqual([]) // before slot 1 opens
    s.clock.now = START_MS + 1000
    const posted = s.agents.tick()
    expect(posted.map((p) => `${p.participant}@${p.t}`)).toEqual(['EV1@0', 'EV2@0', 'EV3@0', 'G1@0'])
    expect(s.agents.tick()).toEqual([])
    s.close(0)
    expect(s.tangle.slotInputs('r1', 0).inputs.map((i) => `${i.participant} ${i.wallet}`)).toEqual(
      s.members.map((m) => `${m.profile.participant.id} ${m.address}`)
    )
    // a restart does not post again: what was posted is kept in the data dir
    expect(new MarketAgents(s.db, s.tangle, s.members, () => s.clock.now).due()).toEqual([])
  })

  it("wait for the previous slot's result most of a slot, follow it, and sit out a slot's last quarter", () => {
    const s = swarmOnALedger()
    s.clock.now = START_MS + 1000
    s.agents.tick()
    s.clock.now = START_MS + SLOT_MS + 1000
    expect(s.agents.due()).toEqual([]) // slot 1's result is not out yet
    const result = s.close(0)
    const sold = result.sellers.filter((x) => x.soldKWh > 0)
    expect(sold.length).toBeGreaterThan(0)
    const withResult = s.agents.due()
    expect(withResult).toHaveLength(4)
    // an EV that sold in slot 1 offers from the battery that sale left, not from a full one
    const { run } = s
    for (const due of withResult.filter((d) => d.input.topic === MARKET_TOPICS.offer)) {
      const { profile } = due.member
      const followed = levelBefore(profile, run, new Map([[0, allocationOf(result)]]), 1)
      expect(due.input.energyWh).toBe(inputFor(profile, run, 1, followed).energyWh)
      expect(followed).not.toBe(levelBefore(profile, run, new Map(), 1))
    }
    // in slot 3's last quarter nothing is posted: it could miss the closing milestone
    s.clock.now = START_MS + 2 * SLOT_MS + 0.8 * SLOT_MS
    expect(s.agents.due()).toEqual([])
  })

  it('with a meter, offer what it measured in the slot before, and sign what it delivered, which every node sets against what it sold', () => {
    const s = swarmOnALedger()
    // EV1's meter: 2 kWh produced beyond its use in the slot before slot 1, and 50 Wh net export
    // in slot 1's delivery window (the minute after it closes), which on this run's clock, a
    // minute for each hour-long slot, stands for 3 kWh
    const measured = { productionKWh: 2, consumptionKWh: 0 }
    const meter = {
      energy: (fromMs: number, toMs: number) => (toMs <= START_MS && fromMs >= START_MS - SLOT_MS ? measured : null),
      summary: (fromMs: number, toMs: number) =>
        fromMs === START_MS + SLOT_MS && toMs === START_MS + 2 * SLOT_MS
          ? { meter: 'E0001', fromMs, toMs, importWh: 25, exportWh: 75, readings: 60 }
          : null
    }
    const [ev1, ...others] = s.members
    const agents = new MarketAgents(s.db, s.tangle, [{ ...ev1!, meter }, ...others], () => s.clock.now)
    s.clock.now = START_MS + 1000
    const [offer] = agents.due()
    const { battery } = (ev1!.profile as { participant: EvParticipant }).participant
    expect(offer!.input.energyWh).toBe(Math.round(evSupplyKWh(battery, battery.initialKWh, 2, 0, 1) * 1000))
    agents.tick()
    const result = s.close(0)
    // nothing is signed before the delivery window has passed
    expect(agents.postDeliveries()).toEqual([])
    s.clock.now = START_MS + 2 * SLOT_MS + 1000
    const [tx, ...more] = agents.postDeliveries()
    expect(more).toEqual([])
    expect(agents.postDeliveries()).toEqual([]) // once
    // a summary for EV2 signed by EV1's wallet does not count for EV2
    s.tangle.publish(
      ev1!.key,
      MARKET_TOPICS.delivery,
      encodeBody({
        run: 'r1',
        t: 0,
        id: 'EV2',
        meter: 'E0002',
        fromMs: START_MS + SLOT_MS,
        toMs: START_MS + 2 * SLOT_MS,
        importWh: 0,
        exportWh: 9000,
        readings: 60
      })
    )
    s.milestone()
    const [slot1] = s.tangle.deliveries('r1').slots
    const sold = result.sellers.find((x) => x.id === 'EV1')!.soldKWh
    expect(slot1!.evs.find((e) => e.id === 'EV1')).toEqual({ id: 'EV1', soldKWh: sold, deliveredKWh: 3, deviationKWh: 3 - sold, tx })
    expect(slot1!.evs.find((e) => e.id === 'EV2')).toMatchObject({ deliveredKWh: null, deviationKWh: null })
  })

  it('give each participant of a swarm a wallet of its own that stays the same across restarts', () => {
    const dir = tempDir()
    const secret = loadOrCreateSwarmSecret(dir)
    expect(loadOrCreateSwarmSecret(dir)).toEqual(secret)
    expect(swarmKey(secret, 'EV1').address).toBe(swarmKey(loadOrCreateSwarmSecret(dir), 'EV1').address)
    expect(swarmKey(secret, 'EV1').address).not.toBe(swarmKey(secret, 'EV2').address)
    expect(swarmKey(secret, 'EV1').address).not.toBe(swarmKey(loadOrCreateSwarmSecret(tempDir()), 'EV1').address)
  })
})
