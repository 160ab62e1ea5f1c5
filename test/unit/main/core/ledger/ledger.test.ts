import Database from 'better-sqlite3'
import fc from 'fast-check'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { decodeTransaction, encodeTransaction } from '../../../../../src-main/core/ledger/codec'
import { TxStatus } from '../../../../../src-main/core/ledger/graph'
import { fromHex } from '../../../../../src-main/core/ledger/hash'
import { Ledger, type IngestOutcome } from '../../../../../src-main/core/ledger/ledger'
import { ParallelVerifier } from '../../../../../src-main/core/ledger/parallelVerifier'
import { privateKeyFromSeed, publicKeyBytes } from '../../../../../src-main/core/ledger/signing'
import { seededRandom } from '../../../../../src-shared/random'
import { TxKind } from '../../../../../src-main/core/ledger/transaction'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const SUPPLY = 1_000_000n
const treasury = privateKeyFromSeed(new Uint8Array(32).fill(1))
const alice = privateKeyFromSeed(new Uint8Array(32).fill(2))
const bob = privateKeyFromSeed(new Uint8Array(32).fill(3))
const addressOfKey = (key: typeof treasury) => addressOf(publicKeyBytes(key))

function openLedger(file = join(tempDir(), 'ledger.sqlite')) {
  const db = openDatabase(file)
  const ledger = new Ledger(db, { powBits: 4, random: seededRandom(9) })
  return { db, ledger, file }
}

function accepted(outcome: IngestOutcome): Extract<IngestOutcome, { status: 'accepted' }> {
  if (outcome.status !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`)
  return outcome
}

function withGenesis() {
  const opened = openLedger()
  const genesis = accepted(opened.ledger.createGenesis(treasury, [{ address: addressOfKey(treasury), amount: SUPPLY }]))
  return { ...opened, genesisId: fromHex(genesis.id) }
}

function pay(ledger: Ledger, from: typeof treasury, to: Uint8Array, amount: bigint): IngestOutcome {
  const owned = ledger.unspentOutputs(addressOfKey(from))
  const inputs = []
  let total = 0n
  for (const o of owned) {
    if (total >= amount) break
    inputs.push({ txId: o.txId, index: o.index })
    total += o.amount
  }
  const outputs = [{ address: to, amount }]
  if (total > amount) outputs.push({ address: addressOfKey(from), amount: total - amount })
  return ledger.attach(from, { kind: TxKind.Transfer, inputs, outputs })
}

/** Everything the database holds, to prove that refused input changed nothing. */
function snapshot(db: Database.Database) {
  return ['transactions', 'transaction_bodies', 'approvers', 'tips', 'outputs', 'spends', 'conflicts'].map((t) =>
    db.prepare(`SELECT * FROM ${t} ORDER BY 1`).raw().all()
  )
}

describe('ledger', () => {
  it('mints the supply to the treasury in the genesis and moves it by transfers', () => {
    const { ledger } = withGenesis()
    expect(ledger.balanceOf(addressOfKey(treasury))).toBe(SUPPLY)
    accepted(pay(ledger, treasury, addressOfKey(alice), 600n))
    accepted(pay(ledger, alice, addressOfKey(bob), 250n))
    expect(ledger.balanceOf(addressOfKey(treasury))).toBe(SUPPLY - 600n)
    expect(ledger.balanceOf(addressOfKey(alice))).toBe(350n)
    expect(ledger.balanceOf(addressOfKey(bob))).toBe(250n)
  })

  it('gives the stored bytes of a transaction it holds, and nothing for an id it does not', () => {
    const { ledger, db } = withGenesis()
    const paid = accepted(pay(ledger, treasury, addressOfKey(alice), 600n))
    const stored = db
      .prepare('SELECT b.bytes FROM transactions t JOIN transaction_bodies b USING (seq) WHERE t.id = ?')
      .pluck()
      .get(fromHex(paid.id)) as Buffer
    expect(ledger.bytesOf(fromHex(paid.id))).toEqual(new Uint8Array(stored))
    expect(ledger.bytesOf(new Uint8Array(32).fill(7))).toBeUndefined()
  })

  it('refuses a second genesis, unowned inputs and transfers that mint', () => {
    const { ledger, genesisId } = withGenesis()
    expect(ledger.createGenesis(treasury, [{ address: addressOfKey(alice), amount: 5n }])).toMatchObject({
      status: 'refused',
      reason: 'a genesis is only accepted into an empty tangle'
    })
    const stolen = ledger.attach(alice, {
      kind: TxKind.Transfer,
      inputs: [{ txId: genesisId, index: 0 }],
      outputs: [{ address: addressOfKey(alice), amount: SUPPLY }]
    })
    expect(stolen).toMatchObject({ status: 'refused', reason: 'input 0 is not owned by the issuer' })
    const minted = ledger.attach(treasury, {
      kind: TxKind.Transfer,
      inputs: [{ txId: genesisId, index: 0 }],
      outputs: [{ address: addressOfKey(alice), amount: SUPPLY + 1n }]
    })
    expect(minted).toMatchObject({ status: 'refused', reason: expect.stringMatching(/neither mints nor burns/) })
  })

  it('records a double spend as a conflict and refuses a transaction approving both sides', () => {
    const { ledger, genesisId, db } = withGenesis()
    const spendTo = (who: typeof alice) =>
      signAndSolve(
        {
          trunk: genesisId,
          branch: genesisId,
          issuer: publicKeyBytes(treasury),
          timestampMs: Date.now(),
          payload: {
            kind: TxKind.Transfer,
            inputs: [{ txId: genesisId, index: 0 }],
            outputs: [{ address: addressOfKey(who), amount: SUPPLY }]
          }
        },
        treasury,
        ledger.options.powBits
      )
    const first = accepted(ledger.ingest([spendTo(alice)])[0]!)
    // attached here, every tip already approves the first spend: the ledger refuses to issue it
    const attachedDoubleSpend = ledger.attach(treasury, {
      kind: TxKind.Transfer,
      inputs: [{ txId: genesisId, index: 0 }],
      outputs: [{ address: addressOfKey(bob), amount: SUPPLY }]
    })
    expect(attachedDoubleSpend).toMatchObject({ status: 'refused', reason: "input 0 is already spent in this transaction's own past cone" })
    const second = accepted(ledger.ingest([spendTo(bob)])[0]!)
    expect(ledger.openConflicts.size).toBe(1)
    expect(db.prepare('SELECT count(*) FROM conflicts WHERE resolved_ms IS NULL').pluck().get()).toBe(1)

    // a data transaction that names both sides as its parents is inconsistent
    const both = encodeIssued(ledger, fromHex(first.id), fromHex(second.id))
    expect(ledger.ingest([both])[0]).toMatchObject({ status: 'refused', reason: expect.stringMatching(/both sides of a double spend/) })
    // attach never picks such a pair
    for (let i = 0; i < 30; i++) accepted(ledger.attach(alice, { kind: TxKind.Data, topic: 'test', body: new Uint8Array([i]) }))
  })

  it('rebuilds the same graph, tips and conflicts when reopened', () => {
    const { ledger, db, file } = withGenesis()
    for (let i = 0; i < 50; i++) accepted(ledger.attach(alice, { kind: TxKind.Data, topic: 'meter', body: new Uint8Array([i]) }))
    const tips = [...ledger.graph.tips.values()].sort()
    db.close()
    const reopened = openLedger(file).ledger
    expect(reopened.graph.size).toBe(51)
    expect([...reopened.graph.tips.values()].sort()).toEqual(tips)
    expect(reopened.balanceOf(addressOfKey(treasury))).toBe(SUPPLY)
  })

  it('holds a transaction until its parent arrives, then stores both', () => {
    const source = withGenesis()
    const parent = encodeIssued(source.ledger, source.genesisId, source.genesisId)
    const parentId = fromHex(accepted(source.ledger.ingest([parent])[0]!).id)
    const child = encodeIssued(source.ledger, parentId, parentId)

    const target = openLedger()
    // same genesis on the target
    target.ledger.ingest([source.db.prepare('SELECT bytes FROM transaction_bodies WHERE seq = 1').pluck().get() as Buffer])
    expect(target.ledger.ingest([child])[0]).toMatchObject({ status: 'held', reason: expect.stringMatching(/waiting for parent/) })
    expect(target.ledger.graph.size).toBe(1)
    expect(target.ledger.ingest([parent])[0]).toMatchObject({ status: 'accepted' })
    expect(target.ledger.graph.size).toBe(3)
  })

  it('refuses random bytes and mutated transactions with a reason and stores nothing', () => {
    const { ledger, db, genesisId } = withGenesis()
    const valid = encodeIssued(ledger, genesisId, genesisId)
    // stored first: a copy with only its unsigned nonce changed is then a re-mined duplicate
    accepted(ledger.ingest([valid])[0]!)
    const before = snapshot(db)
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, flip]) => {
            const mutated = valid.slice()
            mutated[at]! ^= flip
            return mutated
          })
        ),
        (bytes) => {
          const [outcome] = ledger.ingest([bytes])
          expect(['refused', 'held']).toContain(outcome!.status)
          if (outcome!.status === 'refused') expect(outcome!.reason.length).toBeGreaterThan(5)
        }
      ),
      { numRuns: 400, seed: 5 }
    )
    expect(snapshot(db)).toEqual(before)
  })

  it('refuses a copy of a stored transaction re-mined with another nonce', () => {
    const { ledger, genesisId } = withGenesis()
    const original = encodeIssued(ledger, genesisId, genesisId)
    const stored = accepted(ledger.ingest([original])[0]!)
    const { tx } = decodeTransaction(original)
    const prefix = original.slice(0, -8)
    const { nonce } = solveProofOfWork(prefix, ledger.options.powBits, tx.nonce + 1n)
    const copy = encodeTransaction({ ...tx, nonce })
    expect(ledger.ingest([copy])[0]).toMatchObject({ status: 'refused', reason: `a copy of ${stored.id} re-mined with another nonce` })
  })

  it('ingests with signatures verified on a worker thread, refusing a forged one', async () => {
    const { ledger, genesisId } = withGenesis()
    const good = Array.from({ length: 9 }, (_, i) => encodeIssued(ledger, genesisId, genesisId, i + 1))
    // a signature that is not the issuer's, with a proof of work that holds
    const { tx } = decodeTransaction(encodeIssued(ledger, genesisId, genesisId, 99))
    const signature = tx.signature.slice()
    signature[0]! ^= 1
    const prefix = encodeTransaction({ ...tx, signature }).slice(0, -8)
    const forged = encodeTransaction({ ...tx, signature, nonce: solveProofOfWork(prefix, ledger.options.powBits).nonce })
    const verifier = new ParallelVerifier(1)
    try {
      const outcomes = await ledger.ingestParallel([...good.slice(0, 5), forged, ...good.slice(5)], verifier)
      expect(outcomes.map((o) => o.status)).toEqual([...Array(5).fill('accepted'), 'refused', ...Array(4).fill('accepted')])
      expect(outcomes[5]).toMatchObject({ reason: 'signature does not verify against the issuer key' })
    } finally {
      await verifier.close()
    }
  })

  it('keeps memory bounded under a flood of transactions with unknown parents', () => {
    const { db } = withGenesis()
    const ledger = new Ledger(db, { powBits: 0, solidifierCapacity: 100 })
    const unknown = new Uint8Array(32).fill(7)
    for (let i = 0; i < 1000; i++) {
      const bytes = encodeIssued(
        ledger,
        unknown.map((b) => b ^ (i & 0xff)),
        unknown,
        i
      )
      expect(ledger.ingest([bytes])[0]!.status).toBe('held')
    }
    expect((ledger as unknown as { solidifier: { size: number; evicted: number } }).solidifier.size).toBe(100)
  })

  it('stores the statuses it is given and keeps pending the default', () => {
    const { ledger } = withGenesis()
    expect(ledger.graph.status[0]).toBe(TxStatus.Pending)
  })
})

/** A signed data transaction with chosen parents, encoded but not stored. */
function encodeIssued(ledger: Ledger, trunk: Uint8Array, branch: Uint8Array, salt = 0): Uint8Array {
  const key = alice
  const essence = {
    trunk,
    branch,
    issuer: publicKeyBytes(key),
    timestampMs: Date.now(),
    payload: { kind: TxKind.Data, topic: 'test', body: new Uint8Array([salt & 0xff, salt >> 8]) } as const
  }
  return signAndSolve(essence, key, ledger.options.powBits)
}

import { encodeEssence } from '../../../../../src-main/core/ledger/codec'
import { solveProofOfWork } from '../../../../../src-main/core/ledger/proofOfWork'
import { signBytes } from '../../../../../src-main/core/ledger/signing'
import type { Essence } from '../../../../../src-main/core/ledger/transaction'

function signAndSolve(essence: Essence, key: typeof alice, powBits: number): Uint8Array {
  const signature = signBytes(key, encodeEssence(essence))
  const prefix = encodeTransaction({ ...essence, signature, nonce: 0n }).slice(0, -8)
  const { nonce } = solveProofOfWork(prefix, powBits)
  const bytes = encodeTransaction({ ...essence, signature, nonce })
  expect(decodeTransaction(bytes).tx.nonce).toBe(nonce)
  return bytes
}

describe('ledger.transaction', () => {
  it('commits nested writes with the caller’s rows once, and tells listeners after the commit', () => {
    const { db, ledger } = withGenesis()
    db.exec('CREATE TABLE paid (tx_id TEXT NOT NULL)')
    const told: number[][] = []
    ledger.onStored((indexes) => told.push(indexes))
    ledger.transaction(() => {
      for (const to of [alice, bob]) {
        const { id } = accepted(pay(ledger, treasury, addressOfKey(to), 10n))
        db.prepare('INSERT INTO paid VALUES (?)').run(id)
      }
      expect(told).toEqual([])
    })
    expect(told).toEqual([[1, 2]])
    expect(db.prepare('SELECT count(*) FROM paid').pluck().get()).toBe(2)
  })

  it('rolls back every nested write when the caller fails, rebuilds memory, and tells listeners nothing', () => {
    const { db, ledger, file } = withGenesis()
    const before = snapshot(db)
    const told: number[][] = []
    ledger.onStored((indexes) => told.push(indexes))
    expect(() =>
      ledger.transaction(() => {
        accepted(pay(ledger, treasury, addressOfKey(alice), 10n))
        accepted(pay(ledger, treasury, addressOfKey(bob), 10n))
        throw new Error('the caller failed after two transfers')
      })
    ).toThrow(/the caller failed/)
    expect(snapshot(db)).toEqual(before)
    expect(told).toEqual([])
    expect(ledger.graph.size).toBe(1)
    expect(ledger.balanceOf(addressOfKey(alice))).toBe(0n)
    // the ledger goes on from what was committed, and a reopen sees the same
    accepted(pay(ledger, treasury, addressOfKey(alice), 7n))
    expect(told).toEqual([[1]])
    db.close()
    const reopened = openLedger(file).ledger
    expect(reopened.graph.size).toBe(2)
    expect(reopened.balanceOf(addressOfKey(alice))).toBe(7n)
  })

  it('keeps the outer work when a nested one fails and is caught', () => {
    const { db, ledger, file } = withGenesis()
    const told: number[][] = []
    ledger.onStored((indexes) => told.push(indexes))
    ledger.transaction(() => {
      accepted(pay(ledger, treasury, addressOfKey(alice), 10n))
      expect(() =>
        ledger.transaction(() => {
          accepted(pay(ledger, treasury, addressOfKey(bob), 10n))
          throw new Error('inner failure')
        })
      ).toThrow(/inner failure/)
      expect(ledger.graph.size).toBe(2)
      accepted(pay(ledger, treasury, addressOfKey(bob), 3n))
    })
    expect(told).toEqual([[1, 2]])
    expect(ledger.balanceOf(addressOfKey(bob))).toBe(3n)
    db.close()
    const reopened = openLedger(file).ledger
    expect(reopened.graph.size).toBe(3)
    expect(reopened.balanceOf(addressOfKey(alice))).toBe(10n)
    expect(reopened.balanceOf(addressOfKey(bob))).toBe(3n)
  })

  it('refuses to write inside a transaction it did not open', () => {
    const { db, ledger } = withGenesis()
    expect(() => db.transaction(() => pay(ledger, treasury, addressOfKey(alice), 1n))()).toThrow(/wrap them in ledger.transaction/)
    expect(ledger.graph.size).toBe(1)
  })
})
