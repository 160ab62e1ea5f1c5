// Sync between real `dv2g node` processes on 127.0.0.1: a node killed with SIGKILL while it syncs
// 20,000 transactions resumes from its last committed batch, reaches the same state hash, and its
// tangle verifies; a peer that claims far more than it serves does not hold a lagging node back.
// (Nodes stopped while issuing went on, then restarted, are in milestones.test.ts.)
import { describe, expect, it } from 'vitest'
import type { NetworkStatus } from '../../src-main/core/network/view'
import { createTreasuryDataDir, dv2g, dv2gJson, readNodeDatabase, useNodes, waitFor, type NodeProcess } from '../support/nodes'
import { StallingPeer } from '../support/stallingPeer'
import { useTempDirs } from '../support/tempDir'
import { until } from '../support/until'

const tempDir = useTempDirs()
const startNode = useNodes()
const PASSPHRASE = 'sync-test-passphrase'
const dataDirWithTreasury = () => createTreasuryDataDir(tempDir(), PASSPHRASE)

async function spam(dataDir: string, count: number): Promise<void> {
  const result = await dv2g(['--data-dir', dataDir, 'tangle', 'spam', '--count', String(count), '--json'], {}, 120_000)
  expect(result.status, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toMatchObject({ issued: count, accepted: count })
}

const statusOf = (node: NodeProcess) => dv2gJson<NetworkStatus>(['--data-dir', node.dataDir, 'network', 'status'])

/** The ids a data dir holds, sorted, read from its database beside the node: WAL lets a reader in. */
function storedIds(dataDir: string): string[] {
  return readNodeDatabase(dataDir, (db) => db.prepare('SELECT hex(id) FROM transactions ORDER BY id').pluck().all() as string[])
}

/** "synced from <peer>: <new> new of <received> received in <ms> ms", as the node logs the end of a sync. */
function syncsIn(log: string): { peer: string; stored: number; received: number; ms: number }[] {
  return [...log.matchAll(/synced from (\S+): (\d+) new of (\d+) received in (\d+) ms/g)].map((m) => ({
    peer: m[1]!,
    stored: Number(m[2]),
    received: Number(m[3]),
    ms: Number(m[4])
  }))
}

/** The latest applied milestone of a data dir (index and state hash), or null before the first. */
function latestMilestone(dataDir: string): { idx: number; stateHash: string } | null {
  return readNodeDatabase(
    dataDir,
    (db) =>
      (db.prepare('SELECT idx, lower(hex(state_hash)) AS stateHash FROM milestones ORDER BY idx DESC LIMIT 1').get() as
        { idx: number; stateHash: string } | undefined) ?? null
  )
}

const COUNT = 20_000
// the operator's node issues a milestone every second while there is something new to approve
const issuing = ['--milestone-seconds', '1']

describe('dv2g node sync', () => {
  it('a node killed with SIGKILL mid-sync of 20,000 transactions resumes from its saved cursor, and its tangle verifies', async () => {
    const holderDir = await dataDirWithTreasury()
    await spam(holderDir, COUNT)
    const holder = await startNode(holderDir, issuing, { DV2G_PASSPHRASE: PASSPHRASE })
    // one milestone approves them all: the joiner applies it when the sync reaches it
    await waitFor(
      async () => latestMilestone(holderDir),
      (m) => m !== null,
      60_000,
      "the operator's first milestone"
    )
    const total = storedIds(holderDir).length
    expect(total).toBeGreaterThan(COUNT + 1)

    const joinerDir = tempDir()
    const doomed = await startNode(joinerDir, ['--peer', holder.listen[0]!])
    // killed in the middle of its sync: a few batches committed, most still to come
    const atKill = await waitFor(
      async () => storedIds(joinerDir).length,
      (n) => n > 2_000,
      120_000,
      'a few synced batches to be committed'
    )
    doomed.kill()
    await new Promise<void>((resolve) =>
      doomed.child.exitCode !== null || doomed.child.signalCode !== null ? resolve() : doomed.child.once('exit', () => resolve())
    )
    const survived = storedIds(joinerDir).length
    expect(survived).toBeGreaterThanOrEqual(atKill)

    const resumed = await startNode(joinerDir, ['--peer', holder.listen[0]!])
    const started = Date.now()
    await waitFor(
      async () => storedIds(joinerDir).length,
      (n) => n === total,
      180_000,
      'the restarted node to hold all transactions'
    )
    const seconds = (Date.now() - started) / 1000
    expect(storedIds(joinerDir)).toEqual(storedIds(holderDir))
    const syncs = await waitFor(
      async () => syncsIn(resumed.log()),
      (s) => s.length > 0,
      10_000,
      'the restarted node to log its sync'
    )
    // what survived the kill is not asked for again (a batch stored without its cursor would be)
    expect(syncs[0]!.peer).toBe(holder.peerId)
    expect(syncs[0]!.received).toBe(total - survived)
    expect(syncs[0]!.stored).toBe(total - survived)
    expect(latestMilestone(joinerDir)).toEqual(latestMilestone(holderDir))
    expect(await statusOf(resumed)).toMatchObject({ transactions: total, syncing: false, stateHash: latestMilestone(holderDir)!.stateHash })

    await resumed.stop()
    const verify = await dv2g(['--data-dir', joinerDir, 'tangle', 'verify', '--json'])
    expect(verify.status, verify.stderr).toBe(0)
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, transactions: total, problems: [] })
    const rate = syncs[0]!.received / (syncs[0]!.ms / 1000)
    console.log(
      `sync: ${survived - 1} transactions before the kill, ${syncs[0]!.received} after it in ${syncs[0]!.ms} ms (${Math.round(rate)} tx/s between processes; ${seconds.toFixed(1)} s from restart to level)`
    )
  }, 420_000)

  it('a lagging node with an honest peer and one that claims a huge count and stalls sync is level with the honest peer within 60 s, the staller still connected', async () => {
    const honestDir = await dataDirWithTreasury()
    const laggingDir = tempDir()
    // the lagging node joins the network, then misses what the honest node issues while both are down
    const first = await startNode(honestDir)
    const honestAddress = first.listen[0]!
    const joined = await startNode(laggingDir, ['--peer', honestAddress])
    await waitFor(
      async () => joined.log(),
      (log) => log.includes(`joined network ${first.networkId}`),
      60_000,
      'the lagging node to join the network'
    )
    await Promise.all([joined.stop(), first.stop()])
    await spam(honestDir, 3_000)
    const held = storedIds(honestDir).length
    const staller = await StallingPeer.start(first.networkId!)
    try {
      // both are the lagging node's peers; the staller is there first, with the largest claim it ever hears
      const lagging = await startNode(laggingDir, ['--peer', staller.address, '--peer', honestAddress])
      await until(() => staller.stalled >= 1, 30_000, 'the lagging node to ask the staller to sync')
      // the honest node comes back where the lagging node keeps dialling it
      const honest = await startNode(honestDir, ['--listen', honestAddress.split('/p2p/')[0]!])
      const started = Date.now()
      await waitFor(
        async () => storedIds(laggingDir).length,
        (n) => n === held,
        60_000,
        'the lagging node to hold what the honest peer holds'
      )
      const levelAfterMs = Date.now() - started
      expect(storedIds(laggingDir)).toEqual(storedIds(honestDir))
      await waitFor(
        async () => lagging.log(),
        (log) => log.includes(`synced from ${honest.peerId}`),
        10_000,
        'the lagging node to log its sync from the honest peer'
      )
      expect(lagging.log()).toMatch(new RegExp(`sync from ${staller.peerId} passed over for 30 s: no answer to a sync request within 15 s`))
      // a peer that stalls is passed over, not banned
      expect(staller.connectedTo(lagging.peerId)).toBe(true)
      console.log(
        `sync: level with the honest peer ${levelAfterMs} ms after it connected, beside a staller (${staller.stalled} sync requests stalled)`
      )
    } finally {
      await staller.stop()
    }
  }, 180_000)
})
