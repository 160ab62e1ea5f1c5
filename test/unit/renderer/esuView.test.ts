import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import { createFakeBridge } from './support/fakeBridge'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
const byTestId = (id: string) => wrapper.get(`[data-testid="${id}"]`)
const text = (id: string) => byTestId(id).text()
const outputs = ['costPerDay', 'degradationCostPerKWh', 'lifetimeThroughputKWh', 'annuityFactor'] as const

async function type(field: string, value: string): Promise<void> {
  await byTestId(`esu-input-${field}`).setValue(value)
  await settle()
}

beforeEach(async () => {
  bridge.reset()
  ;({ wrapper } = await mountConsole('/esu'))
  await settle()
})

afterEach(() => wrapper.unmount())

describe('ESU view', () => {
  it('opens on the reference case and shows its cost to 5 significant digits', () => {
    expect(wrapper.find('[data-testid="view-esu"]').exists()).toBe(true)
    expect((byTestId('esu-input-capacityKWh').element as HTMLInputElement).value).toBe('24')
    expect((byTestId('esu-input-daysPerYear').element as HTMLInputElement).value).toBe('365')
    expect(text('esu-out-degradationCostPerKWh')).toBe('0.14236')
    expect(text('esu-out-costPerDay')).toBe('2.9094')
    expect(text('esu-out-lifetimeThroughputKWh')).toBe('57600')
    expect(text('esu-out-annuityFactor')).toBe('0.12950')
    expect(wrapper.find('[data-testid="esu-chart"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid^="esu-error-"]').exists()).toBe(false)
  })

  it('recomputes as a field changes', async () => {
    await type('cycleLife', '6000')
    expect(text('esu-out-degradationCostPerKWh')).toBe('0.071181')
    expect(text('esu-out-lifetimeThroughputKWh')).toBe('115200')
    expect(text('esu-out-costPerDay')).toBe('2.9094')
  })

  it.each([
    ['depthOfDischarge', '1.5', 'must be between 0.01 and 1'],
    ['interestRate', '-0.05', 'must be between 0 and 1'],
    ['capacityKWh', '', 'is required'],
    ['cycleLife', '2500.5', 'must be a whole number of cycles'],
    ['combinedCost', 'abc', 'must be a number']
  ])('marks %s = %j invalid inline and computes nothing', async (field, value, message) => {
    await type(field, value)
    expect(text(`esu-error-${field}`)).toContain(message)
    expect(byTestId(`esu-input-${field}`).attributes('aria-invalid')).toBe('true')
    for (const output of outputs) expect(text(`esu-out-${output}`)).toBe('—')
    expect(text('esu-invalid-summary')).toMatch(/fix/)
    expect(byTestId('esu-verdict').attributes('data-verdict')).toBe('invalid')
    expect(wrapper.find('[data-testid="esu-chart"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid^="esu-error-"]')).toHaveLength(1)
  })

  it('names every field to fix and comes back when they are fixed', async () => {
    await type('depthOfDischarge', '1.5')
    await type('interestRate', '-1')
    expect(text('esu-invalid-summary')).toBe('Nothing computed: fix depth of discharge, interest rate.')
    await type('depthOfDischarge', '0.8')
    await type('interestRate', '0.05')
    expect(wrapper.find('[data-testid="esu-invalid-summary"]').exists()).toBe(false)
    expect(text('esu-out-costPerDay')).toBe('2.9094')
  })

  it('switches the verdict with the daily saving', async () => {
    expect(byTestId('esu-verdict').attributes('data-verdict')).toBe('no-saving')
    await type('dailySaving', '4')
    expect(byTestId('esu-verdict').attributes('data-verdict')).toBe('worth-it')
    expect(text('esu-verdict')).toContain('Worth it')
    expect(text('esu-margin')).toBe('+1.0906')
    await type('dailySaving', '2')
    expect(byTestId('esu-verdict').attributes('data-verdict')).toBe('not-worth-it')
    expect(text('esu-margin')).toBe('-0.90942')
    await type('dailySaving', '-2')
    expect(text('esu-error-dailySaving')).toContain('must be 0 or more')
    expect(text('esu-out-costPerDay')).toBe('—')
  })

  it('saves a profile from the name form, lists it, loads it back and deletes it after confirmation', async () => {
    await type('cycleLife', '4000')
    await byTestId('esu-profile-name').setValue('Depot A')
    await wrapper.get('form.save-form').trigger('submit')
    await settle()
    expect(bridge.calls.filter((c) => c.method === 'esu.saveProfile')).toHaveLength(1)
    expect(bridge.profiles.get('depot a')?.parameters.cycleLife).toBe(4000)
    const items = wrapper.findAll('[data-testid="esu-profile-item"]')
    expect(items.map((item) => item.attributes('data-profile-name'))).toEqual(['Depot A'])
    expect(items[0]!.text()).toContain('in form')

    await type('cycleLife', '9000')
    await wrapper.get('[data-testid="esu-profile-load"]').trigger('click')
    await settle()
    expect((byTestId('esu-input-cycleLife').element as HTMLInputElement).value).toBe('4000')

    await wrapper.get('[data-testid="esu-profile-delete"]').trigger('click')
    await settle()
    expect(bridge.profiles.size).toBe(1)
    const confirm = document.querySelector<HTMLButtonElement>('[data-testid="esu-profile-delete-confirm"]')
    expect(confirm).not.toBeNull()
    confirm!.click()
    await settle()
    expect(bridge.profiles.size).toBe(0)
    expect(wrapper.findAll('[data-testid="esu-profile-item"]')).toHaveLength(0)
    expect(wrapper.find('[data-testid="esu-profile-empty"]').exists()).toBe(true)
  })

  it('keeps an empty name local and shows a refused save in a message', async () => {
    await wrapper.get('form.save-form').trigger('submit')
    await settle()
    expect(text('esu-profile-note')).toBe('Name must not be empty')
    expect(bridge.calls.some((c) => c.method === 'esu.saveProfile')).toBe(false)

    bridge.failNext('esu.saveProfile', {
      code: 'invalid_argument',
      message: 'esu.saveProfile: name is taken by a locked profile',
      fields: [{ path: 'name', message: 'is taken by a locked profile' }]
    })
    await byTestId('esu-profile-name').setValue('Depot B')
    await wrapper.get('form.save-form').trigger('submit')
    await settle()
    expect(text('esu-profile-note')).toBe('Name is taken by a locked profile')
    expect(document.body.textContent).toContain('Saving failed: esu.saveProfile: name is taken by a locked profile')
  })

  it('follows profiles saved elsewhere through the profilesChanged event', async () => {
    bridge.profiles.set('depot c', {
      name: 'Depot C',
      parameters: {
        capacityKWh: 60,
        depthOfDischarge: 0.9,
        cycleLife: 5000,
        combinedCost: 20000,
        maintenancePerYear: 100,
        interestRate: 0.04,
        lifetimeYears: 12,
        daysPerYear: 365
      },
      updatedAt: new Date().toISOString()
    })
    bridge.emit('esu.profilesChanged', { names: ['Depot C'] })
    await settle()
    expect(wrapper.findAll('[data-testid="esu-profile-item"]').map((i) => i.attributes('data-profile-name'))).toEqual(['Depot C'])
  })
})
