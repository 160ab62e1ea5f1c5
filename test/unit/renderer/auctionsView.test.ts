import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import FigureChart from '../../../src-renderer/components/market/FigureChart.vue'
import { createFakeBridge } from './support/fakeBridge'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
const byTestId = (id: string) => wrapper.get(`[data-testid="${id}"]`)
const figure = (id: string) => wrapper.findAllComponents(FigureChart).find((c) => c.props('testid') === id)

beforeEach(async () => {
  bridge.reset()
  ;({ wrapper } = await mountConsole('/auctions'))
  await settle()
})

afterEach(() => wrapper.unmount())

async function startAccelerated(): Promise<string> {
  await byTestId('auction-start-form').trigger('submit')
  await settle()
  const start = bridge.calls.find((c) => c.method === 'market.start')!
  expect(start.input).toMatchObject({
    scenario: 'paper-3x10',
    clock: 'accelerated',
    slotSeconds: 5,
    settle: false,
    game: { sigma1: 1, sigma2: 0.002, C: 1e-6 }
  })
  return [...bridge.market.runs.keys()][0]!
}

describe('Auctions view', () => {
  it('offers the default scenario and says what to do before any run', () => {
    expect(byTestId('auction-scenario').text()).toContain('paper-3x10 (10 EVs, 3 grids, 24 slots)')
    expect(byTestId('auction-idle').text()).toMatch(/Start a run/)
  })

  it('plays a slot’s iterations into figs. 7–9 and 11, then shows the equilibrium and the trades', async () => {
    const runId = await startAccelerated()
    expect(byTestId('auction-run-status').text()).toMatch(/running/)
    await byTestId('auction-step').trigger('click')
    await settle()
    const run = bridge.market.runs.get(runId)!
    const outcome = run.slots[0]!
    expect(byTestId('auction-slot-status').text()).toBe(
      `converged · not settled · clearing price ${outcome.clearingPrice!.toFixed(4)} USD/kWh`
    )
    // every price round reached the chart: one point per iteration per EV
    const fig7 = figure('auction-fig7')!.props('option') as { series: { name: string; data: [number, number][] }[] }
    expect(fig7.series.map((s) => s.name)).toEqual(outcome.trace!.sellers)
    expect(fig7.series[0]!.data).toHaveLength(outcome.trace!.steps.length)
    expect(fig7.series[0]!.data.at(-1)).toEqual([outcome.trace!.steps.length, outcome.trace!.steps.at(-1)!.prices[0]])
    for (const id of ['auction-fig8', 'auction-fig9', 'auction-fig11', 'auction-fig10']) expect(figure(id), id).toBeDefined()
    expect(wrapper.findAll('[data-testid^="auction-seller-"]')).toHaveLength(outcome.sellers.length)
    expect(byTestId('auction-traded').text()).toBe(outcome.tradedKWh.toFixed(3))
    expect(wrapper.find('[data-testid="auction-from-meters"]').exists()).toBe(false)
    bridge.emit('market.slotSolved', {
      runId,
      outcome: { ...outcome, trace: null, fromMeters: ['EV2', 'G1'] },
      settled: false,
      settleError: null
    })
    await settle()
    expect(byTestId('auction-from-meters').text()).toBe('From live meters this slot: EV2, G1; the others from the scenario.')
  })

  it('pauses, resumes and stops the run it follows', async () => {
    const runId = await startAccelerated()
    await byTestId('auction-pause').trigger('click')
    await settle()
    expect(bridge.calls.at(-1)).toEqual({ method: 'market.control', input: { runId, action: 'pause' } })
    expect(byTestId('auction-run-status').text()).toMatch(/paused/)
    await byTestId('auction-resume').trigger('click')
    await settle()
    await byTestId('auction-stop').trigger('click')
    await settle()
    expect(byTestId('auction-run-status').text()).toMatch(/stopped/)
    expect(byTestId('auction-step').attributes('disabled')).toBeDefined()
  })

  it('applies σ edits to the following slots of an open run', async () => {
    const runId = await startAccelerated()
    await byTestId('auction-sigma2').setValue('0.01')
    await byTestId('auction-sigma2').trigger('blur')
    await byTestId('auction-game').trigger('submit')
    await settle()
    expect(bridge.calls.find((c) => c.method === 'market.setGame')?.input).toEqual({ runId, game: { sigma1: 1, sigma2: 0.01, C: 1e-6 } })
    expect(byTestId('auction-game-applied').text()).toMatch(/next slot/)
  })

  it('says plainly when a slot did not converge, and never calls it settled', async () => {
    const runId = await startAccelerated()
    await byTestId('auction-step').trigger('click')
    await settle()
    const outcome = {
      ...bridge.market.runs.get(runId)!.slots[0]!,
      trace: null,
      converged: false,
      iterations: { stackelberg: 0, egt: 2000 },
      trades: [],
      tradedKWh: 0,
      totalPaid: 0,
      t: 2
    }
    bridge.emit('market.slotSolved', { runId, outcome, settled: false, settleError: null })
    await settle()
    expect(byTestId('auction-slot-status').text()).toMatch(/^NOT converged within its limits: nothing traded, nothing settled/)
  })

  it('settles the solved slots of a run on request', async () => {
    const runId = await startAccelerated()
    await byTestId('auction-step').trigger('click')
    await settle()
    await byTestId('auction-settle').trigger('click')
    await settle()
    expect(bridge.calls.some((c) => c.method === 'market.settle' && (c.input as { runId: string }).runId === runId)).toBe(true)
    expect(byTestId('auction-slot-status').text()).toMatch(/settled on the ledger/)
  })
})

describe('Auctions view, the market on the network', () => {
  /** Starts a run on the network clock and solves its first slot with the verdict this node found. */
  async function networkSlot(verdict: { matches: boolean; differences: string[] }): Promise<string> {
    ;(byTestId('auction-clock').element as HTMLSelectElement).value = 'network'
    await byTestId('auction-clock').trigger('change')
    await byTestId('auction-start-form').trigger('submit')
    await settle()
    expect(bridge.calls.find((c) => c.method === 'market.start')!.input).toMatchObject({ clock: 'network', slotSeconds: 5 })
    const runId = [...bridge.market.runs.keys()][0]!
    bridge.market.setVerdict(runId, { t: 1, ...verdict })
    await byTestId('auction-step').trigger('click')
    await settle()
    return runId
  }

  it("shows a network slot's inputs with their source, what was left out and why, and a verified result", async () => {
    const runId = await networkSlot({ matches: true, differences: [] })
    const { inputs } = bridge.market.handle('market.slotInputs', { runId, t: 1 }) as { inputs: { participant: string; tx: string }[] }
    const sellers = bridge.market.runs.get(runId)!.slots[0]!.sellers
    expect(wrapper.findAll('[data-testid^="slot-input-EV"]')).toHaveLength(sellers.length)
    expect(byTestId(`slot-input-${inputs[0]!.participant}`).text()).toContain(inputs[0]!.tx.slice(0, 12))
    expect(byTestId('slot-excluded').text()).toContain('EV99')
    expect(byTestId('slot-excluded').text()).toContain('signed by a wallet that is not registered')
    expect(byTestId('slot-verification').classes()).toContain('verified')
    expect(byTestId('slot-verification').text()).toContain('Verified on this node')
  })

  it('marks a mismatched result in red with every difference', async () => {
    await networkSlot({ matches: false, differences: ['sellers EV3 price: published 0.12, computed 0.09'] })
    const verdict = byTestId('slot-verification')
    expect(verdict.classes()).toContain('mismatch')
    expect(verdict.attributes('role')).toBe('alert')
    expect(verdict.text()).toContain('MISMATCH')
    expect(verdict.text()).toContain('sellers EV3 price: published 0.12, computed 0.09')
  })

  it('registers a participant and revokes it', async () => {
    await byTestId('register-id').setValue('EV1')
    await byTestId('register-address').setValue('dv2g1exampleaddress000000')
    await byTestId('register-form').trigger('submit')
    await settle()
    expect(bridge.calls.find((c) => c.method === 'market.register')!.input).toEqual({
      id: 'EV1',
      role: 'ev',
      address: 'dv2g1exampleaddress000000'
    })
    expect(byTestId('participant-EV1').text()).toContain('EV')
    expect(byTestId('participant-EV1').text()).toContain('never')
    await byTestId('revoke-EV1').trigger('click')
    await settle()
    expect(wrapper.find('[data-testid="participant-EV1"]').exists()).toBe(false)
  })
})
