// Two or three nodes in this process over TCP on 127.0.0.1, each on a real SQLite data dir.
import { generateKeyPairSync } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { open, type App } from '../../../src-main/core/app'
import { addressOf } from '../../../src-main/core/ledger/address'
import { toHex } from '../../../src-main/core/ledger/hash'
import { publicKeyBytes } from '../../../src-main/core/ledger/signing'
import { TxKind } from '../../../src-main/core/ledger/transaction'
import { topicOf } from '../../../src-main/core/network/gossip/gossip'
import { createNode, type NetworkLibp2p } from '../../../src-main/core/network/libp2pConfig'
import { PeerGate } from '../../../src-main/core/network/peers/peerGate'
import { NetworkNode } from '../../../src-main/core/network/networkNode'
import { useTempDirs } from '../../support/tempDir'
import { until } from '../../support/until'

const tempDir = useTempDirs()
const apps: App[] = []
const nodes: NetworkNode[] = []
const rogues: NetworkLibp2p[] = []

afterEach(async () => {
  await Promise.all([...nodes.splice(0).map((node) => node.stop()), ...rogues.splice(0).map((rogue) => rogue.stop())])
  for (const app of apps.splice(0)) app.close()
})

const treasury = generateKeyPairSync('ed25519').privateKey

function dataDir(withGenesis: boolean): App {
  const app = open(tempDir())
  apps.push(app)
  if (withGenesis) app.ledger().ledger.createGenesis(treasury, [{ address: addressOf(publicKeyBytes(treasury)), amount: 1_000_000n }])
  return app
}

function attachData(app: App, count: number): void {
  const payloads = Array.from({ length: count }, (_, i) => ({
    kind: TxKind.Data as const,
    topic: 'test',
    body: new TextEncoder().encode(String(i))
  }))
  app.ledger().ledger.attachMany(treasury, payloads)
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

const ids = (app: App) => {
  const { graph } = app.ledger().ledger
  return Array.from({ length: graph.size }, (_, i) => toHex(graph.idAt(i))).sort()
}

describe('NetworkNode', () => {
  it("an empty node takes its peer's genesis, then fetches the missing parents of a gossiped transaction", async () => {
    const issuer = dataDir(true)
    attachData(issuer, 20)
    const a = await startNode(issuer)
    const joiner = dataDir(false)
    const b = await startNode(joiner, [a.listenAddresses[0]!])
    await until(() => b.networkId === a.networkId && a.gossipPeers().includes(b.peerId), 20_000, 'the empty node to join and subscribe')
    expect(joiner.ledger().ledger.graph.size).toBe(1)
    // the taken genesis brings the proof of work tangle verify checks against
    const powBits = (db: typeof issuer.db) => db.prepare("SELECT value FROM ledger_meta WHERE key = 'pow_bits'").pluck().get()
    expect(powBits(joiner.db)).toBe(powBits(issuer.db))

    attachData(issuer, 1)
    // the new transaction arrives by gossip; its 20 ancestors only by /dv2g/tx/1.0.0
    await until(() => joiner.ledger().ledger.graph.size === 22, 20_000, 'the joined node to hold all 22 transactions')
    expect(ids(joiner)).toEqual(ids(issuer))
    await until(() => !b.status().syncing, 10_000, 'the joined node to finish fetching')
    expect(b.status()).toMatchObject({
      networkId: a.networkId,
      peers: 1,
      transactions: 22,
      syncing: false,
      latestMilestone: null,
      stateHash: null
    })
  }, 60_000)

  it("rejects an invalid gossiped transaction, stores nothing of it and lowers its sender's score below zero", async () => {
    const issuer = dataDir(true)
    const a = await startNode(issuer)
    const rogue = await createNode({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peers: [],
      mdns: false,
      gate: new PeerGate()
    })
    rogues.push(rogue)
    await rogue.start()
    const topic = topicOf(a.networkId!)
    rogue.services.pubsub.subscribe(topic)
    await rogue.dial(multiaddr(a.listenAddresses[0]!))
    await until(
      () => rogue.services.pubsub.getSubscribers(topic).some((p) => p.toString() === a.peerId),
      20_000,
      'the rogue to see the node subscribed'
    )

    // a transaction whose signature was tampered with: still decodes, fails the checks
    const genesis = issuer.db.prepare('SELECT bytes FROM transaction_bodies').pluck().get() as Buffer
    const tampered = new Uint8Array(genesis)
    tampered[tampered.length - 20]! ^= 0xff
    await rogue.services.pubsub.publish(topic, tampered)
    await rogue.services.pubsub.publish(topic, new Uint8Array(300).fill(7))

    const rogueId = rogue.peerId.toString()
    await until(() => (a.peers().find((p) => p.id === rogueId)?.score ?? 0) < 0, 20_000, "the rogue's score to fall below zero")
    expect(issuer.ledger().ledger.graph.size).toBe(1)
  }, 60_000)
})
