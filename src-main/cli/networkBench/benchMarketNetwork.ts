// `dv2g bench market-network`: the market on a network of three `dv2g` processes on 127.0.0.1,
// at the size a control room runs: the operator's node (milestones and the network clock), one node running
// a swarm of EV and grid agents (`dv2g agent swarm`), and one node that only verifies. Each slot
// is timed from its close, on every node's own record: when the operator's result was signed,
// and when each node had verified it; and how fast the slot's offers and bids reached the
// operator. All three run on this machine's one clock.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { firstSlotsOf, scenarioSchema } from '../../../src-shared/market/scenario'
import { DATABASE_FILE_NAME } from '../../core/app'
import { openDatabaseReadOnly, type ReadableDB } from '../../core/db/connection'
import { paperScenario } from '../../core/market/paperScenario'
import { slotCloseMs } from '../../core/market/tangle/inputSet'
import { MARKET_TOPICS, type RunAnnouncement } from '../../core/market/tangle/messages'
import type { SlotVerification } from '../../core/market/tangle/marketTangle'
import { ask, createOperatorDataDir, within } from './benchNodes'
import { quantile } from './figures'
import { bundleNodeCli } from './nodeBundle'
import { startNodeProcess, type NodeProcess } from './nodeProcess'

export interface MarketNetworkBenchResult {
  evs: number
  grids: number
  nodes: number
  slots: number
  /** medians over the slots */
  closeToResultMs: number
  closeToVerifiedAllMs: number
  offersPerSecond: number
  /** the slowest slot */
  closeToVerifiedAllMaxMs: number
}

export interface MarketNetworkPlan {
  evs: number
  grids: number
  slots: number
  slotSeconds: number
}

export const MARKET_NETWORK_TARGET_MS = 3000

export function marketNetworkPlan(quick: boolean): MarketNetworkPlan {
  return quick ? { evs: 40, grids: 4, slots: 2, slotSeconds: 6 } : { evs: 1000, grids: 50, slots: 4, slotSeconds: 12 }
}

const MILESTONE_SECONDS = 1
const START_TIMEOUT_MS = 120_000
const PASSPHRASE_ENV = 'DV2G_PASSPHRASE'

/** A node's market records, read from its database beside it. */
class MarketRecords {
  private db: ReadableDB | undefined

  constructor(private readonly dataDir: string) {}

  private get database(): ReadableDB {
    this.db ??= openDatabaseReadOnly(join(this.dataDir, DATABASE_FILE_NAME))
    return this.db
  }

  /** When this node verified the run's slot t, and whether it matched; null before it has. */
  verified(run: string, t: number): { atMs: number; matches: boolean } | null {
    const row = this.database
      .prepare<[string, number], { checked_ms: number; matches: number }>(
        'SELECT checked_ms, matches FROM market_verifications WHERE run_id = ? AND t = ? ORDER BY checked_ms LIMIT 1'
      )
      .get(run, t)
    return row ? { atMs: row.checked_ms, matches: row.matches === 1 } : null
  }

  /** When the last part of slot t's result was signed (the operator's clock). */
  resultSignedMs(run: string, t: number): number {
    return this.database
      .prepare<[string, number, string], number>('SELECT max(timestamp_ms) FROM market_messages WHERE run_id = ? AND t = ? AND topic = ?')
      .pluck()
      .get(run, t, MARKET_TOPICS.result)!
  }

  /** Slot t's inputs as confirmed here: how many, the first one's signing time, and when the last one arrived. */
  inputs(run: string, t: number): { count: number; firstSignedMs: number; lastReceivedMs: number } {
    const row = this.database
      .prepare<[string, number, string, string], { count: number; first: number; last: number }>(
        `SELECT count(*) AS count, min(m.timestamp_ms) AS first, max(x.received_ms) AS last FROM market_messages m JOIN transactions x ON x.seq = m.seq
         WHERE m.run_id = ? AND m.t = ? AND m.topic IN (?, ?)`
      )
      .get(run, t, MARKET_TOPICS.offer, MARKET_TOPICS.bid)!
    return { count: row.count, firstSignedMs: row.first, lastReceivedMs: row.last }
  }

  announcement(run: string): RunAnnouncement {
    return JSON.parse(
      this.database.prepare<[string], string>('SELECT announcement FROM market_network_runs WHERE run_id = ?').pluck().get(run)!
    ) as RunAnnouncement
  }

  close(): void {
    this.db?.close()
  }
}

export async function benchMarketNetwork(plan: MarketNetworkPlan, note: (line: string) => void): Promise<MarketNetworkBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'dv2g-bench-market-network-'))
  const bundle = await bundleNodeCli()
  const nodes: NodeProcess[] = []
  const records: MarketRecords[] = []
  const stopAll = () => Promise.all(nodes.map((n) => n.stop()))
  const interrupted = () => void stopAll().then(() => process.exit(130))
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  try {
    const passphrase = randomBytes(16).toString('hex')
    const operatorDir = join(root, 'operator')
    createOperatorDataDir(operatorDir, passphrase)
    const operator = await startNodeProcess(bundle.file, operatorDir, ['--milestone-seconds', String(MILESTONE_SECONDS)], {
      [PASSPHRASE_ENV]: passphrase
    })
    nodes.push(operator)
    const peer = ['--peer', operator.listen[0]!]
    note(`bench market-network: starting a swarm of ${plan.evs} EVs and ${plan.grids} grids on one node, and a node that verifies`)
    const [swarm, verifier] = await Promise.all([
      startNodeProcess(bundle.file, join(root, 'swarm'), [...peer, '--evs', String(plan.evs), '--grids', String(plan.grids)], {}, [
        'agent',
        'swarm'
      ]),
      startNodeProcess(bundle.file, join(root, 'verifier'), peer)
    ])
    nodes.push(swarm, verifier)
    records.push(...nodes.map((n) => new MarketRecords(n.dataDir)))

    const participants = plan.evs + plan.grids
    const registered = await ask<{ registered: number }>(operator, 'market.registerAll', {
      participants: readParticipants(String(swarm.printed.participantsFile)),
      passphrase
    })
    if (registered.registered !== participants)
      throw new Error(`the operator registered ${registered.registered} of the swarm's ${participants} participants`)
    const confirmed = async () => (await ask<unknown[]>(operator, 'market.participants', {})).length === participants
    if (!(await within(START_TIMEOUT_MS, confirmed)))
      throw new Error(`the operator did not confirm ${participants} registrations within ${START_TIMEOUT_MS / 1000} s`)

    const full = scenarioSchema.parse(paperScenario({ evs: plan.evs, grids: plan.grids }))
    const scenario = firstSlotsOf(full, plan.slots, full.name)
    const { id: run } = await ask<{ id: string }>(operator, 'market.start', {
      scenario: scenario.name,
      definition: scenario,
      clock: 'network',
      slotSeconds: plan.slotSeconds,
      settle: false,
      passphrase
    })
    const announcement = records[0]!.announcement(run)
    note(`bench market-network: run ${run}, ${plan.slots} slots of ${plan.slotSeconds} s on the network clock`)

    const closeToResult: number[] = []
    const closeToVerifiedAll: number[] = []
    const offersPerSecond: number[] = []
    for (let t = 0; t < plan.slots; t++) {
      const closeMs = slotCloseMs(announcement, t)
      const boundMs = closeMs + plan.slotSeconds * 1000 + 60_000 - Date.now()
      if (!(await within(boundMs, () => records.every((r) => r.verified(run, t) !== null)))) {
        throw new Error(
          `slot ${t + 1} was not verified on every node within a minute of its close (${records.map((r, i) => `node ${i}: ${r.verified(run, t) ? 'verified' : 'not yet'}`).join(', ')})`
        )
      }
      const verdicts = records.map((r) => r.verified(run, t)!)
      if (verdicts.some((v) => !v.matches))
        throw new Error(
          `slot ${t + 1}: a node found the result mismatched (${JSON.stringify(await ask<{ slots: SlotVerification[] }>(nodes[verdicts.findIndex((v) => !v.matches)]!, 'market.verify', { runId: run, t }))})`
        )
      const inputs = records[0]!.inputs(run, t)
      if (inputs.count !== participants)
        note(`bench market-network: slot ${t + 1} was solved from ${inputs.count} of ${participants} inputs (the rest missed its close)`)
      closeToResult.push(records[0]!.resultSignedMs(run, t) - closeMs)
      closeToVerifiedAll.push(Math.max(...verdicts.map((v) => v.atMs)) - closeMs)
      offersPerSecond.push(inputs.count / (Math.max(1, inputs.lastReceivedMs - inputs.firstSignedMs) / 1000))
      note(
        `bench market-network: slot ${t + 1}: ${inputs.count} inputs at ${Math.round(offersPerSecond.at(-1)!)} per second; result ${closeToResult.at(-1)} ms after the close, verified on all ${nodes.length} nodes ${closeToVerifiedAll.at(-1)} ms after it`
      )
    }
    return {
      evs: plan.evs,
      grids: plan.grids,
      nodes: nodes.length,
      slots: plan.slots,
      closeToResultMs: quantile(closeToResult, 0.5),
      closeToVerifiedAllMs: quantile(closeToVerifiedAll, 0.5),
      offersPerSecond: Math.round(quantile(offersPerSecond, 0.5)),
      closeToVerifiedAllMaxMs: Math.max(...closeToVerifiedAll)
    }
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
    for (const r of records) r.close()
    await stopAll()
    rmSync(root, { recursive: true, force: true })
    bundle.remove()
  }
}

/** What the swarm wrote for the operator to register. */
function readParticipants(file: string): unknown[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { participants: unknown[] }).participants
}
