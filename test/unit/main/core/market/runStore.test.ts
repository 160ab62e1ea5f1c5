import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { EventBus } from '../../../../../src-main/core/events'
import { MarketError, MarketService } from '../../../../../src-main/core/market/service'
import { MarketTangle } from '../../../../../src-main/core/market/tangle/marketTangle'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const scenariosDir = join(__dirname, '../../../../../resources/scenarios')

function marketOnNewDatabase() {
  const db = openDatabase(join(tempDir(), 'market.sqlite'))
  const noLedger = () => {
    throw new Error('no ledger in this test')
  }
  const market = new MarketService(db, new EventBus(), noLedger, { scenariosDir, frameMs: 1 }, () => new MarketTangle(db, noLedger))
  return { db, market }
}

describe('the market run store', () => {
  it('reads runs and slots back as they were written', async () => {
    const { market } = marketOnNewDatabase()
    const run = market.start({ scenario: market.scenarios()[0]!.name, clock: 'instant', settle: false })
    await expect.poll(() => market.runs()[0]!.status, { timeout: 20_000 }).toBe('finished')
    const { day } = market.day(run.id)
    expect(day.slots).toHaveLength(run.slots)
    expect(market.slot(run.id, day.slots[3]!.t)).toEqual(
      expect.objectContaining({ t: day.slots[3]!.t, clearingPrice: day.slots[3]!.clearingPrice })
    )
    market.close()
  })

  it('names the run, the slot and the column of a damaged row instead of passing it on', async () => {
    const { db, market } = marketOnNewDatabase()
    const run = market.start({ scenario: market.scenarios()[0]!.name, clock: 'instant', settle: false })
    await expect.poll(() => market.runs()[0]!.status, { timeout: 20_000 }).toBe('finished')
    db.prepare("UPDATE market_slots SET outcome = json_set(outcome, '$.clearingPrice', 'cheap') WHERE run_id = ? AND t = 2").run(run.id)
    expect(() => market.day(run.id)).toThrow(MarketError)
    expect(() => market.day(run.id)).toThrow(`market run ${run.id}, slot 2: the stored outcome.clearingPrice is damaged`)
    db.prepare("UPDATE market_runs SET state = json_set(state, '$.batteryKWh', 'full') WHERE id = ?").run(run.id)
    expect(() => market.runs()).toThrow(`market run ${run.id}: the stored state.batteryKWh is damaged`)
    market.close()
  })
})
