// Sync over /dv2g/sync/1.0.0 between two nodes in this process, each on a real SQLite data dir.
import { generateKeyPairSync } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { afterEach, describe, expect, it } from 'vitest'
import { open, type App } from '../../../src-main/core/app'
import { addressOf } from '../../../src-main/core/ledger/address'
import { toHex } from '../../../src-main/core/ledger/hash'
import { publicKeyBytes } from '../../../src-main/core/ledger/signing'
import { TxKind } from '../../../src-main/core/ledger/transaction'
import { NetworkNode } from '../../../src-main/core/network/networkNode'
import { createNode, type NetworkLibp2p } from '../../../src-main/core/network/libp2pConfig'
import { PeerGate } from '../../../src-main/core/network/peers/peerGate'
import { MAX_SYNC_BATCH, requestSyncBatch, SYNC_PROTOCOL } from '../../../src-main/core/network/reqresp/syncBatches'
import { useTempDirs } from '../../support/tempDir'
import { until } from '../../support/until'

const tempDir = useTempDirs()
const apps: App[] = []
const nodes: NetworkNode[] = []
const bare: NetworkLibp2p[] = []

afterEach(async () => {
  await Promise.all([...nodes.splice(0).map((node) => node.stop()), ...bare.splice(0).map((node) => node.stop())])
  for (const app of apps.splice(0)) app.close()
})

const treasury = generateKeyPairSync('ed25519').privateKey

function dataDir(withGenesis: boolean, dir = tempDir(), options: Parameters<typeof open>[1] = {}): App {
  const app = open(dir, options)
  apps.push(app)
  if (withGenesis) app.ledger().ledger.createGenesis(treasury, [{ address: addressOf(publicKeyBytes(treasury)), amount: 1_000_000n }])
  return app
}

function attachData(app: App, count: number): void {
  // in commits of a few hundred, as a running node would store them
  for (let done = 0; done < count; done += 250) {
    const payloads = Array.from({ length: Math.min(250, count - done) }, (_, i) => ({
      kind: TxKind.Data as const,
      topic: 'sync',
      body: new TextEncoder().encode(String(done + i))
    }))
    app.ledger().ledger.attachMany(treasury, payloads)
  }
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

const ids = (app: App) => {
  const { graph } = app.ledger().ledger
  return Array.from({ length: graph.size }, (_, i) => toHex(graph.idAt(i))).sort()
}

const lastSeq = (app: App) => app.db.prepare('SELECT max(seq) FROM transactions').pluck().get() as number

async function bareNode(): Promise<NetworkLibp2p> {
  const node = await createNode({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    peers: [],
    mdns: false,
    gate: new PeerGate()
  })
  bare.push(node)
  await node.start()
  return node
}

/** A sync record: seq (u64), length (u32) and a body of that length unless `body` is shorter (a truncated one). */
function record(seq: number, length = 1, body = new Uint8Array(length)): Uint8Array {
  const frame = new Uint8Array(12 + body.length)
  new DataView(frame.buffer).setBigUint64(0, BigInt(seq))
  new DataView(frame.buffer).setUint32(8, length)
  frame.set(body, 12)
  return frame
}

/** A peer answering every sync request with these frames after announcing `count` transactions. */
async function rogueSending(frames: Uint8Array[], count: number): Promise<NetworkLibp2p> {
  const rogue = await bareNode()
  await rogue.handle(SYNC_PROTOCOL, async (stream) => {
    const lp = lpStream(stream)
    await lp.read()
    const header = new Uint8Array(4)
    new DataView(header.buffer).setUint32(0, count)
    await lp.writeV([header, ...frames])
    await stream.close()
  })
  return rogue
}

/** A peer answering every sync request with these seqs (a one-byte body each, a frame each), announcing `count` of them. */
const rogueAnswering = (seqs: number[], count = seqs.length) =>
  rogueSending(
    seqs.map((seq) => record(seq)),
    count
  )

async function refusal(rogue: Promise<NetworkLibp2p>, asker: NetworkLibp2p): Promise<string> {
  const peer = await rogue
  await asker.dial(peer.getMultiaddrs()[0]!)
  return requestSyncBatch(asker, peer.peerId, 0, 10).then(
    () => 'accepted',
    (error: Error) => error.message
  )
}

describe('sync', () => {
  it('refuses an answer whose cursor goes backwards or that announces more than was asked for, and asks for no more than a batch', async () => {
    const asker = await bareNode()
    const backwards = await rogueAnswering([5, 3])
    await asker.dial(backwards.getMultiaddrs()[0]!)
    await expect(requestSyncBatch(asker, backwards.peerId, 0, 10)).rejects.toThrow('the peer sent seq 3 after 5')

    const flooding = await rogueAnswering([1, 2, 3], 11)
    await asker.dial(flooding.getMultiaddrs()[0]!)
    await expect(requestSyncBatch(asker, flooding.peerId, 0, 10)).rejects.toThrow('the peer announced 11 transactions, 10 were asked for')
    await expect(requestSyncBatch(asker, flooding.peerId, 0, MAX_SYNC_BATCH + 1)).rejects.toThrow(
      `1 to ${MAX_SYNC_BATCH} transactions per sync request`
    )
  }, 60_000)

  it('refuses an answer whose records break their frame or outnumber what it announced', async () => {
    const asker = await bareNode()
    const packed = (...records: Uint8Array[]) => Uint8Array.from(records.flatMap((r) => [...r]))
    expect(await refusal(rogueSending([packed(record(1), record(2), record(3))], 2), asker)).toBe(
      'the peer sent more than the 2 transactions it announced'
    )
    expect(await refusal(rogueSending([record(1, 40, new Uint8Array(10))], 1), asker)).toBe('a sync frame ends inside a transaction')
    expect(await refusal(rogueSending([record(1).subarray(0, 7)], 1), asker)).toBe('a sync frame ends inside a record header')
    expect(await refusal(rogueSending([record(1, 0)], 1), asker)).toMatch(/^a sync record of 0 bytes/)
    // records packed several to a frame, as an honest peer sends them, are read in order
    expect(await refusal(rogueSending([packed(record(1), record(2)), record(4)], 3), asker)).toBe('accepted')
  }, 60_000)

  it('brings a joining node level with a peer holding 2,000 transactions, in batches, and says it is syncing meanwhile', async () => {
    const holder = dataDir(true)
    attachData(holder, 2_000)
    const a = await startNode(holder)
    const joiner = dataDir(false)
    const lines: string[] = []
    const started = Date.now()
    const b = await startNode(joiner, [a.listenAddresses[0]!], lines)
    await until(() => b.status().syncing, 30_000, 'the joining node to say it is syncing')
    await until(() => b.syncProgress() !== null, 30_000, 'the sync to begin')
    expect(b.syncProgress()).toMatchObject({ peer: a.peerId, target: 2_001 })
    await until(() => joiner.ledger().ledger.graph.size === 2_001, 60_000, 'the joining node to hold all 2,001 transactions')
    const seconds = (Date.now() - started) / 1000
    await until(() => !b.status().syncing, 10_000, 'the sync to end')
    expect(b.syncProgress()).toBeNull()

    expect(ids(joiner)).toEqual(ids(holder))
    expect(b.status()).toMatchObject({ transactions: 2_001, syncing: false })
    // nothing came by the parent fetches: one sync of every transaction after the genesis
    expect(lines.filter((line) => line.includes('synced from'))).toEqual([
      expect.stringContaining(`synced from ${a.peerId}: 2000 new of 2001 received`)
    ])
    // the cursor sits at the peer's last seq, stored in the data dir
    expect(joiner.db.prepare('SELECT value FROM ledger_meta WHERE key = ?').pluck().get(`sync_cursor:${a.peerId}`)).toBe(lastSeq(holder))
    console.log(
      `sync: 2,000 transactions joined in ${seconds.toFixed(1)} s (${Math.round(2_000 / seconds)} tx/s, handshake and genesis included)`
    )
  }, 120_000)

  it('joins a network whose genesis and history are older than the clock skew gossip allows', async () => {
    // the holder's clock an hour back: everything it issued is an hour old to the joiner
    const holder = dataDir(true, tempDir(), { ledger: { now: () => Date.now() - 3_600_000 } })
    attachData(holder, 50)
    const a = await startNode(holder)
    const joiner = dataDir(false)
    const b = await startNode(joiner, [a.listenAddresses[0]!])
    await until(
      () => joiner.ledger().ledger.graph.size === 51,
      30_000,
      'the joining node to take the hour-old genesis and its 50 transactions'
    )
    expect(ids(joiner)).toEqual(ids(holder))
    await until(() => !b.status().syncing, 10_000, 'the sync to end')
  }, 60_000)

  it('a restarted node asks only for what was stored after its saved cursor', async () => {
    const holder = dataDir(true)
    attachData(holder, 600)
    const a = await startNode(holder)
    const joinerDir = tempDir()
    const joiner = dataDir(false, joinerDir)
    const first: string[] = []
    const b = await startNode(joiner, [a.listenAddresses[0]!], first)
    await until(() => joiner.ledger().ledger.graph.size === 601, 60_000, 'the first sync of 601 transactions')
    await until(() => !b.status().syncing, 10_000, 'the first sync to end')
    await b.stop()
    nodes.splice(nodes.indexOf(b), 1)

    // issued while the joiner is down: no gossip reaches it
    attachData(holder, 700)
    const again: string[] = []
    const restarted = await startNode(joiner, [a.listenAddresses[0]!], again)
    await until(() => joiner.ledger().ledger.graph.size === 1_301, 60_000, 'the restarted node to hold all 1,301 transactions')
    await until(() => !restarted.status().syncing, 10_000, 'the second sync to end')
    expect(ids(joiner)).toEqual(ids(holder))
    expect(again.filter((line) => line.includes('synced from'))).toEqual([
      expect.stringContaining(`synced from ${a.peerId}: 700 new of 700 received`)
    ])
  }, 120_000)
})
