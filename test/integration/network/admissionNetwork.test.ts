// The admission rule between two nodes in this process, over TCP on 127.0.0.1: a node takes a
// stranger's transactions from a peer it did not name only at the rule's pace, and still applies a
// milestone whose cone holds the ones it left out.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { open, type App } from '../../../src-main/core/app'
import { addressOf } from '../../../src-main/core/ledger/address'
import { toHex } from '../../../src-main/core/ledger/hash'
import { publicKeyBytes } from '../../../src-main/core/ledger/signing'
import { TxKind } from '../../../src-main/core/ledger/transaction'
import { NetworkNode } from '../../../src-main/core/network/networkNode'
import { useTempDirs } from '../../support/tempDir'
import { until } from '../../support/until'

const tempDir = useTempDirs()
const apps: App[] = []
const nodes: NetworkNode[] = []

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.stop()))
  for (const app of apps.splice(0)) app.close()
})

const operatorKey = generateKeyPairSync('ed25519').privateKey
const STRANGER_TRANSACTIONS = 400

function dataDir(): App {
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

describe('the admission rule between nodes', () => {
  it("leaves out most of a stranger's burst from a peer it did not name, and still applies the milestone that approves it all", async () => {
    const operator = dataDir()
    const operatorKeyBytes = publicKeyBytes(operatorKey)
    operator.ledger().ledger.createGenesis(operatorKey, [{ address: addressOf(operatorKeyBytes), amount: 1_000_000n }], [operatorKeyBytes])
    const victim = dataDir()
    const v = await startNode(victim)
    // the operator's node names the victim; the victim names nobody, so the operator's node is a peer like any other to it
    const o = await startNode(operator, [v.listenAddresses[0]!])
    await until(
      () => v.networkId === o.networkId && o.gossipPeers().includes(v.peerId) && v.gossipPeers().includes(o.peerId),
      20_000,
      'the victim to join and both to subscribe'
    )

    const stranger = generateKeyPairSync('ed25519').privateKey
    const payloads = Array.from({ length: STRANGER_TRANSACTIONS }, (_, i) => ({
      kind: TxKind.Data as const,
      topic: 'stranger',
      body: new TextEncoder().encode(String(i))
    }))
    operator.ledger().ledger.attachMany(stranger, payloads)
    const held = (app: App) => app.ledger().ledger.graph.size
    // gossip brings the victim what the rule lets in: a stranger's share, not the burst
    await until(() => v.strangersLeftOut() >= STRANGER_TRANSACTIONS / 2, 20_000, 'the victim to leave out most of the burst')
    expect(held(victim)).toBeLessThan(held(operator) / 2)

    // a milestone approves every transaction the operator's node holds, the stranger's included
    const leftOut = v.strangersLeftOut()
    expect(operator.ledger().ledger.issueMilestone(operatorKey, { referenceAllTips: true }).status).toBe('accepted')
    const issuedAt = Date.now()
    const latest = (app: App) => app.ledger().ledger.latestMilestone()
    await until(() => latest(victim)?.index === latest(operator)!.index, 60_000, 'the victim to apply the milestone')
    console.log(
      `admission: the victim left out ${leftOut} of ${STRANGER_TRANSACTIONS} by gossip; it applied the milestone over all of them ${Date.now() - issuedAt} ms after it was issued`
    )
    expect(toHex(latest(victim)!.stateHash)).toBe(toHex(latest(operator)!.stateHash))
    expect(held(victim)).toBe(held(operator))
  }, 90_000)
})
