// A stranger against the operator's node, as real `dv2g node` processes on 127.0.0.1: a node with
// a fresh data dir and keys of its own, knowing only the operator's address, joins the network and
// floods it with data transactions (`tangle spam`, a fresh key for every round) for 20 s. The
// operator's node stores at most 2,000 of them, bans the stranger for relaying a flood, and the
// operator's own transfers, sent meanwhile, are still confirmed within a milestone or two.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TxKind } from '../../src-main/core/ledger/transaction'
import { callChannel } from '../../src-main/core/owner/channel'
import { readHolder } from '../../src-main/core/owner/lock'
import { Keystore } from '../../src-main/core/wallet/keystore'
import { createTreasuryDataDir, dv2g, readNodeDatabase, useNodes, waitFor, type NodeProcess } from '../support/nodes'
import { useTempDirs } from '../support/tempDir'

const tempDir = useTempDirs()
const startNode = useNodes()
const PASSPHRASE = 'admission-test-passphrase'
const FLOOD_MS = 20_000
const MAX_STORED = 2_000
const TRANSFERS = 3

function ask<T>(node: NodeProcess, operation: string, input: unknown): Promise<T> {
  const holder = readHolder(node.dataDir)
  if (!holder) throw new Error(`no process holds ${node.dataDir}`)
  return callChannel(holder, operation, input, () => {}, 30_000) as Promise<T>
}

/** Data transactions a data dir holds: the operator's node issues none itself. */
const dataTransactions = (dataDir: string) =>
  readNodeDatabase(
    dataDir,
    (db) => db.prepare(`SELECT count(*) FROM transaction_bodies WHERE kind = ${TxKind.Data}`).pluck().get() as number
  )

const latestMilestone = (dataDir: string) =>
  readNodeDatabase(dataDir, (db) => (db.prepare('SELECT max(idx) FROM milestones').pluck().get() as number | null) ?? 0)

/** The milestone that confirmed a transaction, or null while none has. */
const confirmedBy = (dataDir: string, idHex: string) =>
  readNodeDatabase(
    dataDir,
    (db) =>
      (db
        .prepare('SELECT r.milestone FROM milestone_refs r JOIN transactions t ON t.seq = r.seq WHERE t.id = ?')
        .pluck()
        .get(Buffer.from(idHex, 'hex')) as number | undefined) ?? null
  )

describe('a stranger flooding the network', () => {
  it("leaves at most 2,000 of its transactions on the operator's node in 20 s, and the operator's transfers confirm within two milestones", async () => {
    const operator = await startNode(await createTreasuryDataDir(tempDir(), PASSPHRASE), ['--milestone-seconds', '1'], {
      DV2G_PASSPHRASE: PASSPHRASE
    })
    const strangerDir = tempDir()
    const stranger = await startNode(strangerDir, ['--peer', operator.listen[0]!])
    await waitFor(
      async () => stranger.log(),
      (log) => log.includes(`joined network ${operator.networkId}`),
      60_000,
      'the stranger to join the network'
    )
    const sinkKeystore = new Keystore(join(tempDir(), 'keystore.json'), { kdf: { N: 1 << 14, r: 8, p: 1 } })
    sinkKeystore.unlock(PASSPHRASE)
    const sink = sinkKeystore.create('sink', 'ev').wallet.address

    const floodStarted = Date.now()
    let rounds = 0
    let issued = 0
    const flood = (async () => {
      // each round is a new spam, signed by a new key: keys cost a stranger nothing
      while (Date.now() - floodStarted < FLOOD_MS) {
        const spam = await dv2g(['--data-dir', strangerDir, 'tangle', 'spam', '--count', '2000', '--json'], {}, 60_000)
        if (spam.status !== 0) break // cut off: a ban does not stop the stranger's own node
        issued += (JSON.parse(spam.stdout) as { issued: number }).issued
        rounds++
      }
    })()

    // the operator's transfers, one after another while the flood runs
    const confirmations: { sentAfter: number; confirmedBy: number }[] = []
    for (let i = 0; i < TRANSFERS; i++) {
      // spread over the flood: each waits for more of it on the stranger's own node
      await waitFor(
        async () => dataTransactions(strangerDir),
        (n) => n >= (i + 1) * 2_000,
        FLOOD_MS,
        'the flood to be under way'
      )
      const sentAfter = latestMilestone(operator.dataDir)
      const { id } = await ask<{ id: string }>(operator, 'wallet.send', { from: 'treasury', to: sink, amount: '1', passphrase: PASSPHRASE })
      const milestone = await waitFor(
        async () => confirmedBy(operator.dataDir, id),
        (m) => m !== null,
        30_000,
        `transfer ${id} to be confirmed`
      )
      confirmations.push({ sentAfter, confirmedBy: milestone! })
    }
    await flood
    const floodMs = Date.now() - floodStarted
    // what the operator's node still had queued is stored or dropped by now
    await waitFor(
      async () => (await ask<{ syncing: boolean }>(operator, 'network.status', {})).syncing,
      (syncing) => !syncing,
      30_000,
      'the operator node to settle'
    )
    const stored = dataTransactions(operator.dataDir)
    const strangerHolds = dataTransactions(strangerDir)
    console.log(
      `admission: a stranger issued ${issued} transactions in ${rounds} rounds over ${floodMs} ms (${strangerHolds} on its own node); the operator's node stored ${stored}; ` +
        `transfers confirmed ${confirmations.map((c) => c.confirmedBy - c.sentAfter).join(', ')} milestones after they were sent`
    )

    expect(strangerHolds).toBeGreaterThan(MAX_STORED)
    expect(floodMs).toBeGreaterThanOrEqual(FLOOD_MS)
    expect(stored).toBeLessThanOrEqual(MAX_STORED)
    for (const { sentAfter, confirmedBy: milestone } of confirmations) expect(milestone - sentAfter).toBeLessThanOrEqual(2)
    // the peer that kept relaying what the rule refused is cut off as a flood
    expect(operator.log()).toContain(
      `banned peer ${stranger.peerId} for 10 minutes: flooded gossip with transactions of issuers not admitted`
    )
  }, 180_000)
})
