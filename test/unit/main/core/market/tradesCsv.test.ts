import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runDay } from '../../../../../src-shared/market/day'
import { firstSlotsOf, scenarioSchema } from '../../../../../src-shared/market/scenario'
import { tradesCsv } from '../../../../../src-main/core/market/dayFiles'
import { parseCsv } from '../../../../support/csv'

/** Ids a scenario file can carry that a spreadsheet would run, or that would shift the columns. */
const HOSTILE_EVS = ['=HYPERLINK("http://evil.example","EV")', '+EV2', '-EV3', '@EV4', 'EV5,"x"', 'EV "six"']
const HOSTILE_GRIDS = ['=1+1', 'G2,east', '@G3']

describe('trades.csv', () => {
  it('quotes and neutralises hostile ids, and reads back to the same columns and figures', () => {
    const paper = scenarioSchema.parse(JSON.parse(readFileSync('resources/scenarios/paper-3x10.json', 'utf8')))
    const scenario = firstSlotsOf(
      {
        ...paper,
        evs: paper.evs.map((ev, i) => ({ ...ev, id: HOSTILE_EVS[i] ?? ev.id })),
        grids: paper.grids.map((g, i) => ({ ...g, id: HOSTILE_GRIDS[i] ?? g.id }))
      },
      12,
      'hostile'
    )
    const day = runDay(scenario)
    const trades = day.slots.flatMap((s) => s.trades.map((t) => ({ t: s.t, ...t })))
    expect(new Set(trades.map((t) => t.seller)).size).toBeGreaterThan(2)

    const [header, ...records] = parseCsv(tradesCsv(day, scenario.currency))
    expect(header).toEqual(['slot', 'hour', 'buyer', 'seller', 'energy_kwh', 'price_usd_per_kwh', 'paid_usd'])
    expect(records).toHaveLength(trades.length)
    const neutralised = (id: string) => (/^[=+\-@]/.test(id) ? `'${id}` : id)
    records.forEach((record, i) => {
      const trade = trades[i]!
      expect(record).toEqual([
        String(trade.t),
        `${String(trade.t - 1).padStart(2, '0')}:00`,
        neutralised(trade.buyer),
        neutralised(trade.seller),
        trade.energyKWh.toFixed(6),
        trade.price.toFixed(6),
        trade.paid.toFixed(6)
      ])
    })
    // every hostile id that traded came back whole, its formula turned to text
    const sellers = new Set(records.map((r) => r[3]))
    expect(sellers).toContain(`'${HOSTILE_EVS[0]}`)
    for (const cell of records.flat()) expect(cell).not.toMatch(/^[=+@]/)
  })
})
