// Bans, in this process: a node on a real SQLite data dir and a rogue libp2p peer that forges
// signatures, sends frames past the limits or floods requests. Each time the rogue is cut off,
// listed as banned with what it did, and let back in by no reconnect; honest peers stay.
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { MethodOutput } from '../../../src-shared/contract'
import { createDispatcher } from '../../../src-main/core/api'
import { open, type App } from '../../../src-main/core/app'
import { addressOf } from '../../../src-main/core/ledger/address'
import { publicKeyBytes } from '../../../src-main/core/ledger/signing'
import { TxKind } from '../../../src-main/core/ledger/transaction'
import { PEER_LIMITS } from '../../../src-main/core/network/peers/conduct'
import { BAN_MS } from '../../../src-main/core/network/peers/peerGate'
import { NetworkNode } from '../../../src-main/core/network/networkNode'
import { SYNC_PROTOCOL } from '../../../src-main/core/network/reqresp/syncBatches'
import { MAX_IDS_PER_REQUEST, TX_PROTOCOL } from '../../../src-main/core/network/reqresp/txExchange'
import { pinnedNetwork } from '../../../src-main/core/network/switch'
import { RoguePeer } from '../../support/roguePeer'
import { useTempDirs } from '../../support/tempDir'
import { until } from '../../support/until'

const tempDir = useTempDirs()
const apps: App[] = []
const nodes: NetworkNode[] = []
const rogues: RoguePeer[] = []

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

async function startNode(app: App, peers: string[] = [], lines: string[] = []): Promise<NetworkNode> {
  const node = await NetworkNode.start({
    dataDir: app.dataDir,
    ledger: app.ledger().ledger,
    db: app.db,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    peers,
    mdns: false,
    log: (line) => lines.push(line)
  })
  nodes.push(node)
  return node
}

async function rogueConnectedTo(node: NetworkNode): Promise<RoguePeer> {
  const rogue = await RoguePeer.start()
  rogues.push(rogue)
  await rogue.connect(node.listenAddresses[0]!)
  await until(() => node.peers().some((p) => p.id === rogue.peerId && p.connected), 20_000, 'the node to see the rogue connected')
  return rogue
}

/** Waits for the ban, then checks the rogue is cut off, listed with its reason, and kept out. */
async function expectBanned(node: NetworkNode, rogue: RoguePeer, reason: RegExp): Promise<void> {
  await until(() => node.banned().some((b) => b.id === rogue.peerId), 20_000, `the node to ban the rogue for ${reason}`)
  const ban = node.banned().find((b) => b.id === rogue.peerId)!
  expect(ban.reason).toMatch(reason)
  // ten minutes from about now
  expect(Date.parse(ban.until) - Date.now()).toBeGreaterThan(BAN_MS - 60_000)
  expect(Date.parse(ban.until) - Date.now()).toBeLessThanOrEqual(BAN_MS)
  await until(() => !rogue.connectedTo(node.peerId), 20_000, 'the rogue to be disconnected')
  expect(node.peers().find((p) => p.id === rogue.peerId)).toMatchObject({ connected: false, addresses: [] })
  expect(await rogue.reconnect(node.listenAddresses[0]!, node.peerId)).toBe('refused')
  expect(node.peers().find((p) => p.id === rogue.peerId)).toMatchObject({ connected: false })
}

describe('bans', () => {
  it('bans a peer that gossips a transaction with a forged signature, stores nothing of it, keeps the honest peer, and says so over the contract', async () => {
    const issuer = dataDir(true)
    const lines: string[] = []
    const a = await startNode(issuer, [], lines)
    const b = await startNode(dataDir(false), [a.listenAddresses[0]!])
    await until(() => b.networkId === a.networkId && a.gossipPeers().includes(b.peerId), 20_000, 'the honest peer to join')
    const rogue = await rogueConnectedTo(a)
    // before it misbehaves, the rogue is a peer like any other: a second connection is let in
    expect(await rogue.reconnect(a.listenAddresses[0]!, a.peerId)).toBe('admitted')

    const genesis = issuer.db.prepare('SELECT bytes FROM transaction_bodies').pluck().get() as Buffer
    await rogue.gossipForgedSignatures(a.networkId!, a.peerId, new Uint8Array(genesis), issuer.ledger().ledger.options.powBits)
    await expectBanned(a, rogue, /^sent an invalid transaction by gossip \(signature does not verify against the issuer key\)$/)
    expect(issuer.ledger().ledger.graph.size).toBe(1)
    expect(
      lines.some((line) => line.startsWith(`dv2g node: banned peer ${rogue.peerId} for 10 minutes: sent an invalid transaction`))
    ).toBe(true)

    // the honest peer is untouched: still connected, and what is attached still reaches it
    expect(a.peers().find((p) => p.id === b.peerId)).toMatchObject({ connected: true })
    issuer.ledger().ledger.attachMany(treasury, [{ kind: TxKind.Data, topic: 'test', body: new TextEncoder().encode('after the ban') }])
    await until(() => b.status().transactions === 2, 20_000, 'the honest peer to receive the next transaction')

    issuer.running.network = pinnedNetwork(a, { enabled: true, listen: ['/ip4/127.0.0.1/tcp/0'], peers: [], mdns: false })
    const banned = (await createDispatcher(issuer)('network.banned', {})) as MethodOutput<'network.banned'>
    issuer.running.network = undefined
    expect(banned).toEqual([
      {
        id: rogue.peerId,
        reason: expect.stringMatching(/^sent an invalid transaction by gossip/),
        until: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
      }
    ])
  }, 90_000)

  it('bans a peer that sends an oversized frame on /dv2g/tx/1.0.0, and another on /dv2g/sync/1.0.0', async () => {
    const a = await startNode(dataDir(true))
    const onTx = await rogueConnectedTo(a)
    await onTx.sendOversizedFrame(a.peerId, TX_PROTOCOL, 64 * 1024)
    await expectBanned(a, onTx, /^sent a frame over the 8192-byte limit on \/dv2g\/tx\/1\.0\.0$/)

    const onSync = await rogueConnectedTo(a)
    await onSync.sendOversizedFrame(a.peerId, SYNC_PROTOCOL, 64 * 1024)
    await expectBanned(a, onSync, /^sent a frame over the 12-byte limit on \/dv2g\/sync\/1\.0\.0$/)
    expect(
      a
        .banned()
        .map((b) => b.id)
        .sort()
    ).toEqual([onTx.peerId, onSync.peerId].sort())
  }, 90_000)

  it('bans a peer that floods /dv2g/tx/1.0.0 soon after its rate limit', async () => {
    const issuer = dataDir(true)
    const a = await startNode(issuer)
    const rogue = await rogueConnectedTo(a)
    const sent = await rogue.floodTransactionRequests(a.peerId)
    await expectBanned(a, rogue, /^flooded \/dv2g\/tx\/1\.0\.0: past 2048 ids asked for per second, and kept on while refused$/)
    // cut off after the burst and half as much again refused (56 requests here), plus what the refill
    // allowed meanwhile and what was reset at the stream cap: nowhere near the rogue's 20,000
    const requestsInBurstAndDebt = (PEER_LIMITS.tx.burst + PEER_LIMITS.tx.floodAfter) / MAX_IDS_PER_REQUEST
    expect(sent).toBeGreaterThan(requestsInBurstAndDebt)
    expect(sent).toBeLessThan(1_000)
  }, 90_000)
})
