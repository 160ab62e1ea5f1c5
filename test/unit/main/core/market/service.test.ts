import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventName, EventPayload } from '../../../../../src-shared/contract'
import { runDay } from '../../../../../src-shared/market/day'
import { scenarioSchema } from '../../../../../src-shared/market/scenario'
import { open, type App } from '../../../../../src-main/core/app'
import { useTempDirs } from '../../../../support/tempDir'
import { FakeClock } from '../../../../support/fakeClock'

const tempDir = useTempDirs()
const START_MS = Date.UTC(2026, 10, 30, 9, 0, 0)
const scenario = scenarioSchema.parse(JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8')))
const opened: App[] = []
afterEach(() => {
  for (const app of opened.splice(0)) app.close()
})

/** An app whose market runs on `clock`: slots and their playback move only when the test moves it. */
function openApp(dir = tempDir(), clock = new FakeClock(START_MS)): App {
  const app = open(dir, { ledger: { powBits: 2 }, market: { frameMs: 5, timers: clock } })
  opened.push(app)
  return app
}

function record<E extends EventName>(app: App, name: E, onEach: () => void = () => {}): EventPayload<E>[] {
  const seen: EventPayload<E>[] = []
  app.events.subscribe((event: EventName, payload: unknown) => {
    if (event !== name) return
    seen.push(payload as EventPayload<E>)
    onEach()
  })
  return seen
}

describe('market service', () => {
  it('lists the default scenario', () => {
    expect(openApp().market().scenarios()).toContainEqual(
      expect.objectContaining({ name: 'paper-3x10', evs: 10, grids: 3, slots: 24, currency: 'USD' })
    )
  })

  it('runs a day now, stores every slot, and gives the same day as the pure model', async () => {
    const clock = new FakeClock(START_MS)
    const app = openApp(tempDir(), clock)
    const market = app.market()
    const run = market.start({ scenario: 'paper-3x10', clock: 'instant', settle: false })
    // the instant clock solves one slot after the other without any time passing
    clock.advance(0)
    expect(market.runs()[0]!.status).toBe('finished')
    const { run: finished, day } = market.day(run.id)
    expect(finished).toMatchObject({ solvedSlots: 24, unconvergedSlots: 0, settledSlots: 0, nextSlot: 25 })
    const expected = runDay(scenario, { trace: 'all' })
    expect(day.slots).toEqual(expected.slots.map((s) => ({ ...s, trace: null })))
    expect(day.evs).toEqual(expected.evs)
    expect(day.grids).toEqual(expected.grids)
    expect(market.slot(run.id, 13).trace).toEqual(expected.slots[12]!.trace)
    expect(finished.tradedKWh).toBeCloseTo(expected.totalTradedKWh, 9)
  })

  it('streams each slot’s iterations in batches that add up to the stored trace', async () => {
    const clock = new FakeClock(START_MS)
    const app = openApp(tempDir(), clock)
    const sentAtMs: number[] = []
    const batches = record(app, 'market.iterations', () => sentAtMs.push(clock.now() - START_MS))
    const market = app.market()
    const run = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 0.5, settle: false })
    clock.advance(0)
    // half a second a slot plays over a quarter of a second, a batch every 5 ms
    clock.advance(250)
    const t = batches[0]!.t
    expect(batches.every((b) => b.t === t)).toBe(true)
    expect(batches.at(-1)!.from + batches.at(-1)!.steps.length).toBe(batches.at(-1)!.total)
    const frames = batches.length
    expect(frames).toBeGreaterThan(1)
    expect(sentAtMs).toEqual(Array.from({ length: frames }, (_, i) => i * 5))
    expect(batches.flatMap((b) => b.steps)).toEqual(market.slot(run.id, t).trace!.steps)
    market.control(run.id, 'stop')
  })

  it('pauses, steps one slot, resumes and stops on the accelerated clock', async () => {
    const clock = new FakeClock(START_MS)
    const app = openApp(tempDir(), clock)
    const market = app.market()
    const run = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 0.5, settle: false })
    clock.advance(0)
    expect(market.runs()[0]).toMatchObject({ solvedSlots: 1, nextSlotAt: START_MS + 500 })
    clock.advance(500)
    expect(market.runs()[0]!.solvedSlots).toBe(2)
    const paused = market.control(run.id, 'pause')
    expect(paused).toMatchObject({ status: 'paused', solvedSlots: 2, nextSlotAt: null })
    // ten slots' time later a paused run has solved nothing more
    clock.advance(5_000)
    expect(market.runs()[0]!.solvedSlots).toBe(2)
    expect(market.control(run.id, 'step').solvedSlots).toBe(3)
    const resumed = market.control(run.id, 'resume')
    expect(resumed).toMatchObject({ status: 'running', nextSlotAt: clock.now() + 500 })
    clock.advance(500)
    expect(market.runs()[0]!.solvedSlots).toBe(4)
    expect(market.control(run.id, 'stop').status).toBe('stopped')
    expect(() => market.control(run.id, 'resume')).toThrow(/is stopped; start a new run/)
  })

  it('applies σ edits to the slots that follow', async () => {
    const app = openApp()
    const market = app.market()
    const run = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 60, settle: false, game: { sigma2: 0.01 } })
    expect(run.game.sigma2).toBe(0.01)
    expect(market.setGame(run.id, { sigma1: 2, C: 1e-5 }).game).toEqual({ sigma1: 2, sigma2: 0.01, C: 1e-5 })
    market.control(run.id, 'stop')
  })

  it('keeps a run across a restart: it comes back paused and resumes with the batteries where they were', async () => {
    const dir = tempDir()
    const clock = new FakeClock(START_MS)
    const first = openApp(dir, clock)
    const run = first.market().start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 0.5, settle: false })
    clock.advance(1_000)
    expect(first.market().runs()[0]!.solvedSlots).toBe(3)
    first.close()
    opened.splice(opened.indexOf(first), 1)

    const second = openApp(dir, clock)
    const market = second.market()
    const reopened = market.runs()[0]!
    expect(reopened.status).toBe('paused')
    market.control(run.id, 'resume')
    market.setGame(run.id, {}) // no change: the rest of the day must match an uninterrupted one
    while (market.runs()[0]!.status !== 'finished') market.control(run.id, 'step')
    const expected = runDay(scenario)
    expect(market.day(run.id).day.evs).toEqual(expected.evs)
  })

  it('settles each slot on the ledger when the keystore is open, and names why not when it is locked', async () => {
    const clock = new FakeClock(START_MS)
    const app = openApp(tempDir(), clock)
    const { wallets } = app.ledger()
    wallets.keystore.unlock('a long passphrase for tests')
    wallets.create('treasury', 'operator')
    wallets.keystore.lock()
    const market = app.market()
    const solved = record(app, 'market.slotSolved')
    const run = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 60, settle: true })
    clock.advance(0)
    expect(solved).toHaveLength(1)
    expect(solved[0]).toMatchObject({ settled: false, settleError: 'the keystore is locked: unlock it in Wallets, then settle the run' })

    wallets.keystore.unlock('a long passphrase for tests')
    expect(market.settleRun(run.id)).toEqual({ settled: 1, alreadySettled: 0, failed: [] })
    market.control(run.id, 'step')
    expect(solved[1]).toMatchObject({ settled: true, settleError: null })
    expect(market.day(run.id).settlement.map((s) => s.settled)).toEqual([true, true])

    const paidToEvs = wallets
      .list()
      .filter((w) => w.role === 'ev')
      .reduce((sum, w) => sum + w.balance, 0n)
    const owed = [1, 2].flatMap((t) => market.slot(run.id, t).trades).reduce((sum, t) => sum + t.paid, 0)
    expect(Number(paidToEvs) / scenario.tokenBaseUnitsPerCurrencyUnit).toBeCloseTo(owed, 4)
    market.control(run.id, 'stop')
  })

  it('refuses an unknown scenario and a paced clock without its seconds', () => {
    const market = openApp().market()
    expect(() => market.start({ scenario: 'nope', clock: 'instant', settle: false })).toThrow(/no scenario named "nope"/)
    expect(() => market.start({ scenario: 'paper-3x10', clock: 'accelerated', settle: false })).toThrow(
      /slotSeconds: the accelerated clock needs the seconds per slot/
    )
    expect(() => market.start({ scenario: 'paper-3x10', clock: 'network', settle: false })).toThrow(
      /slotSeconds: the network clock needs the seconds per slot/
    )
  })
})
