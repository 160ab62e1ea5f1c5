// The paper's figures 3–11 as ECharts options, built once from plain results so that the
// console (History, Auctions) and the self-contained report.html draw the same figures. Plain
// objects: shared code does not import echarts.
import type { DayResult, SlotOutcome, SlotTrace } from '../market/day'

export type ChartOption = Record<string, unknown>

/** Colours and font of the surface a figure is drawn on (dark console, light report). */
export interface FigureStyle {
  text: string
  muted: string
  gridLine: string
  series: readonly string[]
  font: string
}

/** A colour ramp for fig. 11: dark blue at the lowest price, yellow at the highest, as the paper. */
export const PRICE_RAMP = ['#1f2a6b', '#2c6f9e', '#2fa58c', '#8fcf4f', '#f5e13a']

/** The start of each solved slot: a live run may begin at any hour. */
const hours = (day: Pick<DayResult, 'slots'>) => day.slots.map((s) => `${String(s.t - 1).padStart(2, '0')}:00`)

function frame(style: FigureStyle, title: string, xName: string, yName: string, category?: string[]): ChartOption {
  const axisText = { color: style.muted, fontFamily: style.font, fontSize: 11 }
  const axisLine = { lineStyle: { color: style.gridLine } }
  return {
    animation: false,
    color: style.series,
    textStyle: { fontFamily: style.font, color: style.text },
    title: { text: title, left: 0, top: 2, textStyle: { color: style.text, fontSize: 13, fontWeight: 'normal' } },
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', top: 30, left: 0, textStyle: { color: style.muted, fontSize: 11 } },
    grid: { left: 56, right: 24, top: 78, bottom: 44 },
    xAxis: category
      ? {
          type: 'category',
          data: category,
          name: xName,
          nameLocation: 'middle',
          nameGap: 28,
          axisLabel: axisText,
          axisLine,
          nameTextStyle: axisText
        }
      : {
          type: 'value',
          name: xName,
          nameLocation: 'middle',
          nameGap: 28,
          axisLabel: axisText,
          axisLine,
          splitLine: { show: false },
          nameTextStyle: axisText,
          minInterval: 1
        },
    yAxis: {
      type: 'value',
      name: yName,
      axisLabel: axisText,
      axisLine,
      splitLine: { lineStyle: { color: style.gridLine } },
      nameTextStyle: axisText
    }
  }
}

// a line of one or two points would not show without its symbols
const lineSeries = (name: string, data: unknown[], extra: ChartOption = {}) => ({
  type: 'line',
  name,
  data,
  showSymbol: data.length < 4,
  connectNulls: false,
  ...extra
})

/** Fig. 3: PCR of every EV per hour. */
export function evPcrFigure(day: DayResult, style: FigureStyle): ChartOption {
  return {
    ...frame(style, 'Fig. 3 — production/consumption ratio of the EVs', 'hour', 'PCR ζ', hours(day)),
    series: day.evs.map((ev) => lineSeries(ev.id, ev.pcr))
  }
}

/** Fig. 4: PCR of every grid per hour; grids buy while ζ ≤ 1. */
export function gridPcrFigure(day: DayResult, style: FigureStyle): ChartOption {
  const series: ChartOption[] = day.grids.map((g) => lineSeries(g.id, g.pcr))
  series[0] = {
    ...series[0]!,
    markLine: {
      silent: true,
      symbol: 'none',
      data: [{ yAxis: 1 }],
      lineStyle: { color: style.muted, type: 'dashed' },
      label: { formatter: 'ζ = 1', position: 'insideEndTop', color: style.muted }
    }
  }
  return { ...frame(style, 'Fig. 4 — production/consumption ratio of the grids', 'hour', 'PCR ζ', hours(day)), series }
}

/** Fig. 5: the power each EV can export per hour (its supply S, kWh in a one-hour slot = kW). */
export function evExportFigure(day: DayResult, style: FigureStyle): ChartOption {
  return {
    ...frame(style, 'Fig. 5 — power each EV can export', 'hour', 'kW', hours(day)),
    series: day.evs.map((ev) => ({ type: 'bar', stack: 'export', name: ev.id, data: ev.exportableKWh }))
  }
}

/** Fig. 6: the power each grid imports from the EVs per hour. */
export function gridImportFigure(day: DayResult, style: FigureStyle): ChartOption {
  return {
    ...frame(style, 'Fig. 6 — power each grid imports', 'hour', 'kW', hours(day)),
    series: day.grids.map((g) => ({ type: 'bar', stack: 'import', name: g.id, data: g.boughtKWh }))
  }
}

/** One line per seller over the literal iterations of Algorithm 2. */
function traceFigure(
  trace: SlotTrace,
  style: FigureStyle,
  title: string,
  yName: string,
  pick: (step: SlotTrace['steps'][number]) => readonly (number | null)[],
  fitToData = false
): ChartOption {
  const base = frame(style, title, 'iteration', yName)
  return {
    ...base,
    yAxis: { ...(base.yAxis as ChartOption), scale: fitToData },
    series: trace.sellers.map((id, m) =>
      lineSeries(
        id,
        trace.steps.map((step, y) => [y + 1, pick(step)[m]])
      )
    )
  }
}

/** Fig. 7: the price each EV announces, per iteration. */
export const priceTraceFigure = (trace: SlotTrace, style: FigureStyle) =>
  traceFigure(trace, style, 'Fig. 7 — price per EV against iteration', 'price per kWh', (s) => s.prices, true)

/** Fig. 8: the grids' probability of selecting each EV, per iteration. */
export const probabilityTraceFigure = (trace: SlotTrace, style: FigureStyle) =>
  traceFigure(trace, style, 'Fig. 8 — selection probability against iteration', 'Q', (s) => s.q)

/** Fig. 9: supply/demand ratio R of each EV, per iteration (gaps where nothing is asked of it). */
export const ratioTraceFigure = (trace: SlotTrace, style: FigureStyle) =>
  traceFigure(trace, style, 'Fig. 9 — supply/demand ratio against iteration', 'R = S/D', (s) =>
    s.ratio.map((r) => (r === null ? null : Math.min(r, 10)))
  )

/** Fig. 10: each EV's Stackelberg price against its first-price sealed-bid ask. */
export function priceComparisonFigure(
  rows: readonly { id: string; stackelberg: number | null; firstPrice: number | null }[],
  style: FigureStyle,
  subtitle = ''
): ChartOption {
  return {
    ...frame(
      style,
      `Fig. 10 — Stackelberg against first-price auction${subtitle ? ` (${subtitle})` : ''}`,
      'EV',
      'price per kWh',
      rows.map((r) => r.id)
    ),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    series: [
      { type: 'bar', name: 'Stackelberg', data: rows.map((r) => r.stackelberg) },
      { type: 'bar', name: 'first-price auction', data: rows.map((r) => r.firstPrice) }
    ]
  }
}

/** Fig. 10 for one slot: every seller's price and its ask. */
export function slotPriceComparison(slot: Pick<SlotOutcome, 'sellers' | 'baseline'>) {
  return slot.sellers.map((s) => ({
    id: s.id,
    stackelberg: s.price,
    firstPrice: slot.baseline.sellers.find((b) => b.id === s.id)?.ask ?? null
  }))
}

/** Fig. 10 over a day: each EV's energy-weighted mean price in both mechanisms, where it sold. */
export function dayPriceComparison(day: DayResult) {
  return day.evs.map((ev) => {
    let energy = 0
    let paid = 0
    let baselineEnergy = 0
    let baselinePaid = 0
    for (const slot of day.slots) {
      const seller = slot.sellers.find((s) => s.id === ev.id)
      const ask = slot.baseline.sellers.find((b) => b.id === ev.id)
      if (seller) {
        energy += seller.soldKWh
        paid += seller.earned
      }
      if (ask) {
        baselineEnergy += ask.soldKWh
        baselinePaid += ask.soldKWh * ask.ask
      }
    }
    return {
      id: ev.id,
      stackelberg: energy > 0 ? paid / energy : null,
      firstPrice: baselineEnergy > 0 ? baselinePaid / baselineEnergy : null
    }
  })
}

/** Fig. 11: selection probability against iteration, coloured by the price announced. */
export function priceProbabilityFigure(trace: SlotTrace, style: FigureStyle): ChartOption {
  const prices = trace.steps.flatMap((s) => s.prices)
  const stride = Math.max(1, Math.ceil(trace.steps.length / 60))
  const base = frame(style, 'Fig. 11 — probability and price over iterations', 'iteration', 'Q')
  return {
    ...base,
    tooltip: { trigger: 'item' },
    legend: { show: false },
    grid: { left: 56, right: 96, top: 60, bottom: 44 },
    visualMap: {
      type: 'continuous',
      dimension: 2,
      min: Math.min(...prices),
      max: Math.max(...prices),
      inRange: { color: PRICE_RAMP },
      right: 8,
      top: 'middle',
      text: ['price', ''],
      precision: 4,
      textStyle: { color: style.muted, fontSize: 11 },
      calculable: true
    },
    // a dot every few iterations is enough to read the colours; thousands of them are not
    series: trace.sellers.map((id, m) => ({
      type: 'scatter',
      name: id,
      symbolSize: 5,
      data: trace.steps.flatMap((s, y) => (y % stride === 0 || y === trace.steps.length - 1 ? [[y + 1, s.q[m], s.prices[m]]] : []))
    }))
  }
}

/**
 * The slot whose iterations the day's figures 7–9 and 11 show: one where the price is set by the
 * market rather than pinned at the cap, with the most sellers, then the most traded.
 */
export function liveliestSlot(day: Pick<DayResult, 'slots'>): number | null {
  const score = (s: SlotOutcome) => [s.clearingPrice !== null && s.clearingPrice < s.priceCap ? 1 : 0, s.sellers.length, s.tradedKWh]
  let best: SlotOutcome | null = null
  for (const slot of day.slots) {
    if (slot.sellers.length === 0 || slot.buyers.length === 0) continue
    const [a, b] = [score(slot), best && score(best)]
    if (!b || a[0]! > b[0]! || (a[0] === b[0] && (a[1]! > b[1]! || (a[1] === b[1] && a[2]! > b[2]!)))) best = slot
  }
  return best?.t ?? null
}
