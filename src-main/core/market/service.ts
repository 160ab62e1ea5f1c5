// The market in the main process: runs a scenario's day now, on an accelerated clock (one slot
// every N seconds, for rehearsal), on real hour boundaries (clock.ts), or on the network clock,
// where agents offer and bid on the tangle and each close is fixed by a milestone
// (tangle/networkClock.ts); streams each slot's iterations to the consoles at a pace the eye can
// follow; settles on the ledger; keeps every run in SQLite (runStore.ts).
import { randomUUID, type KeyObject } from 'node:crypto'
import type { EventPayload, MarketRun, MethodOutput } from '../../../src-shared/contract'
import { MarketDay, type DayResult, type DayState, type SlotOutcome, type SlotOverrides } from '../../../src-shared/market/day'
import type { Scenario } from '../../../src-shared/market/scenario'
import type { MarketLedger } from './ledgerPort'
import type { Db } from '../db/connection'
import type { EventBus } from '../events'
import { wallTimers, type Cancel, type Timers } from '../timers'
import { delayAfterSlot, firstSlotOf, playbackMs, SlotTimers, slotWindowMs } from './clock'
import { tradesCsv } from './dayFiles'
import { RunStore, RunStoreError, type StoredRun, type StoredSlot } from './runStore'
import { readScenarioFolder } from './scenarioFolder'
import { PaymentBook, type NetworkPayer } from './settlement'
import { Settler, type SlotSettled } from './settler'
import { slotOfDay, solveScenarioSlot } from './solver'
import type { RunAnnouncement } from './tangle/messages'
import type { MarketTangle } from './tangle/marketTangle'
import { NetworkClock } from './tangle/networkClock'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export class MarketError extends Dv2gError {
  constructor(
    message: string,
    readonly notFound = false,
    options: RefusalOptions = {}
  ) {
    super(options.code ?? (notFound ? 'not_found' : 'invalid_argument'), message, options)
  }
}

type Clock = MarketRun['clock']
type Status = MarketRun['status']

export interface MarketServiceOptions {
  scenariosDir: string
  /** the wall clock and timers that pace slots and their playback (a fake one in tests) */
  timers?: Timers
  /** pause between two batches of iterations sent to the consoles */
  frameMs?: number
  /**
   * Live readings replacing the scenario's production and consumption, measured over the last
   * slot's length of wall-clock time (meters)
   */
  overrides?: (scenario: Scenario, windowMs: number) => SlotOverrides | undefined
  /** a paced slot's outcome, stored, to send on to the chargers for the next slot's length (OCPP) */
  dispatch?: (scenario: Scenario, outcome: SlotOutcome, windowMs: number) => void
}

/** Slots settled by this call, slots settled before it, and the slots that failed with why. */
export type SettleRunResult = MethodOutput<'market.settle'>

export class MarketService {
  private readonly timers: SlotTimers
  private readonly settler: Settler
  private readonly playbacks = new Set<Cancel>()
  private readonly clock: Timers
  private readonly now: () => number
  private readonly frameMs: number
  private readonly book: PaymentBook
  private readonly store: RunStore

  private readonly networkClock: NetworkClock
  /** the operator's key for each network run, held from its start for its whole day */
  private readonly networkKeys = new Map<string, KeyObject>()
  /** what each run started with `onEnd` lets go of when it finishes or is stopped (an open keystore) */
  private readonly endings = new Map<string, () => void>()

  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly ledger: () => MarketLedger,
    private readonly options: MarketServiceOptions,
    private readonly tangle: () => MarketTangle
  ) {
    this.clock = options.timers ?? wallTimers
    this.now = () => this.clock.now()
    this.frameMs = options.frameMs ?? 100
    this.book = new PaymentBook(db, this.now)
    this.store = new RunStore(db)
    this.timers = new SlotTimers(this.clock)
    this.settler = new Settler(this.store, this.book, ledger)
    this.networkClock = new NetworkClock(tangle, ledger, this.now)
    // a read-only view beside the running app leaves its runs alone
    if (!db.readonly) this.store.pauseRunning()
  }

  scenarios() {
    const { scenarios, broken } = readScenarioFolder(this.options.scenariosDir)
    for (const reason of broken) console.error(`dv2g: scenario skipped: ${reason}`)
    return scenarios.map((s) => ({
      name: s.name,
      description: s.description ?? '',
      evs: s.evs.length,
      grids: s.grids.length,
      slots: s.slots,
      currency: s.currency,
      game: { sigma1: s.game.sigma1, sigma2: s.game.sigma2, C: s.game.C }
    }))
  }

  private loadScenario(name: string): Scenario {
    const { scenarios, broken } = readScenarioFolder(this.options.scenariosDir)
    const scenario = scenarios.find((s) => s.name === name)
    if (scenario) return scenario
    // the one asked for may be in a file that could not be read: say what is wrong with each
    if (broken.length) throw new MarketError(`no readable scenario named "${name}"; scenario files with errors: ${broken.join(' | ')}`)
    throw new MarketError(`no scenario named "${name}"`, true)
  }

  /**
   * Starts a run of the named scenario, or of `definition` (a scenario file the CLI read); onEnd is
   * called once when the run finishes or is stopped, or when this service closes.
   */
  start(
    input: {
      scenario: string
      definition?: Scenario
      clock: Clock
      slotSeconds?: number
      settle: boolean
      game?: Partial<Scenario['game']>
    },
    onEnd?: () => void
  ): MarketRun {
    const scenario = input.definition ? structuredClone(input.definition) : this.loadScenario(input.scenario)
    scenario.game = { ...scenario.game, ...input.game }
    const paced = input.clock === 'accelerated' || input.clock === 'network'
    if (paced && input.slotSeconds === undefined)
      throw new MarketError(`slotSeconds: the ${input.clock} clock needs the seconds per slot`, false, { field: 'slotSeconds' })
    const id = randomUUID()
    const firstSlot = firstSlotOf(input.clock, scenario.slots, this.now())
    let network: { announcement: RunAnnouncement; txId: string } | undefined
    if (input.clock === 'network') {
      const key = this.operatorKey()
      network = this.networkClock.announce(id, scenario, input.slotSeconds!, key)
      this.networkKeys.set(id, key)
    }
    this.store.insertRun({
      id,
      scenarioName: scenario.name,
      scenario,
      clock: input.clock,
      slotSeconds: paced ? input.slotSeconds! : null,
      settle: input.settle,
      status: 'running',
      nextSlot: firstSlot,
      state: new MarketDay(scenario).state(),
      createdAt: new Date(this.now()).toISOString(),
      ...(network ? { network } : {})
    })
    if (onEnd) this.endings.set(id, onEnd)
    this.schedule(id, network ? this.networkClock.msUntilClose(network.announcement, firstSlot) : 0)
    return this.announce(id)
  }

  control(runId: string, action: 'pause' | 'resume' | 'step' | 'stop'): MarketRun {
    const run = this.row(runId)
    const open = run.status === 'running' || run.status === 'paused'
    if (!open) throw new MarketError(`run ${runId} is ${run.status}; start a new run`)
    if (action === 'pause') {
      this.timers.cancel(runId)
      this.setStatus(runId, 'paused')
    } else if (action === 'resume') {
      // after a restart a network run takes the operator's key again, from the unlocked keystore
      if (run.network) this.networkKey(runId)
      this.setStatus(runId, 'running')
      this.schedule(runId, this.delayToNext(run))
    } else if (action === 'step') {
      this.timers.cancel(runId)
      this.solveNext(runId)
      if (this.row(runId).status === 'running') this.schedule(runId, this.delayToNext(this.row(runId)))
    } else {
      this.timers.cancel(runId)
      this.finish(runId, 'stopped')
    }
    return this.announce(runId)
  }

  setGame(runId: string, game: Partial<Scenario['game']>): MarketRun {
    const { scenario } = this.row(runId)
    scenario.game = { ...scenario.game, ...game }
    this.store.setScenario(runId, scenario)
    return this.announce(runId)
  }

  runs(): MarketRun[] {
    return this.store.runIds().map((id) => this.summary(id))
  }

  /** The run's solved slots as a day (figures 3–6, 10), without the iterations. */
  day(runId: string): { run: MarketRun; day: DayResult; settlement: { t: number; settled: boolean; error: string | null }[] } {
    const { scenario } = this.row(runId)
    const rows = this.slotRows(runId)
    const slots = rows.map((r) => ({ ...r.outcome, trace: null }))
    const participants = rows.map((r) => r.participants)
    const day: DayResult = {
      scenario: scenario.name,
      slots,
      evs: scenario.evs.map((ev, m) => ({
        id: ev.id,
        pcr: participants.map((p) => p.evs[m]!.pcr),
        exportableKWh: participants.map((p) => p.evs[m]!.exportableKWh),
        soldKWh: participants.map((p) => p.evs[m]!.soldKWh),
        batteryKWh: participants.map((p) => p.evs[m]!.batteryKWh)
      })),
      grids: scenario.grids.map((g, n) => ({
        id: g.id,
        pcr: participants.map((p) => p.grids[n]!.pcr),
        demandCapKWh: participants.map((p) => p.grids[n]!.demandCapKWh),
        boughtKWh: participants.map((p) => p.grids[n]!.boughtKWh),
        storageKWh: participants.map((p) => p.grids[n]!.storageKWh)
      })),
      converged: slots.every((s) => s.converged),
      totalTradedKWh: slots.reduce((sum, s) => sum + s.tradedKWh, 0),
      totalPaid: slots.reduce((sum, s) => sum + s.totalPaid, 0)
    }
    return {
      run: this.summary(runId),
      day,
      settlement: rows.map((r) => ({ t: r.t, settled: r.settlement !== null, error: r.settleError }))
    }
  }

  slot(runId: string, t: number): SlotOutcome {
    this.row(runId)
    const slot = this.stored(() => this.store.slot(runId, t))
    if (!slot) throw new MarketError(`run ${runId} has no solved slot ${t}`, true)
    return slot.outcome
  }

  tradesCsv(runId: string): { fileName: string; csv: string } {
    const { run, day } = this.day(runId)
    const { scenario } = this.row(runId)
    return {
      fileName: `dv2g-${run.scenario}-${run.createdAt.slice(0, 19).replaceAll(':', '')}-trades.csv`,
      csv: tradesCsv(day, scenario.currency)
    }
  }

  /**
   * Settles every converged slot of the run that is not on the ledger yet, each slot in one
   * transaction; after a crash or a failure, calling it again pays every pair exactly once.
   */
  settleRun(runId: string, onSlot: (slot: SlotSettled) => void = () => {}): SettleRunResult {
    const run = this.row(runId)
    const converged = this.slotRows(runId).filter((r) => r.converged)
    const pending = converged.filter((r) => r.settlement === null)
    const outcomes = this.settler.settle(run, pending, onSlot, this.networkPayer(run))
    this.announce(runId)
    return {
      settled: outcomes.filter((o) => !('error' in o)).length,
      alreadySettled: converged.length - pending.length,
      failed: outcomes.flatMap((o) => ('error' in o ? [{ t: o.t, error: o.error }] : []))
    }
  }

  /**
   * Stores a day solved elsewhere (dv2g simulate) as a finished run of this data dir, so it can be
   * settled, and finished after an interruption, like any other run.
   */
  storeDay(scenario: Scenario, day: DayResult, options: { settle: boolean }): MarketRun {
    const id = randomUUID()
    const at = new Date(this.now()).toISOString()
    const last = scenario.slots - 1
    const state: DayState = { batteryKWh: day.evs.map((ev) => ev.batteryKWh[last]!), storageKWh: day.grids.map((g) => g.storageKWh[last]!) }
    this.store.transaction(() => {
      this.store.insertRun({
        id,
        scenarioName: scenario.name,
        scenario,
        clock: 'instant',
        slotSeconds: null,
        settle: options.settle,
        status: 'finished',
        nextSlot: scenario.slots,
        state,
        createdAt: at,
        finishedAt: at
      })
      day.slots.forEach((_, i) => {
        const { outcome, participants } = slotOfDay(day, i)
        this.store.insertSlot(id, outcome, participants, at)
      })
    })
    return this.announce(id)
  }

  close(): void {
    this.timers.cancelAll()
    for (const cancel of this.playbacks) cancel()
    this.playbacks.clear()
    for (const runId of [...this.endings.keys()]) this.ended(runId)
  }

  private ended(runId: string): void {
    const onEnd = this.endings.get(runId)
    this.endings.delete(runId)
    onEnd?.()
  }

  private solveNext(runId: string): void {
    const run = this.row(runId)
    const { scenario } = run
    const t = run.nextSlot
    if (t >= scenario.slots) return this.finish(runId, 'finished')
    const { outcome, participants, state } = run.network
      ? { ...this.networkClock.close(run.network, t, scenario, this.networkKey(runId)), state: run.state }
      : solveScenarioSlot(scenario, run.state, t, this.options.overrides?.(scenario, slotWindowMs(run.clock, run.slotSeconds)))
    this.store.transaction(() => {
      this.store.insertSlot(runId, outcome, participants, new Date(this.now()).toISOString())
      this.store.advance(runId, t + 1, state)
    })
    const settled =
      run.settle && outcome.converged
        ? this.settler.settle(run, this.slotRows(runId, outcome.t), undefined, this.networkPayer(run))[0]
        : undefined
    this.events.emit('market.slotSolved', {
      runId,
      outcome: { ...outcome, trace: null },
      settled: settled !== undefined && !('error' in settled),
      settleError: settled && 'error' in settled ? settled.error : null
    })
    if (run.clock !== 'instant') this.options.dispatch?.(scenario, outcome, slotWindowMs(run.clock, run.slotSeconds))
    if (outcome.trace) this.play(runId, outcome.t, outcome.trace, playbackMs(run.clock, run.slotSeconds))
    if (t + 1 >= scenario.slots) this.finish(runId, 'finished')
  }

  /** Sends the iterations in batches spread over `durationMs`, so the charts move rather than jump. */
  private play(runId: string, t: number, trace: NonNullable<SlotOutcome['trace']>, durationMs: number): void {
    const frames = Math.max(1, Math.floor(durationMs / this.frameMs))
    const size = Math.max(1, Math.ceil(trace.steps.length / frames))
    const send = (from: number) => {
      const payload: EventPayload<'market.iterations'> = {
        runId,
        t,
        sellers: trace.sellers,
        from,
        steps: trace.steps.slice(from, from + size),
        total: trace.steps.length
      }
      this.events.emit('market.iterations', payload)
      if (from + size >= trace.steps.length) return
      const cancel = this.clock.after(this.frameMs, () => {
        this.playbacks.delete(cancel)
        send(from + size)
      })
      this.playbacks.add(cancel)
    }
    send(0)
  }

  /** How long until the run's next slot is due: its close on the network clock, else the local clock's pace. */
  private delayToNext(run: StoredRun): number {
    return run.network ? this.networkClock.msUntilClose(run.network, run.nextSlot) : delayAfterSlot(run.clock, run.slotSeconds, this.now())
  }

  private operatorKey(): KeyObject {
    try {
      return this.tangle().operatorKey()
    } catch (error) {
      throw new MarketError(`the network clock signs as the operator: ${(error as Error).message}`)
    }
  }

  /** The key a network run holds; after a restart, taken again from an unlocked keystore. */
  private networkKey(runId: string): KeyObject {
    let key = this.networkKeys.get(runId)
    if (!key) this.networkKeys.set(runId, (key = this.operatorKey()))
    return key
  }

  /** A network run pays EVs at their registered addresses from the treasury; a local run pays wallet to wallet. */
  private networkPayer(run: StoredRun): NetworkPayer | undefined {
    if (!run.network) return undefined
    const registered = new Map(
      this.tangle()
        .participants()
        .map((p) => [p.id, p.address])
    )
    return { key: this.networkKey(run.id), addressOf: (id) => registered.get(id) }
  }

  private schedule(runId: string, delayMs: number): void {
    this.timers.set(runId, delayMs, () => {
      const run = this.row(runId)
      if (run.status !== 'running') return
      try {
        this.solveNext(runId)
      } catch (error) {
        console.error(`dv2g: market run ${runId} paused:`, error)
        this.setStatus(runId, 'paused')
      }
      if (this.row(runId).status === 'running') this.schedule(runId, this.delayToNext(this.row(runId)))
      this.announce(runId)
    })
  }

  private finish(runId: string, status: 'finished' | 'stopped'): void {
    this.timers.cancel(runId)
    this.store.finish(runId, status, new Date(this.now()).toISOString())
    this.ended(runId)
  }

  private setStatus(runId: string, status: Status): void {
    this.store.setStatus(runId, status)
  }

  private announce(runId: string): MarketRun {
    const summary = this.summary(runId)
    this.events.emit('market.runChanged', summary)
    return summary
  }

  /** Reads from the run store; a missing or damaged row is a MarketError with the store's message. */
  private stored<T>(read: () => T): T {
    try {
      return read()
    } catch (error) {
      if (error instanceof RunStoreError) throw new MarketError(error.message, error.notFound)
      throw error
    }
  }

  private row(runId: string): StoredRun {
    return this.stored(() => this.store.run(runId))
  }

  private slotRows(runId: string, t?: number): StoredSlot[] {
    if (t === undefined) return this.stored(() => this.store.slots(runId))
    const slot = this.stored(() => this.store.slot(runId, t))
    return slot ? [slot] : []
  }

  private summary(runId: string): MarketRun {
    const run = this.row(runId)
    const { scenario } = run
    const totals = this.stored(() => this.store.totals(runId))
    return {
      id: run.id,
      scenario: run.scenarioName,
      clock: run.clock,
      slotSeconds: run.slotSeconds,
      settle: run.settle,
      status: run.status,
      slots: scenario.slots,
      nextSlot: run.nextSlot + 1,
      solvedSlots: totals.solved,
      settledSlots: totals.settled,
      unconvergedSlots: totals.unconverged,
      tradedKWh: totals.traded,
      paid: totals.paid,
      currency: scenario.currency,
      tokenBaseUnitsPerCurrencyUnit: scenario.tokenBaseUnitsPerCurrencyUnit,
      game: { sigma1: scenario.game.sigma1, sigma2: scenario.game.sigma2, C: scenario.game.C },
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
      nextSlotAt: this.timers.dueAt(runId)
    }
  }
}
