// `dv2g bench ocpp`: the central system's benchmark. The central system runs in a `dv2g node` child process
// (bundled, as an installed node runs) on 127.0.0.1; the chargers are simulated in this process,
// each a client of its own. They are registered first, plugged in a batch at a time (their
// password checks are scrypt on the central system's thread pool, which must not overlap the
// window), metered every second until every charger has been answered twice, and then measured
// over a steady window: MeterValues answered per second, their round trips' p99, and the central
// system's peak resident memory.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { open } from '../../core/app'
import { sleep, within } from '../networkBench/benchNodes'
import { bundleNodeCli, type NodeBundle } from '../networkBench/nodeBundle'
import { startNodeProcess, type NodeProcess } from '../networkBench/nodeProcess'
import { ChargerFleet } from './chargerFleet'
import { RoundTripLog, type WindowFigures } from './measurement'
import { peakRssMB, resetPeakRss } from './peakRss'

/** What `dv2g bench ocpp --json` prints: its four figures, nothing more. */
export interface OcppBenchResult {
  chargers: number
  messagesPerSecond: number
  p99Ms: number
  rssMB: number
}

export interface OcppBenchPlan {
  chargers: number
  /** the measured window */
  seconds: number
  /** chargers plugged in at once while ramping up */
  rampBatch: number
}

/** The targets, at 1,000 chargers each sending MeterValues every second. */
export const OCPP_TARGET = { chargers: 1000, p99Ms: 50, rssMB: 400 } as const
export const MAX_BENCH_CHARGERS = 20_000
export const MAX_BENCH_SECONDS = 3600

const METER_INTERVAL_MS = 1000
const CALL_TIMEOUT_MS = 30_000
/** password checks at once while registering: scrypt runs on the four threads of libuv's pool */
const REGISTER_CONCURRENCY = 8
/** before the window opens, as many answers as this many rounds of every charger... */
const WARM_UP_ROUNDS = 2
/** ...and no backlog: at most this share of the chargers with a call out (in a steady state, round trip / interval) */
const WARM_UP_OUTSTANDING_SHARE = 0.1
const WARM_UP_TIMEOUT_MS = 120_000
/** after the window, how long its last calls may take to be answered before they count as they stand */
const DRAIN_TIMEOUT_MS = CALL_TIMEOUT_MS + 5000
const PROGRESS_MS = 5000

export function ocppBenchPlan(quick: boolean, chargers?: number, seconds?: number): OcppBenchPlan {
  const base = quick ? { chargers: 50, seconds: 5 } : { chargers: OCPP_TARGET.chargers, seconds: 30 }
  return { chargers: chargers ?? base.chargers, seconds: seconds ?? base.seconds, rampBatch: 50 }
}

export interface OcppBenchOutcome {
  result: OcppBenchResult
  /** what the table shows beside the four figures */
  window: WindowFigures & {
    seconds: number
    /** how late this process's own event loop ran in the window, p99: a part of every round trip that is not the central system's */
    clientLoopDelayP99Ms: number
  }
}

/** Registers the chargers in the data dir before its node starts (one process per data dir). */
async function registerChargers(dataDir: string, ids: readonly string[], password: string): Promise<void> {
  const app = open(dataDir)
  try {
    const ocpp = app.ocpp()
    let next = 0
    const worker = async () => {
      while (next < ids.length) await ocpp.addCharger({ id: ids[next++]!, password, dischargeByNegativeLimit: false, prosumer: null })
    }
    await Promise.all(Array.from({ length: Math.min(REGISTER_CONCURRENCY, ids.length) }, worker))
  } finally {
    app.close()
  }
}

export async function benchOcpp(plan: OcppBenchPlan, note: (line: string) => void): Promise<OcppBenchOutcome> {
  const root = mkdtempSync(join(tmpdir(), 'dv2g-bench-ocpp-'))
  let bundle: NodeBundle | undefined
  let node: NodeProcess | undefined
  let fleet: ChargerFleet | undefined
  let cleaning: Promise<void> | undefined
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await fleet?.close()
      await node?.stop()
      rmSync(root, { recursive: true, force: true })
      bundle?.remove()
    })())
  const interrupted = () => void cleanUp().finally(() => process.exit(130))
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  try {
    const dataDir = join(root, 'central')
    const ids = Array.from({ length: plan.chargers }, (_, i) => `BENCH-${String(i + 1).padStart(5, '0')}`)
    const password = randomBytes(18).toString('base64url')
    note(`bench ocpp: registering ${plan.chargers} chargers (a scrypt hash each)`)
    await registerChargers(dataDir, ids, password)
    bundle = await bundleNodeCli()
    node = await startNodeProcess(bundle.file, dataDir, ['--ocpp-listen', '127.0.0.1:0'])
    const endpoint = node.printed.ocpp
    if (typeof endpoint !== 'string') throw new Error(`dv2g node printed no OCPP endpoint: ${JSON.stringify(node.printed)}`)
    const failure = (what: string) =>
      new Error(`bench ocpp: ${what}\nthe central system's last lines:\n${node!.logTail().split('\n').slice(-10).join('\n')}`)

    note(`bench ocpp: central system at ${endpoint} (pid ${node.pid}); plugging in ${plan.chargers} chargers, ${plan.rampBatch} at a time`)
    fleet = new ChargerFleet({ endpoint, ids, password, callTimeoutMs: CALL_TIMEOUT_MS, intervalMs: METER_INTERVAL_MS })
    const reportEvery = Math.max(plan.rampBatch, Math.ceil(plan.chargers / 10 / plan.rampBatch) * plan.rampBatch)
    try {
      await fleet.rampUp(plan.rampBatch, (connected) => {
        if (connected % reportEvery === 0 || connected === plan.chargers)
          note(`bench ocpp: ramping up: ${connected} of ${plan.chargers} chargers in a session`)
      })
    } catch (error) {
      throw failure(`a charger could not plug in: ${(error as Error).message}`)
    }

    const log = new RoundTripLog()
    fleet.startMetering(log.record)
    note(
      `bench ocpp: every charger sends MeterValues every ${METER_INTERVAL_MS / 1000} s; warming up until ${WARM_UP_ROUNDS} rounds are answered and no backlog is left`
    )
    const steady = () =>
      log.answered() >= WARM_UP_ROUNDS * plan.chargers && log.outstanding() <= Math.ceil(WARM_UP_OUTSTANDING_SHARE * plan.chargers)
    if (!(await within(WARM_UP_TIMEOUT_MS, steady))) {
      if (log.answered() === 0) throw failure(`no MeterValues was answered within ${WARM_UP_TIMEOUT_MS / 1000} s`)
      note(
        `bench ocpp: after ${WARM_UP_TIMEOUT_MS / 1000} s the central system still has ${log.outstanding()} MeterValues to answer (it does not keep up); measuring as it is`
      )
    }

    const peakFromWindow = resetPeakRss(node.pid)
    const loopDelay = monitorEventLoopDelay({ resolution: 10 })
    loopDelay.enable()
    const startMs = performance.now()
    const endMs = startMs + plan.seconds * 1000
    note(`bench ocpp: measuring for ${plan.seconds} s`)
    // the window is the measurement itself: its length is what is asked for, not a wait for something
    for (let now = performance.now(); now < endMs; now = performance.now()) {
      await sleep(Math.min(PROGRESS_MS, endMs - now))
      const elapsedS = (performance.now() - startMs) / 1000
      if (endMs - performance.now() > PROGRESS_MS / 10)
        note(
          `bench ocpp: measuring: ${Math.round(elapsedS)} of ${plan.seconds} s, ${Math.round(log.answeredBetween(startMs, performance.now()) / elapsedS)} MeterValues answered per second`
        )
    }
    const rssMB = peakFromWindow ? peakRssMB(node.pid) : node.peakRssMB()
    loopDelay.disable()
    fleet.stopMetering()
    if (!(await within(DRAIN_TIMEOUT_MS, () => log.pending(startMs, endMs) === 0)))
      note(
        `bench ocpp: ${log.pending(startMs, endMs)} calls of the window still unanswered after ${DRAIN_TIMEOUT_MS / 1000} s; they count with the time they waited`
      )
    const window = log.figures(startMs, endMs, performance.now())
    if (window.failed > 0)
      note(`bench ocpp: ${window.failed} of ${window.calls} MeterValues in the window failed: ${window.failures.join('; ')}`)
    return {
      result: {
        chargers: plan.chargers,
        messagesPerSecond: Math.round(window.messagesPerSecond * 10) / 10,
        p99Ms: Math.round(window.p99Ms * 100) / 100,
        rssMB: Math.round(rssMB)
      },
      // the histogram counts from the end of each 10 ms timer: lateness beyond it
      window: { ...window, seconds: plan.seconds, clientLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - 10) }
    }
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
    await cleanUp()
  }
}
