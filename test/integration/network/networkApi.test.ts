// network.status and network.peers over the contract: what the console's Network view reads.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { MethodOutput } from '../../../src-shared/contract'
import { createDispatcher } from '../../../src-main/core/api'
import { open, type App } from '../../../src-main/core/app'
import { addressOf } from '../../../src-main/core/ledger/address'
import { publicKeyBytes } from '../../../src-main/core/ledger/signing'
import { NetworkNode } from '../../../src-main/core/network/networkNode'
import { pinnedNetwork } from '../../../src-main/core/network/switch'
import { useTempDirs } from '../../support/tempDir'
import { until } from '../../support/until'

const tempDir = useTempDirs()
const apps: App[] = []
const nodes: NetworkNode[] = []

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.stop()))
  for (const app of apps.splice(0)) app.close()
})

function openApp(): App {
  const app = open(tempDir())
  apps.push(app)
  return app
}

async function startNode(app: App, peers: string[] = []): Promise<NetworkNode> {
  const node = await NetworkNode.start({
    dataDir: app.dataDir,
    ledger: app.ledger().ledger,
    db: app.db,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    peers,
    mdns: false,
    log: () => {}
  })
  nodes.push(node)
  return node
}

describe('network over the contract', () => {
  it('says no node runs, and lists no peers, when the process runs none', async () => {
    const call = createDispatcher(openApp())
    expect(await call('network.status', {})).toEqual({ running: false })
    expect(await call('network.peers', {})).toEqual([])
  })

  it("gives the running node's status and its peers, and nothing once it stops running there", async () => {
    const treasury = generateKeyPairSync('ed25519').privateKey
    const first = openApp()
    first.ledger().ledger.createGenesis(treasury, [{ address: addressOf(publicKeyBytes(treasury)), amount: 1_000n }])
    const a = await startNode(first)
    const b = await startNode(openApp(), [a.listenAddresses[0]!])
    first.running.network = pinnedNetwork(a, { enabled: true, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [], mdns: false })
    const call = createDispatcher(first)

    await until(() => a.status().peers === 1, 20_000, 'the second node to join the first')
    const status = (await call('network.status', {})) as MethodOutput<'network.status'>
    expect(status).toMatchObject({
      running: true,
      peerId: a.peerId,
      networkId: a.networkId,
      peers: 1,
      transactions: 1,
      latestMilestone: null,
      stateHash: null
    })
    expect(status.running && status.listen).toEqual(a.status().listen)
    const peers = (await call('network.peers', {})) as MethodOutput<'network.peers'>
    expect(peers.map((p) => [p.id, p.connected])).toEqual([[b.peerId, true]])

    first.running.network = undefined
    expect(await call('network.status', {})).toEqual({ running: false })
  }, 60_000)
})
