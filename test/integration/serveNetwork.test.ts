// `dv2g serve` running the network node: the console's process is then a node like `dv2g node`,
// answering dv2g network status and dv2g peers through its channel, and, on the operator's data
// dir, issuing the milestones a `dv2g node` joined to it applies with the same state hash.
import { describe, expect, it } from 'vitest'
import type { NetworkStatus, PeerEntry } from '../../src-main/core/network/view'
import { runDv2g, startServe, type ServeProcess } from '../support/cli'
import { dv2g, dv2gJson, useNodes, waitFor } from '../support/nodes'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const startNode = useNodes()
const passphrase = { DV2G_PASSPHRASE: 'serve-network-passphrase' }

const statusOf = (dataDir: string) => dv2gJson<NetworkStatus>(['--data-dir', dataDir, 'network', 'status'])

describe('dv2g serve with the network on', () => {
  it('refuses a --milestone-seconds out of range, before anything starts', () => {
    // without a network option it is the interval of the console's own milestones (core/network/localMilestones.ts)
    const { status, stderr } = runDv2g(['--data-dir', tempDir(), 'serve', '--port', '0', '--milestone-seconds', '0'])
    expect(status).toBe(2)
    expect(stderr).toContain('--milestone-seconds must be between 0.1 and 86400, got 0')
  })

  it("runs the operator's node: milestones it issues reach a joined dv2g node with the same state hash", async () => {
    const operatorDir = tempDir()
    const created = await dv2g(
      ['--data-dir', operatorDir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator', '--json'],
      passphrase
    )
    expect(created.status, created.stderr).toBe(0)
    let server: ServeProcess | undefined
    try {
      server = await startServe(operatorDir, ['--listen', '/ip4/127.0.0.1/tcp/0', '--milestone-seconds', '0.5'], passphrase)
      // the genesis waits for a milestone: the first tick issues milestone 1
      const served = await waitFor(
        () => statusOf(operatorDir),
        (s) => s.latestMilestone === 1,
        30_000,
        'the served node to issue milestone 1'
      )
      expect(served.listen[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//)
      expect(served.networkId).toMatch(/^[0-9a-f]{64}$/)

      const joiner = await startNode(tempDir(), ['--peer', served.listen[0]!])
      const joined = await waitFor(
        () => statusOf(joiner.dataDir),
        (s) => s.latestMilestone === 1,
        60_000,
        'the joined node to apply milestone 1'
      )
      expect([joined.networkId, joined.stateHash]).toEqual([served.networkId, served.stateHash])
      const peers = await dv2gJson<PeerEntry[]>(['--data-dir', operatorDir, 'peers'])
      expect(peers.map((p) => [p.id, p.connected])).toEqual([[joiner.peerId, true]])
    } finally {
      await server?.stop()
    }
  }, 180_000)
})
