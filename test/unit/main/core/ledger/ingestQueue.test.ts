import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { Ledger, type LedgerOptions } from '../../../../../src-main/core/ledger/ledger'
import { privateKeyFromSeed, publicKeyBytes, SignatureVerifier } from '../../../../../src-main/core/ledger/signing'
import { TxKind } from '../../../../../src-main/core/ledger/transaction'
import { checkIntrinsic, type Checked } from '../../../../../src-main/core/ledger/validation'
import { seededRandom } from '../../../../../src-shared/random'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const treasury = privateKeyFromSeed(new Uint8Array(32).fill(1))

function openLedger(name: string, options: Partial<LedgerOptions> = {}) {
  const db = openDatabase(join(tempDir(), `${name}.sqlite`))
  return { db, ledger: new Ledger(db, { powBits: 4, random: seededRandom(3), ...options }) }
}

/** A peer's history: its genesis and `count` data transactions, checked as a receiving node checks them. */
function peerHistory(count: number): Checked[] {
  const { db, ledger } = openLedger('peer')
  ledger.createGenesis(treasury, [{ address: addressOf(publicKeyBytes(treasury)), amount: 1_000n }])
  ledger.attachMany(
    treasury,
    Array.from({ length: count }, (_, i) => ({ kind: TxKind.Data, topic: 'test', body: new TextEncoder().encode(String(i)) }))
  )
  const verifier = new SignatureVerifier()
  const bytes = db.prepare('SELECT bytes FROM transaction_bodies ORDER BY seq').pluck().all() as Buffer[]
  return bytes.map((b) => checkIntrinsic(new Uint8Array(b), ledger.options, Date.now(), verifier))
}

describe('the ingest queue', () => {
  it('stores what peers sent in one turn in one commit, gives each caller its own outcomes, and counts them by source', async () => {
    const [genesis, ...data] = peerHistory(5)
    const { ledger } = openLedger('node')
    const commits: number[][] = []
    ledger.onStored((indexes) => commits.push(indexes))
    const synced = ledger.ingestQueue.submit('sync', [genesis!, data[0]!])
    const gossiped = data.slice(1).map((c) => ledger.ingestQueue.offer('gossip', [c]))
    expect(gossiped.every((p) => p !== null)).toBe(true)
    expect(ledger.ingestQueue.counters.queued).toBe(6)

    expect((await synced).map((o) => o.status)).toEqual(['accepted', 'accepted'])
    for (const outcome of await Promise.all(gossiped)) expect(outcome!.map((o) => o.status)).toEqual(['accepted'])
    expect(commits).toEqual([[0, 1, 2, 3, 4, 5]])
    expect(ledger.ingestQueue.counters).toMatchObject({ queued: 0, commits: 1, stored: { sync: 2, gossip: 4, local: 0, fetched: 0 } })
  })

  it('turns gossip away when full, has a sync wait for room, and loses nothing it took', async () => {
    const [genesis, ...data] = peerHistory(6)
    const { ledger } = openLedger('node', { ingestCapacity: 4 })
    const first = ledger.ingestQueue.offer('sync', [genesis!, ...data.slice(0, 3)])
    expect(first).not.toBeNull()
    expect(ledger.ingestQueue.offer('gossip', [data[3]!])).toBeNull()
    expect(ledger.ingestQueue.counters.turnedAway).toBe(1)

    let waited = false
    const second = ledger.ingestQueue.submit('sync', data.slice(3)).then((outcomes) => {
      waited = true
      return outcomes
    })
    // the second batch is queued only once the first is stored
    expect(ledger.ingestQueue.counters.queued).toBe(4)
    expect(waited).toBe(false)
    await first
    expect((await second).map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted'])
    expect(ledger.graph.size).toBe(7)
  })

  it("commits the caller's own writes with its batch, and when the commit fails stores none of the batch and goes on", async () => {
    const [genesis, ...data] = peerHistory(2)
    const { db, ledger } = openLedger('node')
    const cursor = () => db.prepare("SELECT value FROM ledger_meta WHERE key = 'test_cursor'").pluck().get()
    await ledger.ingestQueue.submit('sync', [genesis!], () =>
      db.prepare("INSERT INTO ledger_meta (key, value) VALUES ('test_cursor', 1)").run()
    )
    expect(cursor()).toBe(1)

    const gossiped = ledger.ingestQueue.offer('gossip', [data[0]!])!
    const failing = ledger.ingestQueue.submit('sync', [data[1]!], () => {
      throw new Error('disk I/O error')
    })
    await expect(failing).rejects.toThrow('disk I/O error')
    await expect(gossiped).rejects.toThrow('disk I/O error')
    expect(ledger.graph.size).toBe(1)
    expect(db.prepare('SELECT count(*) FROM transactions').pluck().get()).toBe(1)

    const again = await ledger.ingestQueue.submit('gossip', data)
    expect(again.map((o) => o.status)).toEqual(['accepted', 'accepted'])
  })

  it("runs the node's own attach at once, ahead of peers' transactions waiting", async () => {
    const [genesis, ...data] = peerHistory(1)
    const { ledger } = openLedger('node')
    await ledger.ingestQueue.submit('sync', [genesis!])
    const waiting = ledger.ingestQueue.offer('gossip', data)!
    const own = ledger.attach(treasury, { kind: TxKind.Data, topic: 'own', body: new Uint8Array([1]) })
    expect(own).toMatchObject({ status: 'accepted', index: 1 })
    expect((await waiting)[0]).toMatchObject({ status: 'accepted', index: 2 })
    expect(ledger.ingestQueue.counters.stored).toMatchObject({ local: 1, gossip: 1, sync: 1 })
  })

  it('fails what waits when the ledger closes, with the reason, and takes nothing more', async () => {
    const [genesis] = peerHistory(0)
    const { ledger } = openLedger('node')
    const waiting = ledger.ingestQueue.submit('sync', [genesis!])
    ledger.ingestQueue.close('the data dir is closing')
    await expect(waiting).rejects.toThrow('the data dir is closing')
    expect(ledger.ingestQueue.offer('gossip', [genesis!])).toBeNull()
    await expect(ledger.ingestQueue.submit('sync', [genesis!])).rejects.toThrow('the data dir is closing')
    expect(ledger.graph.size).toBe(0)
  })
})
