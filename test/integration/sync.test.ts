// Sync between real `dv2g node` processes on 127.0.0.1: a node that was down while transactions
// were issued catches up from a peer by its cursor, then follows gossip; a node killed with
// SIGKILL mid-sync resumes from its last committed batch and its tangle verifies.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { NetworkStatus } from '../../src-main/core/network/view'
import { dv2g, dv2gJson, useNodes, waitFor, type NodeProcess } from '../support/nodes'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const startNode = useNodes()
const passphrase = { DV2G_PASSPHRASE: 'sync-test-passphrase' }

async function dataDirWithTreasury(): Promise<string> {
  const dir = tempDir()
  const created = await dv2g(['--data-dir', dir, 'wallet', 'create', '--name', 'treasury', '--role', 'operator', '--json'], passphrase)
  expect(created.status, created.stderr).toBe(0)
  return dir
}

async function spam(dataDir: string, count: number): Promise<void> {
  const result = await dv2g(['--data-dir', dataDir, 'tangle', 'spam', '--count', String(count), '--json'], {}, 120_000)
  expect(result.status, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toMatchObject({ issued: count, accepted: count })
}

const statusOf = (node: NodeProcess) => dv2gJson<NetworkStatus>(['--data-dir', node.dataDir, 'network', 'status'])

/** The ids a data dir holds, sorted, read from its database beside the node: WAL lets a reader in. */
function storedIds(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'dv2g.sqlite'), { readonly: true })
  try {
    return db.prepare('SELECT hex(id) FROM transactions ORDER BY id').pluck().all() as string[]
  } finally {
    db.close()
  }
}

/** "synced from <peer>: <new> new of <received> received in <ms> ms", as the node logs the end of a sync. */
function syncsIn(log: string): { peer: string; stored: number; received: number; ms: number }[] {
  return [...log.matchAll(/synced from (\S+): (\d+) new of (\d+) received in (\d+) ms/g)].map((m) => ({ peer: m[1]!, stored: Number(m[2]), received: Number(m[3]), ms: Number(m[4]) }))
}

const joined = (node: NodeProcess, networkId: string) =>
  waitFor(async () => node.log(), (log) => log.includes(`joined network ${networkId}`), 30_000, `${node.peerId} to join the network`)

describe('dv2g node sync', () => {
  it('a node stopped while 250 transactions were issued catches up from its peer at restart, then follows gossip', async () => {
    const first = await startNode(await dataDirWithTreasury())
    const [second, third] = await Promise.all([startNode(tempDir(), ['--peer', first.listen[0]!]), startNode(tempDir(), ['--peer', first.listen[0]!])])
    await Promise.all([joined(second, first.networkId!), joined(third, first.networkId!)])
    await third.stop()

    await spam(first.dataDir, 250)
    await waitFor(async () => storedIds(second.dataDir).length, (n) => n === 251, 60_000, 'the running peer to hold 251 transactions')
    expect(storedIds(third.dataDir)).toHaveLength(1)

    const restarted = await startNode(third.dataDir, ['--peer', first.listen[0]!])
    const ids = storedIds(first.dataDir)
    await waitFor(async () => storedIds(restarted.dataDir), (held) => held.length === ids.length, 60_000, 'the restarted node to hold 251 transactions')
    expect(storedIds(restarted.dataDir)).toEqual(ids)
    // by sync, not by fetching parents: the whole history from one peer, in one go
    const syncs = await waitFor(async () => syncsIn(restarted.log()), (s) => s.length > 0, 10_000, 'the restarted node to log its sync')
    expect(syncs[0]).toMatchObject({ stored: 250, received: 251 })

    // caught up, it follows gossip
    await spam(first.dataDir, 5)
    const all = storedIds(first.dataDir)
    await waitFor(async () => storedIds(restarted.dataDir), (held) => held.length === all.length, 60_000, 'the restarted node to store 5 gossiped transactions')
    expect(storedIds(restarted.dataDir)).toEqual(all)
    expect(storedIds(second.dataDir)).toEqual(all)
    const [a, c] = await Promise.all([statusOf(first), statusOf(restarted)])
    expect(c).toMatchObject({ networkId: first.networkId, transactions: all.length, syncing: false, latestMilestone: a.latestMilestone, stateHash: a.stateHash })
  }, 180_000)

  it('a node killed with SIGKILL mid-sync of 4,000 transactions resumes from its saved cursor, and its tangle verifies', async () => {
    const holderDir = await dataDirWithTreasury()
    await spam(holderDir, 4_000)
    const holder = await startNode(holderDir)
    const total = storedIds(holderDir).length
    expect(total).toBe(4_001)

    const joinerDir = tempDir()
    const doomed = await startNode(joinerDir, ['--peer', holder.listen[0]!])
    const atKill = await waitFor(async () => storedIds(joinerDir).length, (n) => n > 1, 60_000, 'the first synced batch to be committed')
    doomed.kill()
    await new Promise<void>((resolve) => (doomed.child.exitCode !== null || doomed.child.signalCode !== null ? resolve() : doomed.child.once('exit', () => resolve())))
    const survived = storedIds(joinerDir).length
    expect(survived).toBeGreaterThanOrEqual(atKill)

    const resumed = await startNode(joinerDir, ['--peer', holder.listen[0]!])
    const started = Date.now()
    await waitFor(async () => storedIds(joinerDir).length, (n) => n === total, 120_000, 'the restarted node to hold all 4,001 transactions')
    const seconds = (Date.now() - started) / 1000
    expect(storedIds(joinerDir)).toEqual(storedIds(holderDir))
    const syncs = await waitFor(async () => syncsIn(resumed.log()), (s) => s.length > 0, 10_000, 'the restarted node to log its sync')
    // what survived the kill is not asked for again (a batch stored without its cursor would be)
    expect(syncs[0]!.peer).toBe(holder.peerId)
    expect(syncs[0]!.received).toBe(total - survived)
    expect(syncs[0]!.stored).toBe(total - survived)
    const [h, j] = await Promise.all([statusOf(holder), statusOf(resumed)])
    expect(j).toMatchObject({ transactions: total, syncing: false, stateHash: h.stateHash })

    await resumed.stop()
    const verify = await dv2g(['--data-dir', joinerDir, 'tangle', 'verify', '--json'])
    expect(verify.status, verify.stderr).toBe(0)
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, transactions: total, problems: [] })
    const rate = syncs[0]!.received / (syncs[0]!.ms / 1000)
    console.log(`sync: ${survived - 1} transactions before the kill, ${syncs[0]!.received} after it in ${syncs[0]!.ms} ms (${Math.round(rate)} tx/s between processes; ${seconds.toFixed(1)} s from restart to level)`)
  }, 240_000)
})
