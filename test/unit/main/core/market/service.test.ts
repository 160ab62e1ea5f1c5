import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventName, EventPayload } from '../../../../../src-shared/contract'
import { runDay } from '../../../../../src-shared/market/day'
import { scenarioSchema } from '../../../../../src-shared/market/scenario'
import { open, type App } from '../../../../../src-main/core/app'
import { useTempDirs } from '../../../../support/tempDir'
import { until } from '../../../../support/until'

const tempDir = useTempDirs()
const scenario = scenarioSchema.parse(JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8')))
const opened: App[] = []
afterEach(() => {
  for (const app of opened.splice(0)) app.close()
})

function openApp(dir = tempDir()): App {
  const app = open(dir, { ledger: { powBits: 2 }, market: { frameMs: 5 } })
  opened.push(app)
  return app
}

function record<E extends EventName>(app: App, name: E): EventPayload<E>[] {
  const seen: EventPayload<E>[] = []
  app.events.subscribe((event: EventName, payload: unknown) => {
    if (event === name) seen.push(payload as EventPayload<E>)
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
    const app = openApp()
    const market = app.market()
    const run = market.start({ scenario: 'paper-3x10', clock: 'instant', settle: false })
    await until(() => market.runs()[0]!.status === 'finished')
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
    const app = openApp()
    const batches = record(app, 'market.iterations')
    const market = app.market()
    const run = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 0.5, settle: false })
    await until(() => batches.some((b) => b.t === 1 && b.from + b.steps.length === b.total))
    market.control(run.id, 'stop')
    const slot1 = batches.filter((b) => b.t === 1)
    expect(slot1.length).toBeGreaterThan(1)
    expect(slot1.flatMap((b) => b.steps)).toEqual(market.slot(run.id, 1).trace!.steps)
  })

  it('pauses, steps one slot, resumes and stops on the accelerated clock', async () => {
    const app = openApp()
    const market = app.market()
    const run = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 0.5, settle: false })
    await until(() => market.runs()[0]!.solvedSlots >= 2)
    const paused = market.control(run.id, 'pause')
    expect(paused).toMatchObject({ status: 'paused', nextSlotAt: null })
    // a witness run on the same clock, started after the pause, solves its second slot only after
    // the paused run's next slot would have been due: by then a pause that let its timer run shows
    const witness = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 0.5, settle: false })
    await until(() => market.runs().find((r) => r.id === witness.id)!.solvedSlots >= 2, 10_000, 'the witness run’s second slot')
    market.control(witness.id, 'stop')
    expect(market.runs().find((r) => r.id === run.id)!.solvedSlots).toBe(paused.solvedSlots)
    expect(market.control(run.id, 'step').solvedSlots).toBe(paused.solvedSlots + 1)
    const resumed = market.control(run.id, 'resume')
    expect(resumed.status).toBe('running')
    expect(resumed.nextSlotAt).toBeGreaterThan(Date.now())
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
    const first = openApp(dir)
    const run = first.market().start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 0.5, settle: false })
    await until(() => first.market().runs()[0]!.solvedSlots >= 3)
    first.close()
    opened.splice(opened.indexOf(first), 1)

    const second = openApp(dir)
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
    const app = openApp()
    const { wallets } = app.ledger()
    wallets.keystore.unlock('a long passphrase for tests')
    wallets.create('treasury', 'operator')
    wallets.keystore.lock()
    const market = app.market()
    const solved = record(app, 'market.slotSolved')
    const run = market.start({ scenario: 'paper-3x10', clock: 'accelerated', slotSeconds: 60, settle: true })
    await until(() => solved.length === 1)
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
