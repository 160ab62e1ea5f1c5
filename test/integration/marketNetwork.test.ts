// The market on the network: the operator's node, 3 grid agents and 10 EV agents as
// separate processes on 127.0.0.1, each with its own data dir and wallet. The agents' profiles
// are paper-3x10's participants; a day on the network clock must clear as dv2g simulate clears
// that scenario, and every node must verify every slot's result; inputs that do not count and
// tampered results are found out on every node. Commands reach the operator's node through its
// channel, as the dv2g commands do. The tests share one network, in order.
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDay } from '../../src-shared/market/day'
import { firstSlotsOf, scenarioSchema, type Scenario } from '../../src-shared/market/scenario'
import { openDatabase } from '../../src-main/core/db/connection'
import { Ledger } from '../../src-main/core/ledger/ledger'
import type { SubmitResult } from '../../src-main/core/ledger/spammer'
import { TxKind } from '../../src-main/core/ledger/transaction'
import { slotCloseMs } from '../../src-main/core/market/tangle/inputSet'
import type { SlotInputs, SlotVerification } from '../../src-main/core/market/tangle/marketTangle'
import { encodeBody, MARKET_TOPICS, type RunAnnouncement } from '../../src-main/core/market/tangle/messages'
import { assembleResult, readResultPart, resultParts } from '../../src-main/core/market/tangle/result'
import { callChannel } from '../../src-main/core/owner/channel'
import { readHolder } from '../../src-main/core/owner/lock'
import { Keystore } from '../../src-main/core/wallet/keystore'
import { createTreasuryDataDir, dv2g, dv2gJson, readNodeDatabase, startAgent, startNode, waitFor, type NodeProcess } from '../support/nodes'
import { useTempDirs } from '../support/tempDir'
import { until } from '../support/until'

const tempDir = useTempDirs({ perFile: true })
const PASSPHRASE = 'market-network-passphrase'
const withPassphrase = { DV2G_PASSPHRASE: PASSPHRASE }
const SLOT_SECONDS = 3
const SHORT_SLOT_SECONDS = 10
const scenario: Scenario = scenarioSchema.parse(
  JSON.parse(readFileSync(join(__dirname, '../../resources/scenarios/paper-3x10.json'), 'utf8'))
)

function ask<T>(node: NodeProcess, operation: string, input: unknown): Promise<T> {
  const holder = readHolder(node.dataDir)
  if (!holder) throw new Error(`no process holds ${node.dataDir}`)
  return callChannel(holder, operation, input, () => {}, 30_000) as Promise<T>
}

interface Agent {
  id: string
  role: 'ev' | 'grid'
  dir: string
  profile: string
  node?: NodeProcess
}

/** What the operator's node holds for a slot (0-based): each input's participant, milestone and body, for a failure message. */
function inputsOf(operatorDir: string, runId: string, t: number): string {
  return readNodeDatabase(operatorDir, (db) =>
    (
      db
        .prepare(
          'SELECT participant, milestone, timestamp_ms AS ms, body FROM market_messages WHERE run_id = ? AND t = ? ORDER BY milestone, position'
        )
        .all(runId, t) as { participant: string; milestone: number; ms: number; body: Buffer }[]
    )
      .map((m) => `${m.participant}@${m.milestone}/${m.ms} ${m.body.toString().slice(0, 160)}`)
      .join('\n')
  )
}

describe('the market on a network of the operator and 13 agents', () => {
  let operator: NodeProcess
  const agents: Agent[] = []
  const nodes = () => [operator, ...agents.flatMap((a) => (a.node ? [a.node] : []))]

  const startAgentNode = async (agent: Agent) => {
    agent.node = await startAgent(
      agent.dir,
      ['--role', agent.role, '--wallet', agent.id, '--profile', agent.profile, '--peer', operator.listen[0]!],
      withPassphrase
    )
  }

  beforeAll(async () => {
    operator = await startNode(await createTreasuryDataDir(tempDir(), PASSPHRASE), ['--milestone-seconds', '1'], withPassphrase)
    for (const [role, participants] of [
      ['grid', scenario.grids],
      ['ev', scenario.evs]
    ] as const) {
      for (const participant of participants) {
        const dir = tempDir()
        // a light key derivation: thirteen keystores are made and unlocked here
        const keystore = new Keystore(join(dir, 'keystore.json'), { kdf: { N: 1 << 14, r: 8, p: 1 } })
        keystore.unlock(PASSPHRASE)
        keystore.create(participant.id, role)
        const profile = join(dir, 'profile.json')
        writeFileSync(profile, JSON.stringify(participant))
        agents.push({ id: participant.id, role, dir, profile })
      }
    }
    // a few at a time: thirteen node starts at once would take the two cores for a minute
    for (let i = 0; i < agents.length; i += 4) await Promise.all(agents.slice(i, i + 4).map(startAgentNode))
    // the first through the dv2g command, the rest straight through the operator node's channel, as the command sends it
    for (const [i, agent] of agents.entries()) {
      const address = new Keystore(join(agent.dir, 'keystore.json')).find(agent.id)!.address
      if (i === 0) {
        const registered = await dv2g(
          ['--data-dir', operator.dataDir, 'market', 'register', '--id', agent.id, '--role', agent.role, '--address', address, '--json'],
          withPassphrase
        )
        expect(registered.status, registered.stderr).toBe(0)
      } else await ask(operator, 'market.register', { id: agent.id, role: agent.role, address, passphrase: PASSPHRASE })
    }
    await waitFor(
      () => ask<unknown[]>(operator, 'market.participants', {}),
      (list) => list.length === agents.length,
      60_000,
      'the operator to confirm all 13 registrations'
    )
  }, 360_000)

  afterAll(async () => {
    await Promise.all(nodes().map((node) => node.stop()))
  })

  it(
    'clears a day of 24 slots on the network clock as dv2g simulate does, and every node verifies every result',
    { timeout: 240_000 },
    async () => {
      const { runId } = await dv2gJson<{ runId: string }>(
        [
          '--data-dir',
          operator.dataDir,
          'market',
          'start',
          '--scenario',
          'paper-3x10',
          '--clock',
          'network',
          '--slot-seconds',
          String(SLOT_SECONDS)
        ],
        withPassphrase
      )
      const dayMs = (scenario.slots + 2) * SLOT_SECONDS * 1000
      await waitFor(
        () => ask<{ run: string; slots: SlotVerification[] }>(operator, 'market.verify', { runId }),
        (v) => v.slots.length === scenario.slots,
        dayMs + 60_000,
        'every slot of the day to be solved'
      )

      for (const node of nodes()) {
        const verified = await waitFor(
          () => ask<{ slots: SlotVerification[] }>(node, 'market.verify', { runId }),
          (v) => v.slots.length === scenario.slots,
          60_000,
          `node ${node.dataDir} to verify the whole day`
        )
        expect(verified.slots.filter((s) => !s.matches)).toEqual([])
        expect(verified.slots.map((s) => s.t)).toEqual(Array.from({ length: scenario.slots }, (_, t) => t))
      }

      // the agents offered their supply in whole Wh: prices, Q and trades agree with the
      // simulation to within that rounding
      const simulated = runDay(scenario)
      const trades = JSON.parse((await dv2g(['--data-dir', operator.dataDir, 'market', 'trades', '--run', runId, '--json'])).stdout) as {
        t: number
        buyer: string
        seller: string
        energyKWh: number
        price: number
      }[]
      const day = JSON.parse((await dv2g(['--data-dir', operator.dataDir, 'market', 'runs', '--json'])).stdout) as {
        id: string
        status: string
      }[]
      expect(day.find((r) => r.id === runId)?.status).toBe('finished')
      for (const slot of simulated.slots) {
        const onNetwork = trades.filter((tr) => tr.t === slot.t)
        expect(
          onNetwork.map((tr) => `${tr.buyer}->${tr.seller}`),
          `slot ${slot.t}:\n${inputsOf(operator.dataDir, runId, slot.t - 1)}`
        ).toEqual(slot.trades.map((tr) => `${tr.buyer}->${tr.seller}`))
        onNetwork.forEach((tr, i) => {
          expect(tr.energyKWh).toBeCloseTo(slot.trades[i]!.energyKWh, 2)
          expect(tr.price).toBeCloseTo(slot.trades[i]!.price, 4)
        })
      }
    }
  )

  it(
    'clears slots 9-12 without an EV agent killed in slot 8, and takes its offers again from slot 13 once it is back',
    { timeout: 360_000 },
    async () => {
      // 14 slots of 16 s: room for a restarted agent to offer in the slot it comes back in (a busy
      // CI machine took 17 s to start and sync one)
      const SLOTS = 14
      const SLOT_S = 16
      const short = firstSlotsOf(scenario, SLOTS)
      const file = join(tempDir(), 'paper-3x10-14.json')
      writeFileSync(file, JSON.stringify(short))
      const { runId } = await dv2gJson<{ runId: string }>(
        ['--data-dir', operator.dataDir, 'market', 'start', '--scenario', file, '--clock', 'network', '--slot-seconds', String(SLOT_S)],
        withPassphrase
      )
      const startMs = readNodeDatabase(
        operator.dataDir,
        (db) =>
          (
            JSON.parse(db.prepare('SELECT announcement FROM market_network_runs WHERE run_id = ?').pluck().get(runId) as string) as {
              startMs: number
            }
          ).startMs
      )
      const ev = agents.find((a) => a.id === 'EV3')!
      const slotsOf = (id: string) =>
        readNodeDatabase(
          operator.dataDir,
          (db) =>
            db
              .prepare("SELECT t FROM market_messages WHERE run_id = ? AND participant = ? AND topic = 'market.offer' ORDER BY t")
              .pluck()
              .all(runId, id) as number[]
        )

      await waitFor(
        async () => slotsOf(ev.id),
        (slots) => slots.includes(7),
        10 * SLOT_S * 1000 + 60_000,
        'EV3 to offer in slot 8'
      )
      ev.node!.kill()
      // the restart is the test's move: in slot 12's last quarter, which an agent sits out however
      // fast it starts; it has until slot 13's last quarter, 0.95 of a slot, to be back
      const restartAt = startMs + 11.8 * SLOT_S * 1000
      expect(restartAt).toBeGreaterThan(Date.now())
      await until(() => Date.now() >= restartAt, restartAt - Date.now() + 5000, 'the end of slot 12')
      await startAgentNode(ev)

      await waitFor(
        () => ask<{ slots: SlotVerification[] }>(operator, 'market.verify', { runId }),
        (v) => v.slots.length === short.slots,
        60_000,
        'every slot of the short day to be solved'
      )
      const offered = slotsOf(ev.id)
      expect(offered.filter((t) => t >= 8 && t <= 11)).toEqual([])
      expect(
        offered.filter((t) => t >= 12),
        `EV3's agent after its restart at ${new Date(restartAt).toISOString()}:\n${ev.node!.log()}`
      ).toEqual([12, 13])
      for (const node of nodes()) {
        const verified = await waitFor(
          () => ask<{ slots: SlotVerification[] }>(node, 'market.verify', { runId }),
          (v) => v.slots.length === short.slots,
          60_000,
          `node ${node.dataDir} to verify the short day`
        )
        expect(verified.slots.filter((s) => !s.matches)).toEqual([])
      }
      // the others went on: every slot without EV3 still traded
      const trades = JSON.parse((await dv2g(['--data-dir', operator.dataDir, 'market', 'trades', '--run', runId, '--json'])).stdout) as {
        t: number
        seller: string
      }[]
      for (const t of [9, 10, 11, 12])
        expect(trades.filter((tr) => tr.t === t && tr.seller !== 'EV3').length, `slot ${t}`).toBeGreaterThan(0)
    }
  )
  it(
    'leaves out a forged, a late and a duplicate offer with their reasons, and marks tampered results mismatched, on every node',
    { timeout: 240_000 },
    async () => {
      const SLOTS = 3
      const short = firstSlotsOf(scenario, SLOTS)
      const file = join(tempDir(), 'paper-3x10-3.json')
      writeFileSync(file, JSON.stringify(short))
      const { runId } = await dv2gJson<{ runId: string }>(
        [
          '--data-dir',
          operator.dataDir,
          'market',
          'start',
          '--scenario',
          file,
          '--clock',
          'network',
          '--slot-seconds',
          String(SHORT_SLOT_SECONDS)
        ],
        withPassphrase
      )
      const run = readNodeDatabase(
        operator.dataDir,
        (db) =>
          JSON.parse(
            db.prepare('SELECT announcement FROM market_network_runs WHERE run_id = ?').pluck().get(runId) as string
          ) as RunAnnouncement
      )
      const keyOf = (dir: string, name: string) => {
        const keystore = new Keystore(join(dir, 'keystore.json'))
        keystore.unlock(PASSPHRASE)
        return keystore.key(name).privateKey
      }
      // unlocked now (scrypt, a second or more each on a busy machine): the signing below must fit in slot 2
      const keys = {
        ev2: keyOf(agents.find((a) => a.id === 'EV2')!.dir, 'EV2'),
        ev3: keyOf(agents.find((a) => a.id === 'EV3')!.dir, 'EV3'),
        operator: keyOf(operator.dataDir, 'treasury')
      }

      // slot 1's result is out, and EV2's agent has offered in slot 2: the test's inputs come after it
      await waitFor(
        () => ask<{ slots: SlotVerification[] }>(operator, 'market.verify', { runId, t: 0 }),
        (v) => v.slots.length === 1,
        2 * SHORT_SLOT_SECONDS * 1000 + 60_000,
        'slot 1 to be solved'
      )
      const offered = () =>
        readNodeDatabase(
          operator.dataDir,
          (db) =>
            db
              .prepare("SELECT 1 FROM market_messages WHERE run_id = ? AND t = 1 AND participant = 'EV2' AND topic = 'market.offer'")
              .get(runId) !== undefined
        )
      await waitFor(
        async () => offered(),
        (yes) => yes,
        SHORT_SLOT_SECONDS * 1000,
        "EV2's agent to offer in slot 2"
      )
      const published = readNodeDatabase(
        operator.dataDir,
        (db) =>
          db
            .prepare("SELECT body FROM market_messages WHERE run_id = ? AND t = 0 AND topic = 'market.result' ORDER BY milestone, position")
            .pluck()
            .all(runId) as Buffer[]
      )
      // White Flag orders a milestone's transactions by the DAG, not by when they were attached: the parts are joined by their number
      const parts = published
        .map((body) => readResultPart(body))
        .map((p) => (p.ok ? p : expect.fail(p.reason)))
        .sort((a, b) => a.header.part - b.header.part)
      const assembled = assembleResult(
        parts[0]!.header,
        parts.map((p) => p.chunk)
      )
      if (!assembled.ok) expect.fail(assembled.reason)
      const result = assembled.result

      // the test signs on a ledger of its own, a copy of the grid agent G1's, so every parent it picks is on every node
      const g1 = agents.find((a) => a.id === 'G1')!
      const copy = join(tempDir(), 'copy.sqlite')
      readNodeDatabase(g1.dir, (db) => db.prepare('VACUUM INTO ?').run(copy))
      const clock = { now: Date.now }
      const copyDb = openDatabase(copy)
      const ledger = new Ledger(copyDb, { now: () => clock.now() })
      const before = ledger.graph.size
      const sign = (key: KeyObject, topic: string, body: Uint8Array) => {
        const outcome = ledger.attach(key, { kind: TxKind.Data, topic, body })
        if (outcome.status !== 'accepted') expect.fail(`the test's own ${topic} was refused: ${JSON.stringify(outcome)}`)
        return outcome.id
      }
      const stranger = generateKeyPairSync('ed25519').privateKey
      const offer = (id: string) => encodeBody({ run: runId, t: 1, id, supplyWh: 9000, reservePrice: 0.01 })
      const forged = sign(stranger, MARKET_TOPICS.offer, offer('EV1'))
      const duplicate = sign(keys.ev2, MARKET_TOPICS.offer, offer('EV2'))
      // signed half a second after slot 2 closes, but in the network before it does
      clock.now = () => slotCloseMs(run, 1) + 500
      const late = sign(keys.ev3, MARKET_TOPICS.offer, offer('EV3'))
      clock.now = Date.now
      for (const body of resultParts({ ...result, sellers: result.sellers.map((x, i) => (i === 0 ? { ...x, price: x.price * 1.5 } : x)) }))
        sign(stranger, MARKET_TOPICS.result, body)
      for (const body of resultParts({ ...result, inputHash: 'f'.repeat(64) })) sign(keys.operator, MARKET_TOPICS.result, body)
      const mine = (copyDb.prepare('SELECT bytes FROM transaction_bodies WHERE seq > ? ORDER BY seq').pluck().all(before) as Buffer[]).map(
        (b) => b.toString('base64')
      )
      ledger.ingestQueue.close('the test has signed')
      copyDb.close()
      expect(Date.now(), 'the test signed its inputs before slot 2 closed').toBeLessThan(slotCloseMs(run, 1) - 1000)
      const submitted = await ask<SubmitResult>(g1.node!, 'tangle.submit', { transactions: mine })
      expect(submitted.refused).toEqual([])

      for (const node of nodes()) {
        const slot2 = await waitFor(
          () => ask<SlotInputs>(node, 'market.slotInputs', { runId, t: 1 }),
          (s) => s.milestone !== null && s.verification !== null,
          2 * SHORT_SLOT_SECONDS * 1000 + 60_000,
          `node ${node.dataDir} to verify slot 2`
        )
        expect(slot2.verification).toEqual({ matches: true, differences: [] })
        const reasons = new Map(slot2.excluded.map((e) => [e.tx, e.reason]))
        expect(reasons.get(forged)).toBe('signed by a wallet that is not registered')
        expect(reasons.get(late)).toMatch(/^late: signed 0\.5 s after slot 2 closed$/)
        expect(reasons.get(duplicate)).toMatch(/^a second input from EV2 for slot 2 \(the first is [0-9a-f]{12}…\)$/)
        expect(slot2.inputs).toHaveLength(13)
        const slot1 = await waitFor(
          () => ask<{ slots: SlotVerification[] }>(node, 'market.verify', { runId, t: 0 }),
          (v) => v.slots.length === 3,
          60_000,
          `node ${node.dataDir} to verify the tampered results of slot 1`
        )
        expect(slot1.slots.filter((v) => v.matches)).toHaveLength(1)
        const mismatched = slot1.slots.filter((v) => !v.matches).map((v) => v.differences[0])
        expect(mismatched).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^signed by [0-9a-f]{16}…, not by the operator$/),
            `input hash: published "${'f'.repeat(64)}", computed "${result.inputHash}"`
          ])
        )
      }
    }
  )
})
