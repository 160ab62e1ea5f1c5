import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { open } from '../../core/app'
import { benchTangle } from '../../core/ledger/benchmark'
import { benchMarket } from '../../core/market/benchmark'
import { benchImport } from '../../core/meters/benchmark'
import { resourcesDir } from '../../core/resources'
import { createDispatcher } from '../../core/api'
import { startServer } from '../../server/server'
import { socketProtocols } from '../../../src-shared/serveAuth'
import { numberOption, parseArgs, UsageError } from '../args'
import { table, type Output } from '../output'
import { benchNetwork, benchPlan, MAX_NODES, MIN_NODES } from '../networkBench/benchNetwork'
import { benchMarketNetwork, MARKET_NETWORK_TARGET_MS, marketNetworkPlan } from '../networkBench/benchMarketNetwork'
import { benchOcpp, MAX_BENCH_CHARGERS, MAX_BENCH_SECONDS, OCPP_TARGET, ocppBenchPlan } from '../ocppBench/benchOcpp'
import { MAX_SWARM } from './agent'

const DEFAULT_NODES = 3

export const benchUsage = `dv2g bench [api|tangle|market|import|network|market-network|ocpp] [--nodes N] [--quick] [--evs N --grids M] [--chargers N] [--seconds S]
  api: latency of one contract call (esu.compute) in process, over POST /api and over the WebSocket.
  tangle: verify bound, ingest, attach, tip selection at 10k and 1M transactions, memory and reopen time.
  market: one slot at 10 x 3 and 10,000 x 1,000, the paper's day, time per iteration against M·N,
    iterations against the number of sellers M.
  import: DSMR telegrams parsed per second; 1,000,000 CSV rows imported, time and peak memory.
  network: N dv2g node processes on 127.0.0.1 (--nodes, default ${DEFAULT_NODES}): the highest rate at which
    every node keeps up against one node's ingest, propagation at half that rate, a fresh node's
    sync, convergence after a split is healed, memory per node. About two minutes; --quick is
    shorter steps for a smoke run (its figures are rough).
  market-network: the market on 3 node processes: the operator's, one running a swarm of agents
    (--evs, default 1000, --grids, default 50) and one that verifies; per slot, from its close to
    the result and to its verification on every node, and how fast offers reach the operator.
    About two minutes; --quick is 40 EVs, 4 grids and 2 slots.
  ocpp: the OCPP central system in a dv2g node process on 127.0.0.1, and simulated chargers (OCPP 1.6,
    --chargers, default ${OCPP_TARGET.chargers}) in this one, each in a session sending MeterValues every second:
    MeterValues answered per second, their round trips' p99 and the central system's peak memory
    over a steady window (--seconds, default 30) after the chargers have plugged in. About two
    minutes; --quick is 50 chargers for 5 s.
  Each figure is printed with the reference or target it is compared with.`

const CALLS = 2000
const sampleInput = {
  capacityKWh: 24,
  depthOfDischarge: 0.8,
  cycleLife: 3000,
  combinedCost: 8200,
  maintenancePerYear: 0,
  interestRate: 0.05,
  lifetimeYears: 10,
  daysPerYear: 365
}

interface Timing {
  medianMs: number
  p99Ms: number
}

async function time(calls: number, once: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 50; i++) await once() // warm up JIT and connections
  const samples: number[] = []
  for (let i = 0; i < calls; i++) {
    const start = performance.now()
    await once()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  return { medianMs: samples[Math.floor(calls / 2)]!, p99Ms: samples[Math.floor(calls * 0.99)]! }
}

async function benchApi(out: Output): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dv2g-bench-'))
  const app = open(dataDir)
  const server = await startServer({ app, rendererDir: dataDir, port: 0 })
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, socketProtocols(server.token))
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const dispatch = createDispatcher(app)
    let nextId = 0
    const pending = new Map<number, () => void>()
    ws.on('message', (data) => pending.get(JSON.parse(String(data)).id)?.())

    out.note(`bench api: ${CALLS} calls per transport`)
    const inProcess = await time(CALLS, () => dispatch('esu.compute', sampleInput))
    const http = await time(CALLS, async () => {
      const res = await fetch(`http://127.0.0.1:${server.port}/api/esu.compute`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(sampleInput)
      })
      await res.json()
    })
    const webSocket = await time(
      CALLS,
      () =>
        new Promise<void>((resolve) => {
          const id = nextId++
          pending.set(id, () => (pending.delete(id), resolve()))
          ws.send(JSON.stringify({ type: 'call', id, method: 'esu.compute', input: sampleInput }))
        })
    )

    const result = { calls: CALLS, inProcess, http, webSocket, webSocketOverInProcess: webSocket.medianMs / inProcess.medianMs }
    const row = (label: string, t: Timing) => [label, `${t.medianMs.toFixed(3)} / ${t.p99Ms.toFixed(3)}`, 'ms median / p99'] as const
    out.result(result, () =>
      table([
        row('in process (reference)', inProcess),
        row('POST /api', http),
        row('WebSocket', webSocket),
        ['WebSocket / in process', result.webSocketOverInProcess.toFixed(1), 'x']
      ])
    )
  } finally {
    ws.close()
    await server.close()
    app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function benchTangleCommand(out: Output): Promise<void> {
  const r = await benchTangle(out.note)
  const fixed = (v: number, digits = 0) => v.toFixed(digits)
  out.result(r, () =>
    table([
      ['raw Ed25519 verify, same threads (the bound)', fixed(r.verifyBoundTxPerSecond), 'tx/s'],
      ['ingest, full validation + commit', fixed(r.ingestTxPerSecond), 'tx/s'],
      ['ingest / bound', fixed(r.ingestToBound, 2), 'target ≥ 0.80'],
      ['attach at default difficulty', fixed(r.attachTxPerSecond), 'tx/s, target ≥ 1000'],
      ['tip selection median, 10k', fixed(r.tipSelectMedianMs10k, 3), 'ms, target < 1'],
      ['tip selection median, 1M', fixed(r.tipSelectMedianMs1M, 3), 'ms, target < 1'],
      ['growth 1M / 10k', fixed(r.tipSelectGrowth, 2), 'target ≤ 1.5'],
      ['resident memory, 1M open', fixed(r.rssMB1M), 'MB, target < 500'],
      ['reopen 1M, ready to attach', fixed(r.openSeconds1M, 2), 's, target < 3'],
      ['database bytes per transaction', fixed(r.dbBytesPerTx)]
    ])
  )
}

async function benchMarketCommand(out: Output): Promise<void> {
  const r = benchMarket(join(resourcesDir(), 'scenarios', 'paper-3x10.json'), out.note)
  const fixed = (v: number, digits = 3) => v.toFixed(digits)
  const first = r.perIteration[0]!
  const last = r.perIteration.at(-1)!
  out.result(r, () =>
    [
      table([
        ['one slot, 10 EVs x 3 grids', fixed(r.slot10x3Ms), 'ms median, target < 1'],
        ['  keeping the literal iterations', fixed(r.slot10x3WithTraceMs, 2), 'ms median (what the live auction draws)'],
        ["the paper's day, 24 slots", fixed(r.paperDayMs, 2), 'ms median, target < 20'],
        ['one slot, 10,000 EVs x 1,000 grids', fixed(r.slot10000x1000Ms, 0), 'ms median, target < 2000'],
        [
          'time per iteration per pair, M·N 1e3 .. 1e7',
          `${fixed(first.nsPerPair, 2)} .. ${fixed(last.nsPerPair, 2)}`,
          'ns (constant = linear in M·N)'
        ]
      ]),
      '',
      'M·N           ms/iteration   ns/pair',
      ...r.perIteration.map((p) => `${String(p.mn).padEnd(12)}  ${fixed(p.ms).padStart(12)}   ${fixed(p.nsPerPair, 2).padStart(7)}`),
      '',
      'sellers M   Stackelberg rounds (limit 200)   Algorithm 1 from uniform Q to (33)',
      ...r.iterationGrowth.map(
        (g) =>
          `${String(g.sellers).padEnd(10)}  ${String(g.stackelbergRounds).padStart(30)}   ${g.egtIterationsFromUniform}${g.egtConverged ? '' : ' (limit, not converged)'}`
      )
    ].join('\n')
  )
}

async function benchImportCommand(out: Output): Promise<void> {
  const r = await benchImport(out.note)
  out.result(r, () =>
    table([
      ['DSMR telegrams framed, CRC-checked, parsed', r.telegramsPerSecond.toFixed(0), 'per second, target ≥ 50,000'],
      [`CSV rows imported (${r.csvRows})`, r.csvSeconds.toFixed(2), 's, target < 10'],
      ['  rate', r.csvRowsPerSecond.toFixed(0), 'rows per second'],
      ['  peak resident memory of the import', r.peakRssMB.toFixed(0), 'MB, target < 300'],
      ['DSMR log of telegram starts without ends', '', 'ms (quickest of 3) / linear reference from the smallest'],
      ...r.startsWithoutEnds.map(
        (p) =>
          [
            `  ${p.bytes / 1024} KiB`,
            `${p.ms.toFixed(1)} / ${p.linearMs.toFixed(1)}`,
            `ms, ${(p.ms / p.linearMs).toFixed(2)}x linear`
          ] as const
      ),
      ['  longest stall of the event loop, 8 MiB', r.startsWithoutEndsMaxStallMs.toFixed(1), 'ms (least of 3 runs), target < 100']
    ])
  )
}

async function benchNetworkCommand(out: Output, options: BenchOptions): Promise<void> {
  const r = await benchNetwork(benchPlan(options.nodes, options.quick), out.note)
  const fixed = (v: number, digits = 0) => v.toFixed(digits)
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')
  out.result(r, () =>
    table([
      ['nodes on this machine', String(r.nodes)],
      ['one node ingests (the reference)', fixed(r.singleNodeIngestTxPerSecond), 'tx/s, measured in this run'],
      ['highest rate every node keeps up with', fixed(r.networkTxPerSecond), 'tx/s'],
      ['capacity use, nodes x rate / reference', fixed(r.capacityUse, 2), `target ≥ 0.70, ${mark(r.capacityUse >= 0.7)}`],
      ['propagation p50 at half that rate', fixed(r.propagationP50Ms), 'ms'],
      ['propagation p99 at half that rate', fixed(r.propagationP99Ms), `ms, target < 500, ${mark(r.propagationP99Ms < 500)}`],
      ['fresh node syncing the tangle', fixed(r.syncTxPerSecond), 'tx/s'],
      ['sync / reference', fixed(r.syncToIngest, 2), `target ≥ 0.70, ${mark(r.syncToIngest >= 0.7)}`],
      ['converged after a split healed', fixed(r.convergeAfterHealSeconds, 1), 's'],
      ['peak resident memory per node', fixed(r.rssMBPerNode), `MB, target < 300, ${mark(r.rssMBPerNode < 300)}`]
    ])
  )
}

async function benchMarketNetworkCommand(out: Output, options: BenchOptions): Promise<void> {
  const plan = { ...marketNetworkPlan(options.quick), ...options.swarm }
  const r = await benchMarketNetwork(plan, out.note)
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')
  out.result(r, () =>
    table([
      ['EVs and grids as agents on one node', `${r.evs} x ${r.grids}`],
      ['nodes (operator, swarm, verifier)', String(r.nodes)],
      ['slots measured', String(r.slots)],
      ['offers and bids reaching the operator', String(r.offersPerSecond), 'per second, median over the slots'],
      ['slot close to result signed', String(r.closeToResultMs), 'ms, median'],
      [
        'slot close to verified on every node',
        String(r.closeToVerifiedAllMs),
        `ms, median; target < ${MARKET_NETWORK_TARGET_MS} at 1000 x 50, ${mark(r.closeToVerifiedAllMs < MARKET_NETWORK_TARGET_MS)}`
      ],
      ['  slowest slot', String(r.closeToVerifiedAllMaxMs), 'ms']
    ])
  )
}

async function benchOcppCommand(out: Output, options: BenchOptions): Promise<void> {
  const { result: r, window } = await benchOcpp(ocppBenchPlan(options.quick, options.ocpp.chargers, options.ocpp.seconds), out.note)
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED')
  const atTarget = r.chargers === OCPP_TARGET.chargers ? '' : ` at ${OCPP_TARGET.chargers} chargers`
  out.result(r, () =>
    table([
      ['simulated chargers, OCPP 1.6, one process', String(r.chargers), 'each sending MeterValues every second'],
      [
        'MeterValues answered',
        r.messagesPerSecond.toFixed(1),
        `per second, target ${r.chargers} (every charger every second), ${mark(r.messagesPerSecond >= 0.98 * r.chargers)}`
      ],
      ['round trip p50', window.p50Ms.toFixed(2), 'ms'],
      ['round trip p99', r.p99Ms.toFixed(2), `ms, target < ${OCPP_TARGET.p99Ms}${atTarget}, ${mark(r.p99Ms < OCPP_TARGET.p99Ms)}`],
      [
        'central system peak resident memory',
        String(r.rssMB),
        `MB, target < ${OCPP_TARGET.rssMB}${atTarget}, ${mark(r.rssMB < OCPP_TARGET.rssMB)}`
      ],
      ['calls in the window', String(window.calls), `${window.seconds} s; ${window.failed} failed, ${window.unanswered} unanswered`],
      ["the chargers' own event-loop delay p99", window.clientLoopDelayP99Ms.toFixed(1), 'ms, in every round trip measured here']
    ])
  )
}

interface BenchOptions {
  nodes: number
  quick: boolean
  /** bench market-network's swarm, when given */
  swarm: { evs?: number; grids?: number }
  /** bench ocpp's size, when given */
  ocpp: { chargers?: number; seconds?: number }
}

const benches: Record<string, (out: Output, options: BenchOptions) => Promise<void>> = {
  api: benchApi,
  tangle: benchTangleCommand,
  market: benchMarketCommand,
  import: benchImportCommand,
  network: benchNetworkCommand,
  'market-network': benchMarketNetworkCommand,
  ocpp: benchOcppCommand
}

export async function runBench(argv: readonly string[], out: Output): Promise<number> {
  const args = parseArgs(argv, {
    nodes: { value: true },
    quick: { value: false },
    evs: { value: true },
    grids: { value: true },
    chargers: { value: true },
    seconds: { value: true }
  })
  const nodes = numberOption(args, 'nodes') ?? DEFAULT_NODES
  if (!Number.isInteger(nodes) || nodes < MIN_NODES || nodes > MAX_NODES)
    throw new UsageError(`--nodes must be a whole number from ${MIN_NODES} to ${MAX_NODES} (got ${nodes})`)
  const swarmSize = (name: 'evs' | 'grids') => {
    const n = numberOption(args, name)
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > MAX_SWARM))
      throw new UsageError(`--${name} must be a whole number from 1 to ${MAX_SWARM} (got ${n})`)
    return n === undefined ? {} : { [name]: n }
  }
  const swarm = { ...swarmSize('evs'), ...swarmSize('grids') }
  const wholeNumber = (name: string, max: number) => {
    const n = numberOption(args, name)
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > max))
      throw new UsageError(`--${name} must be a whole number from 1 to ${max} (got ${n})`)
    return n
  }
  const ocpp = { chargers: wholeNumber('chargers', MAX_BENCH_CHARGERS), seconds: wholeNumber('seconds', MAX_BENCH_SECONDS) }
  const names = args.positionals.length ? args.positionals : Object.keys(benches)
  const unknown = names.find((name) => !benches[name])
  if (unknown !== undefined)
    throw new UsageError(`unknown benchmark ${JSON.stringify(unknown)}; available: ${Object.keys(benches).join(', ')}`)
  if (args.options.has('nodes') && !names.includes('network')) throw new UsageError('--nodes is an option of dv2g bench network')
  if (args.options.has('quick') && !['network', 'market-network', 'ocpp'].some((name) => names.includes(name)))
    throw new UsageError('--quick is an option of dv2g bench network, market-network and ocpp')
  if ((args.options.has('evs') || args.options.has('grids')) && !names.includes('market-network'))
    throw new UsageError('--evs and --grids are options of dv2g bench market-network')
  if ((args.options.has('chargers') || args.options.has('seconds')) && !names.includes('ocpp'))
    throw new UsageError('--chargers and --seconds are options of dv2g bench ocpp')
  for (const name of names) await benches[name]!(out, { nodes, quick: args.options.has('quick'), swarm, ocpp })
  return 0
}
