// The ledger end to end: unlock a new keystore, create the treasury and an EV wallet, send from
// one to the other after confirming, see both balances change, and watch the transfer in the
// tangle explorer go from pending (grey) to pre-confirmed by the walk (amber) to confirmed (green)
// only once a milestone applied it. The console issues milestones itself while its keystore is
// unlocked (at once on unlock, then every --milestone-seconds): a long interval here, so nothing is
// final until the test locks and unlocks the keystore.
import { describe, expect, it } from 'vitest'
import { createWallet as createWalletIn, screenshot, useServedConsole } from './support'

const served = useServedConsole('dv2g-e2e-wallets-', '#/wallets', ['--milestone-seconds', '3600'])

const SUPPLY = 10n ** 15n
const grouped = (n: bigint) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009')

const createWallet = (name: string, role: 'operator' | 'grid' | 'ev') => createWalletIn(served().watched.page, name, role)

describe('wallets and the tangle explorer', () => {
  it('sends tokens from the treasury to an EV and shows the transfer pre-confirmed, then confirmed by a milestone', async () => {
    const page = served().watched.page
    await page.getByTestId('wallet-passphrase').fill('short')
    await page.getByTestId('wallet-unlock').click()
    await expect(page.getByTestId('wallet-passphrase-error').textContent()).resolves.toMatch(/at least 8 characters/)
    await page.getByTestId('wallet-passphrase').fill('e2e keystore passphrase')
    await page.getByTestId('wallet-unlock').click()

    await createWallet('treasury', 'operator')
    await createWallet('bus-7', 'ev')
    await createWallet('grid-north', 'grid')
    const balance = (name: string) => page.getByTestId(`wallet-row-${name}`).getByTestId('wallet-balance').textContent()
    await expect(balance('treasury')).resolves.toBe(grouped(SUPPLY))
    const addressOf = async (name: string) =>
      (await page.getByTestId(`wallet-row-${name}`).getByTestId('wallet-address').textContent())!.trim()
    const busAddress = await addressOf('bus-7')
    const gridAddress = await addressOf('grid-north')

    const send = async (amount: string, from = 'treasury', to = busAddress) => {
      await page.getByTestId('wallet-from').selectOption(from)
      await page.getByTestId('wallet-to').fill(to)
      await page.getByTestId('wallet-amount').fill(amount)
      await page.getByTestId('wallet-send').click()
      await page.getByTestId('wallet-send-confirm').click()
      await page.getByTestId('wallet-amount').and(page.locator('[value=""]')).waitFor()
      // the form is cleared before the dialog has gone, and its focus trap would take the next typing
      await page.getByTestId('wallet-send-confirm').waitFor({ state: 'hidden' })
    }
    // fund the EV from the treasury, then the EV pays the grid
    await send('2500')
    await expect.poll(() => balance('bus-7'), { timeout: 15_000 }).toBe('2\u2009500')
    await expect(balance('treasury')).resolves.toBe(grouped(SUPPLY - 2500n))
    await send('900', 'bus-7', gridAddress)
    await expect.poll(() => balance('grid-north'), { timeout: 15_000 }).toBe('900')
    await expect(balance('bus-7')).resolves.toBe('1\u2009600')
    await screenshot(page, 'wallets')

    await page.getByTestId('nav-tangle').click()
    await page.getByTestId('view-tangle').waitFor()
    const firstTransfer = page.locator('[data-testid="tangle-latest"] tr', { hasText: 'transfer' }).first()
    await firstTransfer.getByRole('button', { name: 'Open' }).click()
    const status = page.getByTestId('tangle-detail-status')
    const milestone = page.getByTestId('tangle-detail-milestone')
    await expect(status.textContent()).resolves.toBe('pending')
    await expect(milestone.textContent()).resolves.toMatch(/not referenced yet/)

    // more transfers approve it: the walk pre-confirms it, but only a milestone makes it final
    await page.getByTestId('nav-wallets').click()
    for (const amount of ['10', '20', '30']) await send(amount)
    await page.getByTestId('nav-tangle').click()
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('pre-confirmed')
    await expect(milestone.textContent()).resolves.toMatch(/not referenced yet/)

    // unlocking the keystore again issues the milestone that was waiting: milestone 1 took the genesis
    await page.getByTestId('nav-wallets').click()
    await page.getByTestId('wallet-lock').click()
    await page.getByTestId('wallet-passphrase').fill('e2e keystore passphrase')
    await page.getByTestId('wallet-unlock').click()
    await page.getByTestId('wallet-lock').waitFor()
    await page.getByTestId('nav-tangle').click()
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('confirmed')
    await expect(milestone.textContent()).resolves.toMatch(/final at milestone 2/)
    await expect(page.locator('[data-testid="tangle-graph"] .node.confirmed').count()).resolves.toBeGreaterThan(0)
    await screenshot(page, 'tangle-live')
    expect(served().watched.errors).toEqual([])
  })
})

describe('the explorer under load', () => {
  it('keeps drawing while 1,000 tx/s arrive, and prints the frame rate', async () => {
    const page = served().watched.page
    await page.getByTestId('nav-tangle').click()
    await page.getByTestId('tangle-graph').waitFor()
    // the contract takes the token only as a bearer credential, as a script would send it
    const authorization = `Bearer ${new URL(served().server.url).searchParams.get('token')}`
    const stored = async () =>
      (
        (await (
          await page.request.post(new URL('/api/tangle.stats', page.url()).href, { data: {}, headers: { Authorization: authorization } })
        ).json()) as { output: { transactions: number } }
      ).output.transactions
    const beforeSpam = await stored()
    await page.getByTestId('tangle-spam').click()
    await expect.poll(() => page.getByTestId('tangle-spam-message').textContent()).toMatch(/Issuing 3000/)
    // into the flood: measured once a few hundred of its transactions are stored, however slow the start
    await expect.poll(stored, { timeout: 20_000 }).toBeGreaterThan(beforeSpam + 300)
    const before = { count: await stored(), at: Date.now() }
    // frames the page manages to draw in two seconds of the flood
    // (a string: this runs in the page, whose DOM types the Node-side tsconfig does not have)
    const frames = (await page.evaluate(`new Promise((resolve) => {
      let count = 0
      const start = performance.now()
      const tick = () => {
        count++
        if (performance.now() - start < 2000) requestAnimationFrame(tick)
        else resolve(count / 2)
      }
      requestAnimationFrame(tick)
    })`)) as number
    const rate = ((await stored()) - before.count) / ((Date.now() - before.at) / 1000)
    console.log(`e2e: explorer at ${rate.toFixed(0)} tx/s arriving drew ${frames.toFixed(0)} frames/s (a fluid console draws 30 or more)`)
    await expect.poll(() => page.locator('[data-testid="tangle-graph"] .node').count(), { timeout: 15_000 }).toBe(300)
    await screenshot(page, 'tangle-under-load')
    expect(served().watched.errors).toEqual([])
  })
})
