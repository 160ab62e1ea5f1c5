// `dv2g bench network`: a network of real `dv2g node` processes on 127.0.0.1, each with its own
// data dir, measured against what one node ingests on this machine in the same run. Transactions
// signed beforehand (presigner.ts) are submitted to every node, an equal share each, through its
// channel at each rate, as every EV and grid submits to its own node; the operator's node issues
// a milestone every second. What each node holds is read from its database.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { measureIngest, type IngestFigures } from '../../core/ledger/benchmark'
import type { SpamResult, SubmitResult } from '../../core/ledger/spammer'
import type { NetworkStatus } from '../../core/network/view'
import { MAX_SUBMITTED } from '../../core/owner/operations'
import { backlogSlope, fallingBehind, quantile, RateSearch, type BacklogSample, type StepMeasure } from './figures'
import { NodeLedgerView } from './ledgerView'
import { bundleNodeCli } from './nodeBundle'
import { ask, createOperatorDataDir, sleep, within } from './benchNodes'
import { startNodeProcess, type NodeProcess } from './nodeProcess'
import { Presigner } from './presigner'

export interface NetworkBenchResult {
  nodes: number
  singleNodeIngestTxPerSecond: number
  networkTxPerSecond: number
  capacityUse: number
  propagationP50Ms: number
  propagationP99Ms: number
  syncTxPerSecond: number
  syncToIngest: number
  convergeAfterHealSeconds: number
  rssMBPerNode: number
}

export interface NetworkBenchPlan {
  nodes: number
  /** transactions signed and ingested in process for the single-node reference */
  ingestTransactions: number
  /** how long each step of the rate search issues */
  stepSeconds: number
  maxDoublings: number
  bisections: number
  /** how long transactions are issued at half the network rate for the propagation times */
  propagationSeconds: number
  /** how long the larger side issues while the network is split */
  partitionSeconds: number
}

export const MIN_NODES = 2
export const MAX_NODES = 8

export function benchPlan(nodes: number, quick: boolean): NetworkBenchPlan {
  return quick
    ? { nodes, ingestTransactions: 1000, stepSeconds: 1.5, maxDoublings: 1, bisections: 0, propagationSeconds: 1.5, partitionSeconds: 1 }
    : { nodes, ingestTransactions: 5000, stepSeconds: 4, maxDoublings: 5, bisections: 4, propagationSeconds: 5, partitionSeconds: 3 }
}

/** after the last issue, every node holds everything within this, or it did not keep up */
export const DRAIN_BOUND_MS = 2000
const SAMPLE_MS = 100
const MILESTONE_SECONDS = 1
const SETTLE_TIMEOUT_MS = 90_000
const CONVERGE_TIMEOUT_MS = 120_000
const LOWEST_RATE = 10
const REFERENCE_RUNS = 5

const issue = (node: NodeProcess, count: number, rate: number) => ask<SpamResult>(node, 'tangle.spam', { count, rate })

/**
 * Transactions per `tangle.submit` request. The channel takes up to MAX_SUBMITTED, but a request
 * stays in the node's heap (its JSON, its strings, their bytes) until it is done: in a run whose
 * search asked 10,000 tx/s, each node's share of 14,000 went in one request, and a node peaked at
 * 338 MB (267–279 MB in runs without such a step).
 */
const SUBMIT_BATCH = Math.min(5_000, MAX_SUBMITTED)

interface Taken {
  accepted: number
  /** the machine's clock at the node's first transaction and after its last commit */
  startedAtMs: number
  endedAtMs: number
}

/** Submits signed transactions at a rate, in batches; what the node took in, and when by its clock. */
async function submit(node: NodeProcess, transactions: string[], rate: number): Promise<Taken> {
  const taken = { accepted: 0, startedAtMs: Infinity, endedAtMs: -Infinity }
  for (let from = 0; from < transactions.length; from += SUBMIT_BATCH) {
    const result = await ask<SubmitResult>(node, 'tangle.submit', { transactions: transactions.slice(from, from + SUBMIT_BATCH), rate })
    if (result.refused.length)
      throw new Error(`node ${node.peerId} refused submitted transactions: ${result.refused.map((r) => r.reason).join('; ')}`)
    taken.accepted += result.accepted
    taken.startedAtMs = Math.min(taken.startedAtMs, result.startedAtMs)
    taken.endedAtMs = Math.max(taken.endedAtMs, result.endedAtMs)
  }
  return taken
}

/** The nodes of the bench, their ledgers read beside them, and every process started (for its peak memory). */
class BenchNetwork {
  readonly nodes: NodeProcess[] = []
  readonly views: NodeLedgerView[] = []
  private readonly started: NodeProcess[] = []
  /** one per node: each signs the share submitted to its node */
  readonly presigners: Presigner[] = []

  constructor(
    readonly root: string,
    /** the bundled CLI the nodes run */
    readonly cli: string,
    readonly note: (line: string) => void
  ) {}

  /**
   * Submits `count` transactions at `rate` over the whole network, an equal share to each node,
   * each share signed beforehand (outside the measured time). The rate the nodes took them in is
   * timed on the nodes' clock (the machine's), from the first transaction any node took to the
   * last commit any node made: the time between a node's batches counts, and a share that
   * finished early does not make the network faster. From the bench's side the time also holds
   * the first request's transfer and parsing and the last reply (0.4–1.2 % in three runs).
   */
  async submitEverywhere(count: number, rate: number): Promise<{ txPerSecond: number; requestTxPerSecond: number }> {
    const shares = this.nodes.map((_, i) => this.presigners[i]!.sign(Math.ceil(count / this.nodes.length)))
    const started = performance.now()
    const taken = await Promise.all(this.nodes.map((node, i) => submit(node, shares[i]!, rate / this.nodes.length)))
    const requestSeconds = (performance.now() - started) / 1000
    const accepted = taken.reduce((sum, t) => sum + t.accepted, 0)
    const nodeSeconds = (Math.max(...taken.map((t) => t.endedAtMs)) - Math.min(...taken.map((t) => t.startedAtMs))) / 1000
    return { txPerSecond: accepted / nodeSeconds, requestTxPerSecond: shares.flat().length / requestSeconds }
  }

  async start(dataDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<NodeProcess> {
    const node = await startNodeProcess(this.cli, dataDir, args, env)
    this.started.push(node)
    return node
  }

  /** Fails with the nodes' last log lines, which say why a node refused or stalled. */
  failure(what: string): Error {
    const logs = this.nodes.map((node, i) => `node ${i} (${node.peerId}):\n${node.logTail().split('\n').slice(-8).join('\n')}`)
    return new Error(`bench network: ${what}\n${logs.join('\n')}`)
  }

  counts(): number[] {
    return this.views.map((view) => view.transactions())
  }

  /**
   * Waits until every node holds the same transactions and a milestone has referenced all of
   * them: a node that holds everything may still be applying what a step left it, and the next
   * step would be measured against that work.
   */
  async settle(what: string): Promise<void> {
    if (!(await within(SETTLE_TIMEOUT_MS, () => new Set(this.counts()).size === 1)))
      throw this.failure(
        `${what}: the nodes did not reach the same count within ${SETTLE_TIMEOUT_MS / 1000} s (${this.counts().join(', ')})`
      )
    const unreferenced = () => this.views.map((view) => view.unreferenced())
    if (!(await within(SETTLE_TIMEOUT_MS, () => unreferenced().every((n) => n === 0))))
      throw this.failure(
        `${what}: milestones did not reference every transaction within ${SETTLE_TIMEOUT_MS / 1000} s (${unreferenced().join(', ')} not yet)`
      )
  }

  /** the largest resident set each process reached while it ran as a node, in the order they started */
  peaksMB(): number[] {
    return this.started.map((node) => node.peakRssMB())
  }

  /** the same, start-up included */
  startupPeaksMB(): number[] {
    return this.started.map((node) => node.startupPeakRssMB)
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.started.map((node) => node.stop()))
    for (const view of this.views) view.close()
    for (const presigner of this.presigners.splice(0)) presigner.close()
  }
}

/** One step of the rate search: submit at a rate across the nodes and watch whether every node keeps up. */
async function keepUpStep(net: BenchNetwork, rate: number, seconds: number): Promise<StepMeasure> {
  const startedAt = performance.now()
  const samples: BacklogSample[] = []
  const state = { issuing: true }
  const issued = net.submitEverywhere(Math.max(10, Math.round(rate * seconds)), rate).finally(() => (state.issuing = false))
  while (state.issuing) {
    await sleep(SAMPLE_MS)
    const counts = net.counts()
    samples.push({ atMs: performance.now() - startedAt, backlog: Math.max(...counts) - Math.min(...counts) })
  }
  const spam = await issued
  const issuedAt = performance.now()
  const target = Math.max(...net.counts())
  const drained = await within(DRAIN_BOUND_MS, () => net.counts().every((n) => n >= target))
  const secondHalf = samples.filter((s) => s.atMs >= (issuedAt - startedAt) / 2)
  return {
    rate,
    issuedTxPerSecond: spam.txPerSecond,
    requestTxPerSecond: spam.requestTxPerSecond,
    drainMs: drained ? performance.now() - issuedAt : null,
    backlogGrowthTxPerSecond: backlogSlope(secondHalf)
  }
}

/**
 * The highest rate every node kept up with: what they took in at the highest step that held (a
 * step may fall short of the rate asked by ISSUE_SHORTFALL and still hold; the figure is what was
 * measured, not what was asked).
 */
async function searchNetworkRate(
  net: BenchNetwork,
  plan: NetworkBenchPlan,
  ingestTxPerSecond: number,
  note: (line: string) => void
): Promise<number> {
  // a first guess: a quarter of the rate at which the nodes together verify what one node ingests
  const first = Math.max(LOWEST_RATE, Math.round(ingestTxPerSecond / (4 * plan.nodes)))
  const search = new RateSearch(first, { maxDoublings: plan.maxDoublings, bisections: plan.bisections, floor: LOWEST_RATE })
  let takenIn = 0
  for (let rate = search.proposal(); rate !== null; rate = search.proposal()) {
    const step = await keepUpStep(net, rate, plan.stepSeconds)
    const why = fallingBehind(step, DRAIN_BOUND_MS)
    search.record(rate, why === null)
    const took = Math.min(rate, step.issuedTxPerSecond)
    if (why === null && rate === search.held) takenIn = took
    note(
      `bench network: ${rate} tx/s for ${plan.stepSeconds} s: ${why === null ? `every node kept up, taking in ${Math.round(took)} tx/s (${Math.round(step.requestTxPerSecond)} with the requests' transfer; drained ${Math.round(step.drainMs!)} ms after the last issue)` : `not kept up: ${why}`}`
    )
    await net.settle(`after the step at ${rate} tx/s`)
  }
  if (search.held === 0) throw net.failure(`the nodes did not keep up even at ${LOWEST_RATE} tx/s`)
  return Math.round(takenIn)
}

/** From the node a transaction was submitted to (the first to store it) to each of the others. */
async function measurePropagation(net: BenchNetwork, rate: number, seconds: number): Promise<number[]> {
  const bases = net.counts()
  await net.submitEverywhere(Math.max(10, Math.round(rate * seconds)), rate)
  await net.settle('after issuing at half the network rate')
  const storedAt = net.views.map((view, i) => view.receivedAfter(bases[i]!))
  const latencies: number[] = []
  for (const [id] of storedAt[0]!) {
    const times = storedAt.map((stored) => stored.get(id))
    if (times.some((t) => t === undefined)) continue
    const first = Math.min(...(times as number[]))
    let origin = true
    for (const t of times as number[]) {
      if (t === first && origin)
        origin = false // the submitting node itself
      else latencies.push(t - first)
    }
  }
  if (latencies.length === 0) throw net.failure('no transaction submitted was found on every node')
  return latencies
}

/** A fresh node syncing the whole tangle from node 0: transactions per second from its genesis to its last. */
async function measureSync(net: BenchNetwork): Promise<number> {
  const target = net.views[0]!.transactions()
  const dir = join(net.root, 'fresh')
  const fresh = await net.start(dir, ['--peer', net.nodes[0]!.listen[0]!])
  const view = new NodeLedgerView(dir)
  try {
    const timeoutMs = Math.max(60_000, (target / 100) * 1000) // 100 tx/s would be far below any target
    if (!(await within(timeoutMs, () => view.transactions() >= target))) {
      throw net.failure(
        `the fresh node held ${view.transactions()} of ${target} transactions after ${timeoutMs / 1000} s\nfresh node:\n${fresh.logTail()}`
      )
    }
    const { firstMs, lastMs } = view.receivedSpan()
    const said = /synced from \S+: .*/.exec(fresh.logTail())?.[0]
    if (said) net.note(`bench network: the fresh node: ${said}`)
    return (target - 1) / (Math.max(1, lastMs - firstMs) / 1000)
  } finally {
    view.close()
    await fresh.stop()
  }
}

/**
 * Splits the last node off (stopped, then restarted with no peers), issues on both sides, heals
 * (restarted with every other node as a peer) and times from the healed node being up until all
 * nodes hold both sides, every transaction is referenced by a milestone, and all show the same
 * latest milestone and state hash.
 */
async function measureHeal(net: BenchNetwork, rate: number, seconds: number): Promise<number> {
  const last = net.nodes.length - 1
  const victim = net.nodes[last]!
  const common = net.views[0]!.transactions()
  await victim.stop()
  const isolated = await net.start(victim.dataDir, [])
  net.nodes[last] = isolated
  await Promise.all([
    issue(net.nodes[0]!, Math.max(10, Math.round(rate * seconds)), rate),
    // signed by its registered presigner: the others take a stranger's spam from a peer they did not name only at a stranger's rate
    submit(isolated, net.presigners[last]!.sign(Math.max(5, Math.round((rate * seconds) / 2))), rate)
  ])
  const union = net.views[0]!.transactions() + net.views[last]!.transactions() - common
  await isolated.stop()
  const others = net.nodes.slice(0, last).flatMap((node) => ['--peer', node.listen[0]!])
  net.nodes[last] = await net.start(victim.dataDir, others)
  const healedAt = performance.now()
  const converged = () => {
    const counts = net.counts()
    const milestones = net.views.map((view) => view.latestMilestone())
    const first = milestones[0]
    return (
      counts.every((n) => n === counts[0] && n >= union) &&
      first !== null &&
      first !== undefined &&
      milestones.every((m) => m?.index === first.index && m.stateHash === first.stateHash) &&
      net.views.every((view) => view.unreferenced() === 0)
    )
  }
  if (!(await within(CONVERGE_TIMEOUT_MS, converged))) {
    const states = net.views.map(
      (view) => `${view.transactions()} tx, milestone ${view.latestMilestone()?.index ?? '-'}, ${view.unreferenced()} not yet referenced`
    )
    throw net.failure(
      `the nodes did not converge within ${CONVERGE_TIMEOUT_MS / 1000} s of the heal (both sides: ${union} transactions; ${states.join('; ')})`
    )
  }
  return (performance.now() - healedAt) / 1000
}

export async function benchNetwork(plan: NetworkBenchPlan, note: (line: string) => void): Promise<NetworkBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'dv2g-bench-network-'))
  const bundle = await bundleNodeCli()
  const net = new BenchNetwork(root, bundle.file, note)
  // stopped from outside: the node processes must not outlive the bench
  const interrupted = () =>
    void net.stopAll().finally(() => {
      bundle.remove()
      process.exit(130)
    })
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  try {
    note(
      `bench network: the single-node reference, ${plan.ingestTransactions} transactions ingested in this process, ${REFERENCE_RUNS} times`
    )
    const references: IngestFigures[] = []
    for (let run = 0; run < REFERENCE_RUNS; run++)
      references.push(await measureIngest(join(root, `ingest-${run}`), plan.ingestTransactions, (line) => note(`bench network: ${line}`)))
    // the median: one short run can be a quarter off on a shared machine (three runs read 6,577-11,513 tx/s in one bench)
    const { ingestTxPerSecond, attachTxPerSecond } = [...references].sort((a, b) => a.ingestTxPerSecond - b.ingestTxPerSecond)[
      Math.floor(REFERENCE_RUNS / 2)
    ]!
    note(`bench network: single-node ingest runs, in order: ${references.map((r) => Math.round(r.ingestTxPerSecond)).join(', ')} tx/s`)
    // attaching (proof of work, signing) bounds what the one issuing node can offer the others
    note(
      `bench network: one node ingests ${Math.round(ingestTxPerSecond)} tx/s and attaches ${Math.round(attachTxPerSecond)} tx/s; starting ${plan.nodes} nodes on 127.0.0.1`
    )

    const passphrase = randomBytes(16).toString('hex')
    const operatorDir = join(root, 'node-0')
    createOperatorDataDir(operatorDir, passphrase)
    for (let i = 0; i < plan.nodes; i++) {
      mkdirSync(join(root, `presigner-${i}`))
      net.presigners.push(new Presigner(operatorDir, join(root, `presigner-${i}`)))
    }
    const operator = await net.start(operatorDir, ['--milestone-seconds', String(MILESTONE_SECONDS)], { DV2G_PASSPHRASE: passphrase })
    const joined = await Promise.all(
      Array.from({ length: plan.nodes - 1 }, (_, i) => net.start(join(root, `node-${i + 1}`), ['--peer', operator.listen[0]!]))
    )
    net.nodes.push(operator, ...joined)
    net.views.push(...net.nodes.map((node) => new NodeLedgerView(node.dataDir)))
    const everyPeer = async () => (await ask<NetworkStatus>(operator, 'network.status', {})).peers >= plan.nodes - 1
    if (!(await within(SETTLE_TIMEOUT_MS, everyPeer)))
      throw net.failure(`node 0 did not count ${plan.nodes - 1} peers within ${SETTLE_TIMEOUT_MS / 1000} s`)
    // the presigners sign as registered participants do: a key nobody admitted gets a stranger's share only
    const participants = net.presigners.map((presigner, i) => ({ id: `bench-${i}`, role: 'ev', address: presigner.address }))
    await ask(operator, 'market.registerAll', { participants, passphrase })
    const everyoneRegistered = async () =>
      (await Promise.all(net.nodes.map((node) => ask<unknown[]>(node, 'market.participants', {})))).every(
        (listed) => listed.length === participants.length
      )
    if (!(await within(SETTLE_TIMEOUT_MS, everyoneRegistered)))
      throw net.failure(
        `the nodes did not confirm the presigners' ${participants.length} registrations within ${SETTLE_TIMEOUT_MS / 1000} s`
      )
    // a few transactions first: every node has joined and gossip reaches them all
    await issue(operator, 20, 100)
    await net.settle('after the first transactions')

    note('bench network: searching for the highest rate at which every node keeps up')
    const networkTxPerSecond = await searchNetworkRate(net, plan, ingestTxPerSecond, note)
    const halfRate = Math.max(1, Math.round(networkTxPerSecond / 2))

    note(`bench network: propagation at half that rate, ${halfRate} tx/s for ${plan.propagationSeconds} s`)
    const latencies = await measurePropagation(net, halfRate, plan.propagationSeconds)

    note(`bench network: a fresh node syncing ${net.views[0]!.transactions()} transactions from node 0`)
    const syncTxPerSecond = await measureSync(net)
    note(
      `bench network: synced at ${Math.round(syncTxPerSecond)} tx/s; splitting node ${plan.nodes - 1} off, issuing on both sides, healing`
    )
    const convergeAfterHealSeconds = await measureHeal(net, halfRate, plan.partitionSeconds)

    await net.stopAll()
    const peaks = net.peaksMB()
    const mbList = (values: number[]) => values.map((mb) => Math.round(mb)).join(', ')
    note(
      `bench network: peak resident memory of each node process (the nodes, the fresh one, the split one twice) while it ran: ${mbList(peaks)} MB; up to the end of its start-up: ${mbList(net.startupPeaksMB())} MB`
    )
    return {
      nodes: plan.nodes,
      singleNodeIngestTxPerSecond: ingestTxPerSecond,
      networkTxPerSecond,
      capacityUse: (plan.nodes * networkTxPerSecond) / ingestTxPerSecond,
      propagationP50Ms: quantile(latencies, 0.5),
      propagationP99Ms: quantile(latencies, 0.99),
      syncTxPerSecond,
      syncToIngest: syncTxPerSecond / ingestTxPerSecond,
      convergeAfterHealSeconds,
      rssMBPerNode: Math.max(...peaks.filter((mb) => !Number.isNaN(mb)))
    }
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
    await net.stopAll()
    rmSync(root, { recursive: true, force: true })
    bundle.remove()
  }
}
