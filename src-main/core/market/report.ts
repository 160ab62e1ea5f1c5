// report.html for a simulated day: self-contained (figures as inline SVG by ECharts server-side
// rendering, no script), so it opens anywhere and can be mailed or archived as it is.
import * as echarts from 'echarts'
import {
  dayPriceComparison,
  evExportFigure,
  evPcrFigure,
  gridImportFigure,
  gridPcrFigure,
  priceComparisonFigure,
  priceProbabilityFigure,
  priceTraceFigure,
  probabilityTraceFigure,
  ratioTraceFigure,
  slotPriceComparison,
  type ChartOption,
  type FigureStyle
} from '../../../src-shared/charts/marketFigures'
import type { DayResult } from '../../../src-shared/market/day'
import type { Scenario } from '../../../src-shared/market/scenario'

const printStyle: FigureStyle = {
  text: '#1d232a',
  muted: '#56616d',
  gridLine: '#dde3ea',
  series: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'],
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif'
}

export function renderSvg(option: ChartOption, width = 760, height = 340): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption(option)
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const fixed = (v: number | null, digits = 4) => (v === null ? '—' : v.toFixed(digits))

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = (row: readonly (string | number)[], tag: string) => row.map((c) => `<${tag}>${escapeHtml(String(c))}</${tag}>`).join('')
  return `<table><thead><tr>${cells(head, 'th')}</tr></thead><tbody>${rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</tbody></table>`
}

/** The figures of a day, numbered as in the paper; 7–9 and 11 show the traced slot. */
export function dayFigures(day: DayResult, traceSlot: number | null): { name: string; option: ChartOption }[] {
  const traced = traceSlot === null ? undefined : day.slots[traceSlot - 1]
  const trace = traced?.trace
  return [
    { name: 'fig3', option: evPcrFigure(day, printStyle) },
    { name: 'fig4', option: gridPcrFigure(day, printStyle) },
    { name: 'fig5', option: evExportFigure(day, printStyle) },
    { name: 'fig6', option: gridImportFigure(day, printStyle) },
    ...(traced && trace
      ? [
          { name: 'fig7', option: priceTraceFigure(trace, printStyle) },
          { name: 'fig8', option: probabilityTraceFigure(trace, printStyle) },
          { name: 'fig9', option: ratioTraceFigure(trace, printStyle) },
          { name: 'fig10-slot', option: priceComparisonFigure(slotPriceComparison(traced), printStyle, `slot ${traced.t}`) },
          { name: 'fig11', option: priceProbabilityFigure(trace, printStyle) }
        ]
      : []),
    { name: 'fig10-day', option: priceComparisonFigure(dayPriceComparison(day), printStyle, 'day, energy-weighted') }
  ]
}

export function renderReport(scenario: Scenario, day: DayResult, traceSlot: number | null): string {
  const traced = traceSlot === null ? undefined : day.slots[traceSlot - 1]
  const svgs = new Map(dayFigures(day, traceSlot).map((f) => [f.name, renderSvg(f.option)]))
  const figure = (name: string) => `<figure>${svgs.get(name)}</figure>`
  const slotRows = day.slots.map((s) => [
    s.t,
    `${String(s.t - 1).padStart(2, '0')}:00`,
    s.sellers.length,
    s.buyers.length,
    fixed(s.clearingPrice),
    s.tradedKWh.toFixed(2),
    s.totalPaid.toFixed(4),
    s.baseline.totalPaid.toFixed(4),
    s.converged ? 'yes' : 'NO'
  ])
  const comparison = dayPriceComparison(day)
  const sources = Object.entries(scenario.sources ?? {}).map(([k, v]) => [k, v])
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DV2G day report: ${escapeHtml(scenario.name)}</title>
<style>
body{font:14px/1.45 DejaVu Sans,Helvetica,Arial,sans-serif;color:#1d232a;margin:24px auto;max-width:820px;padding:0 16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #dde3ea}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid #eef1f5;text-align:right}
th:first-child,td:first-child{text-align:left}figure{margin:12px 0}p.note{color:#56616d;font-size:12px}
</style></head><body>
<h1>Day report: ${escapeHtml(scenario.name)}</h1>
<p>${escapeHtml(scenario.description ?? '')}</p>
${table(
  ['', ''],
  [
    ['EVs / grids / slots', `${scenario.evs.length} / ${scenario.grids.length} / ${scenario.slots}`],
    ['all slots converged', day.converged ? 'yes' : 'no'],
    ['energy traded', `${day.totalTradedKWh.toFixed(2)} kWh`],
    ['paid (Stackelberg)', `${day.totalPaid.toFixed(4)} ${scenario.currency}`],
    ['paid (first-price auction)', `${day.slots.reduce((sum, s) => sum + s.baseline.totalPaid, 0).toFixed(4)} ${scenario.currency}`],
    [
      'game',
      `σ1 ${scenario.game.sigma1}, σ2 ${scenario.game.sigma2}, C ${scenario.game.C}, seed ${scenario.game.seed ?? 'none (uniform Q)'}`
    ]
  ]
)}
<h2>Participants over the day</h2>
${figure('fig3')}
${figure('fig4')}
${figure('fig5')}
${figure('fig6')}
<h2>Iterations of slot ${traced ? `${traced.t} (${String(traced.t - 1).padStart(2, '0')}:00–${String(traced.t).padStart(2, '0')}:00)` : '—'}</h2>
${
  traced?.trace
    ? `<p class="note">The literal iterations of Algorithm 2 (${traced.trace.steps.length} price announcements, Algorithm 1 run to (33) after each). The prices settled are the equilibrium solved directly: clearing price ${fixed(traced.clearingPrice)}.</p>
${figure('fig7')}
${figure('fig8')}
${figure('fig9')}
${figure('fig10-slot')}
${figure('fig11')}`
    : '<p class="note">No slot had both sellers and buyers.</p>'
}
<h2>Stackelberg against first-price auction over the day</h2>
${figure('fig10-day')}
${table(
  ['EV', 'Stackelberg price', 'first-price price'],
  comparison.map((r) => [r.id, fixed(r.stackelberg), fixed(r.firstPrice)])
)}
<h2>Slots</h2>
${table(['slot', 'hour', 'sellers', 'buyers', 'clearing price', 'traded kWh', 'paid', 'paid (first-price)', 'converged'], slotRows)}
<h2>Sources</h2>
${table(['', ''], sources)}
<p class="note">Generated by dv2g simulate. Prices in ${escapeHtml(scenario.currency)} per kWh.</p>
</body></html>
`
}
