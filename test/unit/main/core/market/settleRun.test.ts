import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { runDay } from '../../../../../src-shared/market/day'
import { firstSlotsOf, scenarioSchema, type Scenario } from '../../../../../src-shared/market/scenario'
import { open, type App } from '../../../../../src-main/core/app'
import { verifyLedger } from '../../../../../src-main/core/ledger/audit'
import { pairPayments } from '../../../../../src-main/core/market/settlement'
import { decodeAddress } from '../../../../../src-main/core/wallet/keys'
import { earnedFromTradesCsv } from '../../../../support/tradesCsv'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const opened: App[] = []
afterEach(() => {
  for (const app of opened.splice(0)) app.close()
})

/** The paper's scenario cut to its first slots: enough grid–EV pairs, quick to settle. */
function shortDay(slots: number): Scenario {
  return firstSlotsOf(scenarioSchema.parse(JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8'))), slots, 'paper-3x10')
}

function openWithTreasury(): App {
  const app = open(tempDir(), { ledger: { powBits: 2 } })
  opened.push(app)
  const { wallets } = app.ledger()
  wallets.keystore.unlock('a long passphrase for tests')
  wallets.create('treasury', 'operator')
  return app
}

/** Each EV's balance, and how many transfers pay its address: read from the ledger, not from our book. */
function evsOnLedger(app: App) {
  const count = app.db.prepare('SELECT count(*) FROM outputs WHERE address = ?').pluck()
  const evs = app
    .ledger()
    .wallets.list()
    .filter((w) => w.role === 'ev')
  return {
    balances: new Map(evs.filter((w) => w.balance > 0n).map((w) => [w.name, w.balance])),
    transfersIn: evs.reduce((sum, w) => sum + (count.get(decodeAddress(w.address)) as number), 0)
  }
}

describe('settling a run exactly once', () => {
  it('after a failure part way through a slot, settles again and pays every grid–EV pair once, as trades.csv says', () => {
    const app = openWithTreasury()
    const scenario = shortDay(4)
    const market = app.market()
    const run = market.storeDay(scenario, runDay(scenario), { settle: true })
    const units = scenario.tokenBaseUnitsPerCurrencyUnit
    const pairsPerSlot = market.day(run.id).day.slots.map((s) => pairPayments(s, units).length)
    const failingSlot = pairsPerSlot.findIndex((n, i) => i > 0 && n >= 2) + 1
    expect(failingSlot).toBeGreaterThan(1)
    // the (k+1)th payment fails after its transfer is on the ledger, before its key is written
    const k = pairsPerSlot.slice(0, failingSlot - 1).reduce((a, b) => a + b, 0) + 1
    app.db.exec(`CREATE TEMP TRIGGER fail_payment BEFORE INSERT ON main.market_payments
                 WHEN (SELECT count(*) FROM main.market_payments) >= ${k} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
    const { ledger } = app.ledger()
    const told: number[] = []
    ledger.onStored((indexes) => told.push(...indexes))
    const stored = app.db.prepare('SELECT count(*) FROM transactions').pluck()
    const before = stored.get() as number

    const first = market.settleRun(run.id)
    expect(first.settled).toBe(failingSlot - 1)
    expect(first.alreadySettled).toBe(0)
    expect(first.failed[0]).toEqual({ t: failingSlot, error: 'injected failure' })
    // memory holds exactly what the database committed, and listeners heard of nothing else
    expect(ledger.graph.size).toBe(stored.get())
    expect(told).toHaveLength((stored.get() as number) - before)
    expect(app.db.prepare('SELECT count(*) FROM market_payments').pluck().get()).toBe(k - 1)
    expect(evsOnLedger(app).transfersIn).toBe(k - 1)

    app.db.exec('DROP TRIGGER fail_payment')
    const second = market.settleRun(run.id)
    const converged = market.day(run.id).day.slots.filter((s) => s.converged).length
    expect(second).toEqual({ settled: converged - (failingSlot - 1), alreadySettled: failingSlot - 1, failed: [] })
    expect(market.settleRun(run.id)).toEqual({ settled: 0, alreadySettled: converged, failed: [] })

    const expected = earnedFromTradesCsv(market.tradesCsv(run.id).csv, units)
    const onLedger = evsOnLedger(app)
    expect(onLedger.balances).toEqual(expected.earned)
    expect(onLedger.transfersIn).toBe(expected.pairs.length)
    expect(ledger.graph.size).toBe(stored.get())
    expect(verifyLedger(app.db)).toMatchObject({ ok: true })
  })
})
