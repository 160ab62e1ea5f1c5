// The networking switch in a served console: Settings turns this data dir's node on (a wrong peer
// named under its field first), the Network view shows the node running, and turning it off
// stops it again, all without restarting dv2g serve.
import { describe, expect, it } from 'vitest'
import { screenshot, useServedConsole } from './support'

const served = useServedConsole('dv2g-e2e-switch-', '#/settings')

describe('the networking switch in Settings', () => {
  it('runs the node once networking is turned on, shows it in the Network view, and stops it when turned off', async () => {
    const page = served().watched.page
    const status = page.getByTestId('network-switch-status')
    // before the switch: no node, in Settings and in the Network view
    const statusBefore = await status.textContent()
    expect(statusBefore).toContain('Networking is off')
    await page.getByTestId('nav-network').click()
    await page.getByTestId('network-none').waitFor()
    expect(await page.getByTestId('network-peer-id').count()).toBe(0)
    await page.getByTestId('nav-settings').click()

    await page.getByTestId('network-enabled').check()
    await page.getByTestId('network-listen-input').fill('/ip4/127.0.0.1/tcp/0')
    await page.getByTestId('network-peers-input').fill('192.0.2.10:4781')
    await page.getByTestId('network-apply').click()
    await expect(page.getByTestId('network-peers-error').textContent()).resolves.toContain('is not a multiaddr')
    await expect(status.textContent()).resolves.toContain('Networking is off')

    await page.getByTestId('network-peers-input').fill('')
    await page.getByTestId('network-apply').click()
    await page.getByTestId('network-peers-error').waitFor({ state: 'detached' })
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('The node runs')
    expect(await status.textContent()).not.toEqual(statusBefore)
    await screenshot(page, 'settings-network-on')

    // after it: the Network view that showed no node shows this one, listening where it was told
    await page.getByTestId('nav-network').click()
    const peerId = (await page.getByTestId('network-peer-id').textContent())?.trim()
    expect(peerId).toMatch(/^12D3Koo/)
    expect(await page.getByTestId('network-none').count()).toBe(0)
    await expect(page.getByTestId('network-listen').textContent()).resolves.toMatch(
      new RegExp(`/ip4/127\\.0\\.0\\.1/tcp/[1-9]\\d*/p2p/${peerId}`)
    )

    await page.getByTestId('nav-settings').click()
    await page.getByTestId('network-enabled').uncheck()
    await page.getByTestId('network-apply').click()
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Networking is off')
    await page.getByTestId('nav-network').click()
    await page.getByTestId('network-none').waitFor()
    expect(await page.getByTestId('network-peer-id').count()).toBe(0)
    expect(served().watched.errors).toEqual([])
  })
})
