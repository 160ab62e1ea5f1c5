// The console's views in nav order. The router, the nav rail, the Alt+digit shortcuts and the
// shortcut list in Settings all come from this one table.
export const viewNames = [
  'overview',
  'wallets',
  'auctions',
  'tangle',
  'esu',
  'history',
  'meters',
  'chargers',
  'network',
  'settings'
] as const
export type ViewName = (typeof viewNames)[number]

export interface ConsoleView {
  name: ViewName
  path: string
  label: string
  /** one sentence: what the operator uses this view for */
  purpose: string
  /** Alt+<digit> opens the view */
  shortcutDigit: number
}

// Operators' fingers know these: a view added later takes a free digit instead of moving the others.
const shortcutDigits: Record<ViewName, number> = {
  overview: 1,
  wallets: 2,
  auctions: 3,
  tangle: 4,
  esu: 5,
  history: 6,
  meters: 7,
  chargers: 0,
  network: 8,
  settings: 9
}

const purposes: Record<ViewName, { label: string; purpose: string }> = {
  overview: { label: 'Overview', purpose: 'The state of this console’s data dir and services at a glance.' },
  wallets: {
    label: 'Wallets',
    purpose:
      'Operator identities and their token balances on the tangle ledger; keys stay encrypted in the data dir until the operator unlocks them.'
  },
  auctions: {
    label: 'Auctions',
    purpose: 'The V2G market slot by slot: EV offers, grid bids, Stackelberg prices and the energy settled on the ledger.'
  },
  tangle: {
    label: 'Tangle',
    purpose: 'The DAG ledger: transactions, tips, cumulative weights and confirmation confidence.'
  },
  esu: {
    label: 'ESU',
    purpose: 'What a battery costs a day and per kWh cycled, eqs. (9)–(11), and whether its daily saving pays for it.'
  },
  history: {
    label: 'History',
    purpose: 'Past market runs: the day in the paper’s figures, what every EV earned and every grid paid, exported as CSV and PNG.'
  },
  meters: { label: 'Meters', purpose: 'Local meters on serial/USB (DSMR P1) and meter logs imported from USB sticks.' },
  chargers: {
    label: 'Chargers',
    purpose:
      'EV chargers on this console’s OCPP central system: their sessions, live power and state of charge, and the charge or discharge profile each slot sent them.'
  },
  network: {
    label: 'Network',
    purpose:
      'This data dir as a node of the tangle network: its peers and their scores, sync, and the milestone and state hash every node should share.'
  },
  settings: { label: 'Settings', purpose: 'This installation: data dir, versions, transport and keyboard shortcuts.' }
}

export const consoleViews: readonly ConsoleView[] = viewNames.map((name) => ({
  name,
  path: `/${name}`,
  ...purposes[name],
  shortcutDigit: shortcutDigits[name]
}))

export function consoleView(name: ViewName): ConsoleView {
  return consoleViews.find((view) => view.name === name)!
}

/** The view an Alt+<digit> key press opens, from KeyboardEvent.code ('Digit0'…'Digit9'). */
export function viewForShortcut(
  event: Pick<KeyboardEvent, 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'code'>
): ConsoleView | undefined {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return undefined
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(event.code)?.[1]
  return digit ? consoleViews.find((view) => view.shortcutDigit === Number(digit)) : undefined
}
