// One writer per data dir, as an operator sees it: with the console served, `dv2g wallet send`
// from another shell runs through the served app, the console shows the transfer without a
// reload, and the console's own next send still works.
import { describe, expect, it } from 'vitest'
import { runDv2g } from '../support/cli'
import { createWallet, screenshot, useServedConsole } from './support'

const served = useServedConsole('dv2g-e2e-cli-through-serve-', '#/wallets')
const PASSPHRASE = 'e2e keystore passphrase'

describe('a CLI write while the console is served', () => {
  it('shows a transfer sent by dv2g wallet send from another shell', { timeout: 180_000 }, async () => {
    const { page, errors } = served().watched
    await page.getByTestId('wallet-passphrase').fill(PASSPHRASE)
    await page.getByTestId('wallet-unlock').click()
    await createWallet(page, 'treasury', 'operator')
    await createWallet(page, 'bus-7', 'ev')
    const busRow = page.getByTestId('wallet-row-bus-7')
    const busAddress = (await busRow.getByTestId('wallet-address').textContent())!.trim()

    const sent = runDv2g(
      ['--data-dir', served().dataDir, 'wallet', 'send', '--from', 'treasury', '--to', busAddress, '--amount', '4200', '--json'],
      { DV2G_PASSPHRASE: PASSPHRASE }
    )
    expect(sent.status, sent.stderr).toBe(0)
    expect(sent.stderr).toMatch(/holds this data dir; wallet send runs through it/)
    await expect.poll(() => busRow.getByTestId('wallet-balance').textContent(), { timeout: 30_000 }).toBe('4\u2009200')
    await screenshot(page, 'cli-through-serve')

    // the served app's own write after the forwarded one
    await page.getByTestId('wallet-from').selectOption('treasury')
    await page.getByTestId('wallet-to').fill(busAddress)
    await page.getByTestId('wallet-amount').fill('800')
    await page.getByTestId('wallet-send').click()
    await page.getByTestId('wallet-send-confirm').click()
    await expect.poll(() => busRow.getByTestId('wallet-balance').textContent(), { timeout: 30_000 }).toBe('5\u2009000')
    expect(errors).toEqual([])
  })
})
