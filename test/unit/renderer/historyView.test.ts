import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import type { MarketRun, MethodOutput } from '../../../src-shared/contract'
import FigureChart from '../../../src-renderer/components/market/FigureChart.vue'
import { formatInteger, significant } from '../../../src-renderer/format'
import { createFakeBridge } from './support/fakeBridge'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper | undefined
const byTestId = (id: string) => wrapper!.get(`[data-testid="${id}"]`)

/** Starts a run on the fake market, as Auctions would; 'instant' solves its whole day at once. */
async function startRun(clock: 'instant' | 'hourly'): Promise<MarketRun> {
  const result = await bridge.methods['market.start']({ scenario: 'paper-3x10', clock, settle: false })
  if (!result.ok) throw new Error(result.error.message)
  return result.output
}
const dayOf = (runId: string) => bridge.market.handle('market.day', { runId }) as MethodOutput<'market.day'>
const dayCalls = () => bridge.calls.filter((c) => c.method === 'market.day').map((c) => (c.input as { runId: string }).runId)
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)

async function open(path = '/history'): Promise<void> {
  bridge.calls.length = 0
  ;({ wrapper } = await mountConsole(path))
  await settle()
}

beforeEach(() => bridge.reset())
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.restoreAllMocks()
})

describe('History view', () => {
  it('tells the operator to start a run in Auctions when there is none', async () => {
    await open()
    expect(byTestId('history-empty').text()).toContain('Start one in Auctions')
    expect(dayCalls()).toEqual([])
    expect(wrapper!.find('[data-testid="history-tokens"]').exists()).toBe(false)
  })

  it('shows the newest solved day: its totals, figures and what every EV and grid traded', async () => {
    const run = await startRun('instant')
    const { day, settlement } = dayOf(run.id)
    await open()

    expect(dayCalls()).toEqual([run.id])
    expect((byTestId('history-run').element as HTMLSelectElement).value).toBe(run.id)
    expect(byTestId('history-run').text()).toContain('paper-3x10 · ')
    expect(byTestId('history-run').text()).toContain(' · finished · 24/24 slots')
    expect(byTestId('history-traded').get('[data-tile-value]').text()).toBe(significant(day.totalTradedKWh))
    expect(byTestId('history-paid').get('[data-tile-value]').text()).toBe(significant(day.totalPaid))
    expect(byTestId('history-first-price').get('[data-tile-value]').text()).toBe(
      significant(sum(day.slots.map((s) => s.baseline.totalPaid)))
    )
    expect(byTestId('history-converged').get('[data-tile-value]').text()).toBe(`${day.slots.filter((s) => s.converged).length}/24`)
    expect(byTestId('history-settled').get('[data-tile-value]').text()).toBe(`${settlement.filter((s) => s.settled).length}/24`)

    // the figures are built from this day: one line or bar per EV, per grid
    const figures = Object.fromEntries(
      wrapper!.findAllComponents(FigureChart).map((f) => [f.props('testid'), f.props('option') as { series: unknown[] }])
    )
    expect(Object.keys(figures)).toEqual(['history-fig3', 'history-fig4', 'history-fig5', 'history-fig6', 'history-fig10'])
    expect(figures['history-fig3']!.series).toHaveLength(10)
    expect(figures['history-fig4']!.series).toHaveLength(3)
    expect(figures['history-fig6']!.series).toHaveLength(3)

    const rows = byTestId('history-tokens').findAll('tbody tr')
    expect(rows).toHaveLength(13)
    expect(byTestId('history-tokens').text()).toContain(`Earned (${run.currency})`)
    const cells = (id: string) =>
      byTestId(`history-tokens-${id}`)
        .findAll('td')
        .map((td) => td.text())
    day.evs.forEach((ev, m) => {
      const sales = day.slots.flatMap((s) => s.sellers.filter((x) => x.id === ev.id))
      const earned = sum(sales.map((s) => s.earned))
      expect(cells(ev.id)).toEqual([
        ev.id,
        'EV',
        significant(sum(ev.soldKWh)),
        significant(earned),
        '—',
        '—',
        formatInteger(Math.round(earned * 1_000_000))
      ])
      expect(rows[m]!.text()).toContain(ev.id)
    })
    for (const grid of day.grids) {
      const purchases = day.slots.flatMap((s) => s.buyers.filter((b) => b.id === grid.id))
      const paid = sum(purchases.map((b) => b.paid))
      expect(cells(grid.id)).toEqual([
        grid.id,
        'grid',
        '—',
        '—',
        significant(sum(grid.boughtKWh)),
        significant(paid),
        formatInteger(Math.round(paid * 1_000_000))
      ])
    }
    expect(sum(day.evs.map((ev) => sum(ev.soldKWh)))).toBeGreaterThan(0)
  })

  it('passes over a run with nothing solved yet and loads the run the operator picks', async () => {
    const older = await startRun('instant')
    const newer = await startRun('instant')
    const unsolved = await startRun('hourly')
    await open()
    expect((byTestId('history-run').element as HTMLSelectElement).value).toBe(newer.id)
    expect(
      byTestId('history-run')
        .findAll('option')
        .map((o) => o.attributes('value'))
    ).toEqual([unsolved.id, newer.id, older.id])

    await byTestId('history-run').setValue(older.id)
    await settle()
    expect(dayCalls()).toEqual([newer.id, older.id])
    expect(byTestId('history-traded').get('[data-tile-value]').text()).toBe(significant(dayOf(older.id).day.totalTradedKWh))
  })

  it('opens the run named in ?run=', async () => {
    const older = await startRun('instant')
    await startRun('instant')
    await open(`/history?run=${older.id}`)
    expect(dayCalls()).toEqual([older.id])
    expect((byTestId('history-run').element as HTMLSelectElement).value).toBe(older.id)
  })

  it('exports the day’s trades as a CSV download', async () => {
    const run = await startRun('instant')
    await open()
    // happy-dom may lack object URLs; the link click would navigate, so it is caught instead
    URL.createObjectURL ??= () => ''
    URL.revokeObjectURL ??= () => undefined
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:history-test')
    const clicked: { href: string; download: string }[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download })
    })

    await byTestId('history-export-csv').trigger('click')
    await settle()
    expect(bridge.calls.filter((c) => c.method === 'market.tradesCsv').map((c) => c.input)).toEqual([{ runId: run.id }])
    expect(created).toHaveBeenCalledTimes(1)
    const blob = created.mock.calls[0]![0] as Blob
    expect((await blob.text()).split('\n')[0]).toBe('slot,buyer,seller,energy_kwh')
    expect(clicked).toEqual([{ href: 'blob:history-test', download: 'dv2g-paper-3x10-trades.csv' }])
    expect(document.querySelector('a[download]')).toBeNull()
  })

  it('exports each drawn figure as a PNG named after the scenario, and skips the ones not drawn', async () => {
    await startRun('instant')
    await open()
    const clicked: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })

    // the stubbed charts have no canvas: nothing can be saved
    await byTestId('history-export-png').trigger('click')
    await settle()
    expect(clicked).toEqual([])
    expect(byTestId('history-png-note').text()).toContain('nothing was exported')

    // fig. 3 drawn: its picture is saved, the others are still skipped
    const fig3 = wrapper!.findAllComponents(FigureChart).find((f) => f.props('testid') === 'history-fig3')!
    vi.spyOn(fig3.vm.$.exposed as { pngDataUrl: () => string | undefined }, 'pngDataUrl').mockReturnValue(
      'data:image/png;base64,iVBORw0KGgo='
    )
    await byTestId('history-export-png').trigger('click')
    await settle()
    expect(clicked).toEqual(['dv2g-paper-3x10-fig3.png'])
    expect(wrapper!.find('[data-testid="history-png-note"]').exists()).toBe(false)
  })

  it('shows a failed load as an alert', async () => {
    await startRun('instant')
    bridge.failNext('market.day', { code: 'internal', message: 'the database is locked' })
    await open()
    expect(wrapper!.get('[role="alert"]').text()).toBe('the database is locked')
    expect(wrapper!.find('[data-testid="history-tokens"]').exists()).toBe(false)
  })

  it("shows a network run's results as this node verified them, the mismatched slots in red", async () => {
    const started = await bridge.methods['market.start']({ scenario: 'paper-3x10', clock: 'network', slotSeconds: 5, settle: false })
    if (!started.ok) throw new Error(started.error.message)
    const runId = started.output.id
    for (let t = 1; t <= 3; t++) await bridge.methods['market.control']({ runId, action: 'step' })
    bridge.market.setVerdict(runId, { t: 1, matches: true, differences: [] })
    bridge.market.setVerdict(runId, { t: 2, matches: false, differences: ['input hash: published "ff…", computed "0a…"'] })
    bridge.market.setVerdict(runId, { t: 3, matches: true, differences: [] })
    await open()
    expect(byTestId('history-verified').get('[data-tile-value]').text()).toBe('2/3')
    expect(byTestId('history-verified').text()).toContain('1 MISMATCHED')
    expect(byTestId('history-mismatches').attributes('role')).toBe('alert')
    expect(byTestId('history-mismatches').text()).toContain('slot 2: input hash: published "ff…", computed "0a…"')
  })

  it("shows each metered EV's delivery against what it sold in a network run, off-target slots marked", async () => {
    const started = await bridge.methods['market.start']({ scenario: 'paper-3x10', clock: 'network', slotSeconds: 5, settle: false })
    if (!started.ok) throw new Error(started.error.message)
    for (let t = 1; t <= 3; t++) await bridge.methods['market.control']({ runId: started.output.id, action: 'step' })
    await open()
    // only EV1 signs its meter's summaries: one row
    expect(
      byTestId('delivery-table')
        .findAll('tbody tr')
        .map((row) => row.attributes('data-testid'))
    ).toEqual(['delivery-EV1'])
    const cells = byTestId('delivery-EV1').findAll('td')
    expect(cells.map((c) => c.text())).toEqual(['EV1', '+0.01', '-2.00', '+0.01', '1'])
    expect(cells.map((c) => c.classes().includes('off'))).toEqual([false, false, true, false, true])
    expect(cells[2]!.attributes('title')).toMatch(/^sold \d+\.\d{3} kWh, delivered -?\d+\.\d{3} kWh$/)
  })

  it('shows no verification for a run of a local clock', async () => {
    await startRun('instant')
    await open()
    expect(wrapper!.find('[data-testid="history-verified"]').exists()).toBe(false)
    expect(bridge.calls.some((c) => c.method === 'market.verifications' || c.method === 'market.deliveries')).toBe(false)
    expect(wrapper!.find('[data-testid="delivery"]').exists()).toBe(false)
  })
})
