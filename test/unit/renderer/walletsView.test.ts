import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { VueWrapper } from '@vue/test-utils'
import { formatBaseUnits } from '../../../src-renderer/format'
import { createFakeBridge } from './support/fakeBridge'
import { mountConsole, settle } from './support/mountConsole'

const bridge = createFakeBridge()
window.dv2g = bridge

let wrapper: VueWrapper
const byTestId = (id: string) => wrapper.get(`[data-testid="${id}"]`)
/** naive-ui dialogs render in a teleport on document.body */
const inDocument = (id: string) => document.body.querySelector<HTMLElement>(`[data-testid="${id}"]`)

beforeEach(async () => {
  bridge.reset()
  ;({ wrapper } = await mountConsole('/wallets'))
  await settle()
})

afterEach(() => wrapper.unmount())

async function unlock(passphrase: string): Promise<void> {
  await byTestId('wallet-passphrase').setValue(passphrase)
  await byTestId('wallet-unlock-form').trigger('submit')
  await settle()
}

describe('Wallets view', () => {
  it('shows a wrong passphrase under the passphrase field and stays locked', async () => {
    expect(wrapper.text()).toContain('the passphrase you choose now will protect every wallet key')
    await unlock('not it at all')
    expect(byTestId('wallet-passphrase-error').text()).toBe('wrong passphrase: the keystore could not be opened with it')
    expect(wrapper.find('[data-testid="wallet-create"]').exists()).toBe(false)
    await unlock('correct horse')
    expect(wrapper.find('[data-testid="wallet-create"]').exists()).toBe(true)
  })

  it('shows a new wallet’s mnemonic once, in a dialog the operator must acknowledge', async () => {
    await unlock('correct horse')
    await byTestId('wallet-name').setValue('treasury')
    await byTestId('wallet-role').setValue('operator')
    await byTestId('wallet-create').trigger('submit')
    await settle()
    expect(document.body.textContent).toContain('word0 word1 word2')
    expect(document.body.textContent).toContain('This is the treasury')
    inDocument('wallet-mnemonic-done')!.click()
    await settle()
    expect(byTestId('wallet-row-treasury').text()).toContain(formatBaseUnits('1000000000000000'))
  })

  it('sends only after the operator confirms the transfer', async () => {
    bridge.keystore.wallets.push({
      name: 'treasury',
      role: 'operator',
      address: 'dv2g1treasuryqqqq',
      balance: '5000',
      createdAt: new Date(0).toISOString()
    })
    await unlock('correct horse')
    await byTestId('wallet-from').setValue('treasury')
    await byTestId('wallet-to').setValue('dv2g1busqqqq')
    await byTestId('wallet-amount').setValue('2.5')
    await byTestId('wallet-send-form').trigger('submit')
    await settle()
    expect(byTestId('wallet-amount-error').text()).toBe('a positive whole number of base units')

    await byTestId('wallet-amount').setValue('2500')
    await byTestId('wallet-send-form').trigger('submit')
    await settle()
    expect(document.body.textContent).toContain('Send 2\u2009500 base units from “treasury” to dv2g1busqqqq?')
    expect(bridge.calls.some((c) => c.method === 'wallet.send')).toBe(false)
    inDocument('wallet-send-confirm')!.click()
    await settle()
    expect(bridge.calls.find((c) => c.method === 'wallet.send')?.input).toEqual({ from: 'treasury', to: 'dv2g1busqqqq', amount: '2500' })
  })

  it('groups amounts of any size without turning them into floats', () => {
    expect(formatBaseUnits('1000000000000000000')).toBe('1\u2009000\u2009000\u2009000\u2009000\u2009000\u2009000')
    expect(formatBaseUnits('999')).toBe('999')
  })
})
