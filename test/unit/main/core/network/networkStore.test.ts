import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Db } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { toHex, txId } from '../../../../../src-main/core/ledger/hash'
import { Ledger } from '../../../../../src-main/core/ledger/ledger'
import { privateKeyFromSeed, publicKeyBytes } from '../../../../../src-main/core/ledger/signing'
import { TxKind } from '../../../../../src-main/core/ledger/transaction'
import { NetworkStore } from '../../../../../src-main/core/network/networkStore'
import { seededRandom } from '../../../../../src-shared/random'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const operator = privateKeyFromSeed(new Uint8Array(32).fill(1))
const opened: Db[] = []
afterEach(() => {
  for (const db of opened.splice(0)) db.close()
})

function open(file: string): Db {
  const db = openDatabase(file)
  opened.push(db)
  return db
}

function ledgerWithData(db: Db, count: number): { ledger: Ledger; ids: string[] } {
  const ledger = new Ledger(db, { powBits: 2, random: seededRandom(5) })
  const genesis = ledger.createGenesis(
    operator,
    [{ address: addressOf(publicKeyBytes(operator)), amount: 10n }],
    [publicKeyBytes(operator)]
  )
  if (genesis.status !== 'accepted') throw new Error(`no genesis: ${genesis.status}`)
  const ids = [genesis.id]
  for (let i = 0; i < count; i++) {
    const outcome = ledger.attach(operator, { kind: TxKind.Data, topic: 'test', body: new TextEncoder().encode(`t${i}`) })
    if (outcome.status !== 'accepted') throw new Error(`not stored: ${outcome.status}`)
    ids.push(outcome.id)
  }
  return { ledger, ids }
}

describe('NetworkStore', () => {
  it('serves history in arrival order from a cursor, at most as many as asked, as the stored bytes', () => {
    const db = open(join(tempDir(), 'node.sqlite'))
    const { ledger, ids } = ledgerWithData(db, 4)
    const store = new NetworkStore(db)

    const all = store.historyAfter(0, 100)
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5])
    expect(all.map((r) => toHex(txId(r.bytes)))).toEqual(ids)
    expect(all[2]!.bytes).toEqual(ledger.bytesOf(txId(all[2]!.bytes)))

    expect(store.historyAfter(2, 2).map((r) => r.seq)).toEqual([3, 4])
    expect(store.historyAfter(5, 10)).toEqual([])
  })

  it("keeps each peer's sync cursor apart, and keeps it across a reopen", () => {
    const file = join(tempDir(), 'node.sqlite')
    const first = new NetworkStore(open(file))
    expect(first.syncCursor('peer-a')).toBe(0)
    first.saveSyncCursor('peer-a', 2000)
    first.saveSyncCursor('peer-b', 7)
    first.saveSyncCursor('peer-a', 4000)
    opened.pop()!.close()

    const reopened = new NetworkStore(open(file))
    expect(reopened.syncCursor('peer-a')).toBe(4000)
    expect(reopened.syncCursor('peer-b')).toBe(7)
    expect(reopened.syncCursor('peer-c')).toBe(0)
  })
})
