// What `dv2g simulate --out DIR` writes: results.json (everything, for other tools), trades.csv
// (one row per trade, for a spreadsheet), report.html, and each figure as an SVG file to put in
// documents.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { csvText } from '../../../src-shared/csv'
import type { DayResult } from '../../../src-shared/market/day'
import type { Scenario } from '../../../src-shared/market/scenario'
import { dayFigures, renderReport, renderSvg } from './report'

export function tradesCsv(day: DayResult, currency: string): string {
  const unit = currency.toLowerCase()
  const header = ['slot', 'hour', 'buyer', 'seller', 'energy_kwh', `price_${unit}_per_kwh`, `paid_${unit}`]
  const rows = day.slots.flatMap((slot) =>
    slot.trades.map((t) => [
      slot.t,
      `${String(slot.t - 1).padStart(2, '0')}:00`,
      t.buyer,
      t.seller,
      t.energyKWh.toFixed(6),
      t.price.toFixed(6),
      t.paid.toFixed(6)
    ])
  )
  return csvText(header, rows)
}

export function writeDayFiles(dir: string, scenario: Scenario, day: DayResult, traceSlot: number | null) {
  mkdirSync(dir, { recursive: true })
  const files = { results: join(dir, 'results.json'), trades: join(dir, 'trades.csv'), report: join(dir, 'report.html') }
  writeFileSync(files.results, `${JSON.stringify({ scenario, traceSlot, day }, null, 1)}\n`)
  writeFileSync(files.trades, tradesCsv(day, scenario.currency))
  writeFileSync(files.report, renderReport(scenario, day, traceSlot))
  mkdirSync(join(dir, 'figures'), { recursive: true })
  for (const figure of dayFigures(day, traceSlot)) writeFileSync(join(dir, 'figures', `${figure.name}.svg`), renderSvg(figure.option))
  return files
}
