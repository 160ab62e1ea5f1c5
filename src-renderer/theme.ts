// The control-room look: naive-ui's dark theme, denser and with one cool accent colour, so that
// values and alarms stand out rather than chrome.
import type { GlobalThemeOverrides } from 'naive-ui'

export const palette = {
  background: '#0b0f14',
  panel: '#11171e',
  panelRaised: '#161e27',
  border: '#223040',
  text: '#d5dde6',
  textMuted: '#8a99a8',
  textFaint: '#5d6b79',
  accent: '#38b2c4',
  ok: '#3fb950',
  warn: '#d29922',
  error: '#f0524a',
  series: ['#38b2c4', '#e0a03c', '#9d7bea']
} as const

export const monoFont = '"JetBrains Mono", "DejaVu Sans Mono", "Liberation Mono", ui-monospace, monospace'

export const themeOverrides: GlobalThemeOverrides = {
  common: {
    fontFamily: 'system-ui, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif',
    fontFamilyMono: monoFont,
    fontSize: '13px',
    fontSizeMini: '11px',
    fontSizeTiny: '11px',
    fontSizeSmall: '12px',
    fontSizeMedium: '13px',
    heightTiny: '20px',
    heightSmall: '24px',
    heightMedium: '28px',
    borderRadius: '3px',
    borderRadiusSmall: '2px',
    primaryColor: palette.accent,
    primaryColorHover: '#52c6d6',
    primaryColorPressed: '#2b94a4',
    primaryColorSuppl: palette.accent,
    successColor: palette.ok,
    warningColor: palette.warn,
    errorColor: palette.error,
    errorColorHover: '#f36c65',
    errorColorPressed: '#c9403a',
    bodyColor: palette.background,
    cardColor: palette.panel,
    modalColor: palette.panelRaised,
    popoverColor: palette.panelRaised,
    tableColor: palette.panel,
    inputColor: '#0d1318',
    borderColor: palette.border,
    dividerColor: '#1b2631',
    textColor1: '#e8eef4',
    textColor2: palette.text,
    textColor3: palette.textMuted,
    placeholderColor: palette.textFaint
  },
  Card: {
    paddingSmall: '8px 12px',
    titleFontSizeSmall: '12px',
    borderRadius: '3px',
    color: palette.panel,
    borderColor: palette.border
  },
  Button: { paddingSmall: '0 10px', fontWeight: '500' },
  Input: { paddingSmall: '0 8px' }
}
