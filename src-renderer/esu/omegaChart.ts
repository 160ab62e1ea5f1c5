// ω (10) against cycle life for a few depths of discharge: how much a longer-lived or more gently
// cycled battery lowers the cost of every kWh it moves. Pure, so the option can be tested.
import type { ComposeOption } from 'echarts/core'
import type { LineSeriesOption, ScatterSeriesOption } from 'echarts/charts'
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components'
import { degradationCostPerKWh, type EsuParameters } from '../../src-shared/market/esu'
import { significant } from '../format'
import { monoFont, palette } from '../theme'

export type OmegaChartOption = ComposeOption<
  LineSeriesOption | ScatterSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>

const MIN_CYCLES = 500
const MAX_CYCLES = 10_000
const SAMPLES = 96

/** The current depth of discharge and two others, lowest first. */
export function chartDepths(current: number): number[] {
  const depths = [current]
  for (const candidate of [0.5, 1, 0.8]) {
    if (depths.length < 3 && !depths.some((d) => Math.abs(d - candidate) < 1e-9)) depths.push(candidate)
  }
  return depths.sort((a, b) => a - b)
}

/** 500..10,000 cycles, widened to keep the current cycle life in view. */
export function cycleRange(cycleLife: number): [number, number] {
  return [Math.min(MIN_CYCLES, cycleLife), Math.max(MAX_CYCLES, Math.ceil(cycleLife * 1.1))]
}

function curve(p: EsuParameters, depth: number, [from, to]: [number, number]): [number, number][] {
  const points: [number, number][] = []
  for (let i = 0; i <= SAMPLES; i++) {
    const cycles = Math.round(from + ((to - from) * i) / SAMPLES)
    points.push([cycles, degradationCostPerKWh({ ...p, depthOfDischarge: depth, cycleLife: cycles })])
  }
  return points
}

export function omegaChartOption(p: EsuParameters): OmegaChartOption {
  const range = cycleRange(p.cycleLife)
  const axisText = { color: palette.textMuted, fontFamily: monoFont, fontSize: 11 }
  const depths = chartDepths(p.depthOfDischarge)
  const lines: LineSeriesOption[] = depths.map((depth, index) => ({
    type: 'line',
    name: `D_D ${depth}`,
    data: curve(p, depth, range),
    showSymbol: false,
    smooth: false,
    lineStyle: { width: depth === p.depthOfDischarge ? 2.5 : 1.5 },
    color: palette.series[index % palette.series.length]
  }))
  const current: ScatterSeriesOption = {
    type: 'scatter',
    name: 'this ESU',
    data: [[p.cycleLife, degradationCostPerKWh(p)]],
    symbolSize: 10,
    color: '#ffffff',
    label: {
      show: true,
      position: 'right',
      distance: 8,
      color: palette.text,
      backgroundColor: palette.panelRaised,
      borderColor: palette.border,
      borderWidth: 1,
      padding: [3, 6],
      fontFamily: monoFont,
      fontSize: 11,
      formatter: () => `ω ${significant(degradationCostPerKWh(p))} ¤/kWh at ${p.cycleLife} cycles`
    },
    z: 10
  }
  // ω falls as 1/L_c: a log axis keeps the long flat tail readable; C_U = 0 makes ω 0, which it cannot show
  const logScale = p.combinedCost > 0
  const lowest = degradationCostPerKWh({ ...p, depthOfDischarge: Math.max(...depths), cycleLife: range[1] })
  const highest = degradationCostPerKWh({ ...p, depthOfDischarge: Math.min(...depths), cycleLife: range[0] })
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { color: palette.text },
    grid: { left: 64, right: 24, top: 36, bottom: 44 },
    legend: { top: 4, right: 8, textStyle: { color: palette.text, fontSize: 11 }, itemHeight: 8 },
    tooltip: {
      trigger: 'axis',
      backgroundColor: palette.panelRaised,
      borderColor: palette.border,
      textStyle: { color: palette.text, fontSize: 11 },
      valueFormatter: (value) => (typeof value === 'number' ? `${significant(value)} ¤/kWh` : String(value))
    },
    xAxis: {
      type: 'value',
      name: 'cycle life L_c (cycles)',
      nameLocation: 'middle',
      nameGap: 28,
      nameTextStyle: axisText,
      min: range[0],
      max: range[1],
      axisLabel: axisText,
      axisLine: { lineStyle: { color: palette.border } },
      splitLine: { lineStyle: { color: '#18212b' } }
    },
    yAxis: {
      type: logScale ? 'log' : 'value',
      // from the decade below the lowest curve to just above the highest: no empty decades
      ...(logScale ? { min: 10 ** Math.floor(Math.log10(lowest)), max: highest * 1.2 } : {}),
      name: 'ω (¤/kWh)',
      nameLocation: 'end',
      nameTextStyle: { ...axisText, align: 'left' },
      // 0.01, 0.1, 1 rather than 0.0100; the top bound is not a round number, so no label there
      axisLabel: { ...axisText, showMaxLabel: false, formatter: (value: number) => String(Number(value.toPrecision(3))) },
      axisLine: { show: true, lineStyle: { color: palette.border } },
      splitLine: { lineStyle: { color: '#1f2a36' } },
      minorTick: { show: logScale, splitNumber: 9 },
      minorSplitLine: { show: logScale, lineStyle: { color: '#141c25' } }
    },
    series: [...lines, current]
  }
}
