// mDNS, for a LAN microgrid with no bootstrap peer: two nodes started with --mdns and no --peer
// find each other, and the one with an empty tangle joins the other's network.
import { generateKeyPairSync } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import { afterEach, describe, expect } from 'vitest'
import { open, type App } from '../../../src-main/core/app'
import { addressOf } from '../../../src-main/core/ledger/address'
import { publicKeyBytes } from '../../../src-main/core/ledger/signing'
import { NetworkNode } from '../../../src-main/core/network/networkNode'
import { itUnless } from '../../support/itUnless'
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

async function startWithMdns(app: App): Promise<NetworkNode> {
  const node = await NetworkNode.start({
    dataDir: app.dataDir,
    ledger: app.ledger().ledger,
    db: app.db,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    peers: [],
    mdns: true,
    log: () => {}
  })
  nodes.push(node)
  return node
}

/** Multicast DNS needs an interface other than loopback (loopback carries no multicast). */
const hasLan = Object.values(networkInterfaces()).some((addresses) => addresses?.some((a) => a.family === 'IPv4' && !a.internal))
const noLan = !hasLan && 'this machine has no IPv4 interface but loopback, which carries no multicast: mDNS needs a LAN'

describe('mDNS', () => {
  itUnless(noLan)(
    'lets a node with no peer given find one on the local network and join its network',
    async () => {
      const operatorApp = openApp()
      const treasury = generateKeyPairSync('ed25519').privateKey
      operatorApp.ledger().ledger.createGenesis(treasury, [{ address: addressOf(publicKeyBytes(treasury)), amount: 1_000n }])
      const operator = await startWithMdns(operatorApp)
      const newcomer = await startWithMdns(openApp())

      await until(() => newcomer.networkId !== null, 30_000, "the newcomer to join the operator's network through mDNS")
      expect(newcomer.networkId).toBe(operator.networkId)
      await until(() => operator.status().peers >= 1, 30_000, 'the operator to count the newcomer')
      expect(operator.peers().map((peer) => peer.id)).toContain(newcomer.peerId)
    },
    90_000
  )
})
