// One meter's power over time, in the console's look: positive while the prosumer draws from the
// grid, negative while it feeds in; counter resets and gaps marked where they happened.
import type { ChartOption } from '../../src-shared/charts/marketFigures'
import { consoleFigureStyle as style } from './consoleFigureStyle'

export function meterPowerOption(points: readonly { tsMs: number; watts: number | null; flags: number }[], meterId: string): ChartOption {
  const axisText = { color: style.muted, fontFamily: style.font, fontSize: 11 }
  const marked = points.filter((p) => p.flags !== 0)
  return {
    animation: false,
    color: style.series,
    textStyle: { fontFamily: style.font, color: style.text },
    title: {
      text: `${meterId}: power (W, + drawn, − fed in)`,
      left: 0,
      top: 2,
      textStyle: { color: style.text, fontSize: 13, fontWeight: 'normal' }
    },
    tooltip: { trigger: 'axis' },
    grid: { left: 64, right: 24, top: 40, bottom: 40 },
    xAxis: { type: 'time', axisLabel: axisText, axisLine: { lineStyle: { color: style.gridLine } } },
    yAxis: { type: 'value', axisLabel: axisText, splitLine: { lineStyle: { color: style.gridLine } } },
    series: [
      {
        type: 'line',
        name: 'power',
        showSymbol: points.length < 50,
        connectNulls: false,
        data: points.map((p) => [p.tsMs, p.watts === null ? null : Math.round(p.watts)])
      },
      {
        type: 'scatter',
        name: 'reset or gap',
        symbolSize: 9,
        color: '#f0524a',
        data: marked.map((p) => ({
          value: [p.tsMs, p.watts === null ? 0 : Math.round(p.watts)],
          name: p.flags & 1 ? 'counter reset' : 'gap before'
        }))
      }
    ]
  }
}
