// The Network view against three real nodes on 127.0.0.1: the operator's `dv2g node` issuing
// milestones, an empty `dv2g node` that joins it, and `dv2g serve --listen ... --peer ... --peer ...`
// whose console must list both peers and show the milestone and state hash the others hold.
import { describe, expect, it } from 'vitest'
import type { NetworkStatus } from '../../src-main/core/network/view'
import { startServe, type ServeProcess } from '../support/cli'
import { dv2g, dv2gJson, useNodes, waitFor } from '../support/nodes'
import { useTempDirs } from '../support/tempDir'
import { launchBrowser, openWatchedPage, screenshot, type Browser } from './support'

const tempDir = useTempDirs()
const startNode = useNodes()
const passphrase = { DV2G_PASSPHRASE: 'network-e2e-passphrase' }

describe('the Network view with three nodes', () => {
  it('lists the peers of the served node and the same milestone and state hash as the other nodes', async () => {
    const operatorDir = tempDir()
    const created = await dv2g(
      ['--data-dir', operatorDir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator', '--json'],
      passphrase
    )
    expect(created.status, created.stderr).toBe(0)
    const operator = await startNode(operatorDir, ['--milestone-seconds', '1'], passphrase)
    const joiner = await startNode(tempDir(), ['--peer', operator.listen[0]!])
    await waitFor(
      async () => joiner.log(),
      (log) => log.includes(`joined network ${operator.networkId}`),
      30_000,
      "the empty node to join the operator's network"
    )

    let server: ServeProcess | undefined
    let browser: Browser | undefined
    try {
      server = await startServe(tempDir(), ['--listen', '/ip4/127.0.0.1/tcp/0', '--peer', operator.listen[0]!, '--peer', joiner.listen[0]!])
      browser = await launchBrowser()
      const { page, errors } = await openWatchedPage(browser)
      await page.goto(`${server.url}#/network`)
      await page.getByTestId('network-node').waitFor({ state: 'visible' })

      // the view polls every 2 s: both peers connected, then the operator's first milestone applied here
      const rows = page.getByTestId('network-peer-row')
      await waitFor(
        async () =>
          Promise.all(
            (await rows.all()).map(async (row) => [
              await row.getAttribute('data-peer'),
              (await row.locator('td').nth(2).textContent())?.trim()
            ])
          ),
        (shown) => shown.length === 2 && shown.every(([, connection]) => connection === 'connected'),
        60_000,
        'the Network view to list both peers as connected'
      )
      const listed = await Promise.all((await rows.all()).map((row) => row.getAttribute('data-peer')))
      expect(listed.sort()).toEqual([operator.peerId, joiner.peerId].sort())
      await expect(page.getByTestId('network-id').textContent()).resolves.toBe(operator.networkId)

      const milestoneShown = await waitFor(
        async () => (await page.getByTestId('network-milestone').locator('[data-tile-value]').textContent())?.trim(),
        (text) => text !== undefined && /^\d+$/.test(text),
        60_000,
        'the Network view to show an applied milestone'
      )
      // the operator issues a milestone only when something new waits for one: none after the first here
      const statuses = await Promise.all(
        [operator, joiner].map((node) => dv2gJson<NetworkStatus>(['--data-dir', node.dataDir, 'network', 'status']))
      )
      const stateHash = (await page.getByTestId('network-state-hash').textContent())?.trim()
      expect(stateHash).toMatch(/^[0-9a-f]{64}$/)
      for (const status of statuses) expect([status.latestMilestone, status.stateHash]).toEqual([Number(milestoneShown), stateHash])
      await screenshot(page, 'network-three-nodes')
      expect(errors).toEqual([])
    } finally {
      await browser?.close()
      await server?.stop()
    }
  }, 240_000)
})
