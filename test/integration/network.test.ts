// Real `dv2g node` processes on 127.0.0.1, each with its own data dir: the first holds the genesis
// (the operator's treasury); the others start empty and join its network by taking its genesis
// from it at the first handshake. Transactions spammed on the first reach all of them.
import { describe, expect, it } from 'vitest'
import type { NetworkStatus, PeerEntry } from '../../src-main/core/network/view'
import { createTreasuryDataDir, dv2g, dv2gJson, readNodeDatabase, useNodes, waitFor, type NodeProcess } from '../support/nodes'
import { MAX_CONNECTIONS } from '../../src-main/core/network/libp2pConfig'
import { ConnectionFlood } from '../support/connectionFlood'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const startNode = useNodes()
const dataDirWithTreasury = () => createTreasuryDataDir(tempDir(), 'network-test-passphrase')

const statusOf = (node: NodeProcess) => dv2gJson<NetworkStatus>(['--data-dir', node.dataDir, 'network', 'status'])
const peersOf = (node: NodeProcess) => dv2gJson<PeerEntry[]>(['--data-dir', node.dataDir, 'peers'])

/** What a node has stored (id -> when it arrived, ms), read from its database beside it: WAL lets a reader in. */
function stored(node: NodeProcess): Map<string, number> {
  return new Map(
    readNodeDatabase(
      node.dataDir,
      (db) => db.prepare('SELECT hex(id), received_ms FROM transactions ORDER BY id').raw().all() as [string, number][]
    )
  )
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

describe('dv2g node', () => {
  it("joins empty nodes to the first node's network and brings 30 spammed transactions to all three", async () => {
    const first = await startNode(await dataDirWithTreasury())
    expect(first.networkId).toMatch(/^[0-9a-f]{64}$/)
    const [second, third] = await Promise.all([
      startNode(tempDir(), ['--peer', first.listen[0]!]),
      startNode(tempDir(), ['--peer', first.listen[0]!])
    ])
    expect(second.networkId).toBeNull()

    // each CLI question costs a process start: the joins are read from the nodes' logs
    for (const node of [second, third]) {
      await waitFor(
        async () => node.log(),
        (log) => log.includes(`joined network ${first.networkId} (genesis from ${first.peerId})`),
        30_000,
        `${node.peerId} to join the network`
      )
    }
    await waitFor(
      () => statusOf(first),
      (s) => s.peers === 2,
      30_000,
      'the first node to count both peers'
    )

    const spam = await dv2g(['--data-dir', first.dataDir, 'tangle', 'spam', '--count', '30', '--json'])
    expect(spam.status, spam.stderr).toBe(0)
    expect(JSON.parse(spam.stdout)).toMatchObject({ issued: 30, accepted: 30 })
    expect(spam.stderr).toMatch(/dv2g node \(PID \d+\) holds this data dir; tangle spam runs through it/)

    const nodes = [first, second, third]
    const held = await Promise.all(
      nodes.map((node) =>
        waitFor(
          async () => stored(node),
          (ids) => ids.size === 31,
          60_000,
          `${node.peerId} to store 31 transactions`
        )
      )
    )
    const ids = [...held[0]!.keys()]
    expect([...held[1]!.keys()]).toEqual(ids)
    expect([...held[2]!.keys()]).toEqual(ids)
    const statuses = await Promise.all(nodes.map(statusOf))
    expect(statuses.map((s) => [s.networkId, s.transactions, s.syncing])).toEqual(nodes.map(() => [first.networkId, 31, false]))
    // propagation: when a transaction was stored on a joined node against when it was stored where it was issued (one clock)
    const delays = [held[1]!, held[2]!]
      .flatMap((there) => ids.filter((id) => id !== first.networkId!.toUpperCase()).map((id) => there.get(id)! - held[0]!.get(id)!))
      .sort((a, b) => a - b)

    const peers = await peersOf(first)
    expect(peers.map((p) => p.id).sort()).toEqual([second.peerId, third.peerId].sort())
    for (const peer of peers) expect(peer).toMatchObject({ connected: true, score: expect.any(Number) })
    console.log(
      `network: 30 transactions issued on one node stored on the other two after p50 ${percentile(delays, 0.5)} ms, max ${delays.at(-1)} ms; RSS per node ${nodes.map((n) => n.rssMB().toFixed(0)).join(', ')} MB`
    )
  }, 180_000)

  it('refuses a node of another genesis at the handshake, and it joins nothing', async () => {
    const first = await startNode(await dataDirWithTreasury())
    const other = await startNode(await dataDirWithTreasury(), ['--peer', first.listen[0]!])
    expect(other.networkId).not.toEqual(first.networkId)

    const refused = await waitFor(
      () => peersOf(first),
      (peers) => peers.some((p) => p.id === other.peerId && !p.connected),
      30_000,
      'the first node to refuse the other'
    )
    expect(refused.find((p) => p.id === other.peerId)).toMatchObject({ connected: false, addresses: [] })
    expect(first.log()).toContain(`refused peer ${other.peerId}: it is on network ${other.networkId}`)
    await waitFor(
      async () => other.log(),
      (log) => log.includes(`refused peer ${first.peerId}`),
      30_000,
      'the other node to refuse the first'
    )
    await waitFor(
      () => statusOf(other),
      (s) => s.peers === 0,
      30_000,
      'the other node to hold no connection'
    )

    const [firstStatus, otherStatus] = await Promise.all([statusOf(first), statusOf(other)])
    expect(firstStatus).toMatchObject({ networkId: first.networkId, peers: 0, transactions: 1 })
    expect(otherStatus).toMatchObject({ networkId: other.networkId, peers: 0, transactions: 1 })
  }, 120_000)

  it('caps the connections one local process opens at the total any peer gets, and still answers', async () => {
    const node = await startNode(await dataDirWithTreasury())
    const flood = await ConnectionFlood.start()
    try {
      const attempts = MAX_CONNECTIONS + 50
      const accepted = await flood.open(node.listen[0]!, attempts)
      // what was let in beyond the cap is pruned: the count settles at or below it
      const open = await waitFor(
        async () => flood.openTo(node.peerId),
        (n) => n <= MAX_CONNECTIONS,
        30_000,
        `at most ${MAX_CONNECTIONS} connections from one local process`
      )
      expect(accepted).toBeGreaterThan(0)
      expect(await statusOf(node)).toMatchObject({ networkId: node.networkId })
      console.log(`network: one local process dialled ${attempts} times, ${accepted} dials accepted, ${open} connections left open`)
    } finally {
      await flood.stop()
    }
  }, 120_000)

  it('names the bad address, and says when no node runs on the data dir', async () => {
    const dir = tempDir()
    const [noPeerId, notAnAddress, noNode] = await Promise.all([
      dv2g(['--data-dir', dir, 'node', '--peer', '/ip4/127.0.0.1/tcp/4781']),
      dv2g(['--data-dir', dir, 'node', '--listen', 'localhost:4781']),
      dv2g(['--data-dir', dir, 'network', 'status', '--json'])
    ])
    expect(noPeerId.status).toBe(2)
    expect(noPeerId.stderr).toContain("--peer /ip4/127.0.0.1/tcp/4781 needs the peer's id at the end")
    expect(notAnAddress.status).toBe(2)
    expect(notAnAddress.stderr).toContain('--listen "localhost:4781" is not a multiaddr')
    expect(noNode.status).toBe(1)
    expect(JSON.parse(noNode.stdout).error).toMatch(/^no dv2g node runs on .*: start one with dv2g node/)
  }, 60_000)
})
