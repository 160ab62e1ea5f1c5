// The market end to end: with the keystore open and a treasury, start a live run of the default
// scenario on an accelerated clock, watch a slot's iterations play into the charts and the slot
// settle on the ledger, then open History and see the day's figures.
import { describe, expect, it } from 'vitest'
import { createWallet, recordValues, screenshot, useServedConsole } from './support'

const served = useServedConsole('dv2g-e2e-market-', '#/wallets')

describe('a live market run', () => {
  it('plays a slot into the charts, settles it on the ledger, and shows the day in History', async () => {
    const page = served().watched.page
    await page.getByTestId('wallet-passphrase').fill('e2e market passphrase')
    await page.getByTestId('wallet-unlock').click()
    await createWallet(page, 'treasury', 'operator')

    await page.goto(`${served().server.url}#/auctions`)
    await page.getByTestId('auction-clock').selectOption('accelerated')
    // slots long enough that the first stays on screen while it is checked, however busy the machine
    await page.getByTestId('auction-seconds').fill('30')
    await page.getByTestId('auction-settle-live').check()
    const statusValues = await recordValues(page, 'auction-slot-status')
    await page.getByTestId('auction-start').click()

    // the first slot's iterations arrive in batches: the count of price rounds shown grows
    const status = page.getByTestId('auction-slot-status')
    await status.filter({ hasText: /settled on the ledger/ }).waitFor({ timeout: 60_000 })
    const seen = await statusValues()
    const rounds = [...seen].flatMap((t) => [...t.matchAll(/iterating: (\d+) of/g)].map((m) => Number(m[1])))
    expect(new Set(rounds).size, [...seen].join(' | ')).toBeGreaterThan(1)
    await expect(status.textContent()).resolves.toMatch(/^converged · settled on the ledger · clearing price 0\.\d{4} USD\/kWh/)
    for (const fig of ['fig7', 'fig8', 'fig9', 'fig11', 'fig10'])
      await page.getByTestId(`auction-${fig}`).locator('canvas').first().waitFor()
    await expect(page.getByTestId('auction-sellers').locator('tbody tr').count()).resolves.toBe(10)
    await screenshot(page, 'market-auctions')

    await page.getByTestId('auction-pause').click()
    await page.getByTestId('auction-run-status').filter({ hasText: 'paused' }).waitFor()

    // the settlement is on the tangle: the explorer lists the market record
    await page.goto(`${served().server.url}#/tangle`)
    await page.getByText('data', { exact: false }).first().waitFor()

    await page.goto(`${served().server.url}#/history`)
    for (const fig of ['fig3', 'fig4', 'fig5', 'fig6', 'fig10'])
      await page.getByTestId(`history-${fig}`).locator('canvas').first().waitFor()
    await page.getByTestId('history-tokens').waitFor()
    await screenshot(page, 'market-history')
    expect(served().watched.errors).toEqual([])
  })
})
