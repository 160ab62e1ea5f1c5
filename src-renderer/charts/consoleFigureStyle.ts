// The paper's figures (src-shared/charts) drawn in the console's dark look.
import type { FigureStyle } from '../../src-shared/charts/marketFigures'
import { monoFont, palette } from '../theme'

export const consoleFigureStyle: FigureStyle = {
  text: palette.text,
  muted: palette.textMuted,
  gridLine: palette.border,
  // ten distinguishable hues for ten EVs, readable on the dark panel
  series: ['#38b2c4', '#e0a03c', '#9d7bea', '#3fb950', '#f0524a', '#5b8def', '#d46fb0', '#c9c94f', '#8fd6e1', '#b88a5a'],
  font: monoFont
}
