import Database from 'better-sqlite3'
import type { KeyObject } from 'node:crypto'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import { latestSchemaVersion, migrate, schemaVersion } from '../../../../../src-main/core/db/migrate'
import { migrations } from '../../../../../src-main/core/db/migrations'
import { addressOf } from '../../../../../src-main/core/ledger/address'
import { verifyLedger } from '../../../../../src-main/core/ledger/audit'
import { decodeTransaction, encodeEssence } from '../../../../../src-main/core/ledger/codec'
import { fromHex, toHex } from '../../../../../src-main/core/ledger/hash'
import { Ledger, type IngestOutcome } from '../../../../../src-main/core/ledger/ledger'
import { solveProofOfWork } from '../../../../../src-main/core/ledger/proofOfWork'
import { privateKeyFromSeed, publicKeyBytes, signBytes } from '../../../../../src-main/core/ledger/signing'
import { TxKind, type Payload } from '../../../../../src-main/core/ledger/transaction'
import { seededRandom } from '../../../../../src-shared/random'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const POW_BITS = 2
const SUPPLY = 1_000_000n
const operator = privateKeyFromSeed(new Uint8Array(32).fill(1))
const alice = privateKeyFromSeed(new Uint8Array(32).fill(2))
const bob = privateKeyFromSeed(new Uint8Array(32).fill(3))
const addressOfKey = (key: KeyObject) => addressOf(publicKeyBytes(key))

function openLedger(seed = 9, file = join(tempDir(), 'ledger.sqlite')) {
  const db = openDatabase(file)
  return { db, ledger: new Ledger(db, { powBits: POW_BITS, random: seededRandom(seed) }), file }
}

function accepted(outcome: IngestOutcome): Extract<IngestOutcome, { status: 'accepted' }> {
  if (outcome.status !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`)
  return outcome
}

/** A ledger whose genesis mints the supply to the operator and names the operator as milestone issuer. */
function withGenesis(seed = 9) {
  const opened = openLedger(seed)
  accepted(opened.ledger.createGenesis(operator, [{ address: addressOfKey(operator), amount: SUPPLY }], [publicKeyBytes(operator)]))
  return opened
}

function pay(ledger: Ledger, from: KeyObject, to: KeyObject, amount: bigint): IngestOutcome {
  const owned = ledger.unspentOutputs(addressOfKey(from))
  const inputs = []
  let total = 0n
  for (const o of owned) {
    if (total >= amount) break
    inputs.push({ txId: o.txId, index: o.index })
    total += o.amount
  }
  const outputs = [{ address: addressOfKey(to), amount }]
  if (total > amount) outputs.push({ address: addressOfKey(from), amount: total - amount })
  return ledger.attach(from, { kind: TxKind.Transfer, inputs, outputs })
}

/** Every stored transaction's bytes, in this ledger's arrival order. */
const allBytes = (db: Database.Database) =>
  (db.prepare('SELECT bytes FROM transaction_bodies ORDER BY seq').pluck().all() as Buffer[]).map((b) => new Uint8Array(b))

/** A signed, mined transaction built by hand: for milestones a ledger would never issue. */
function handBuilt(key: KeyObject, payload: Payload, parents: [Uint8Array, Uint8Array]): Uint8Array {
  const essence = encodeEssence({ trunk: parents[0], branch: parents[1], issuer: publicKeyBytes(key), timestampMs: Date.now(), payload })
  const signature = signBytes(key, essence)
  const prefix = new Uint8Array(essence.length + signature.length)
  prefix.set(essence)
  prefix.set(signature, essence.length)
  const { nonce } = solveProofOfWork(prefix, POW_BITS)
  const bytes = new Uint8Array(prefix.length + 8)
  bytes.set(prefix)
  new DataView(bytes.buffer).setBigUint64(prefix.length, nonce, true)
  return bytes
}

/** What milestones decided, by transaction id, independent of each node's arrival order. */
function milestoneState(db: Database.Database) {
  return {
    milestones: db.prepare('SELECT idx, hex(id) AS id, hex(state_hash) AS stateHash FROM milestones ORDER BY idx').all(),
    refs: db
      .prepare(
        'SELECT hex(t.id) AS id, r.milestone, r.position, r.applied FROM milestone_refs r JOIN transactions t USING (seq) ORDER BY r.milestone, r.position'
      )
      .all(),
    unspent: db.prepare('SELECT hex(tx_id), idx, hex(address), amount FROM milestone_outputs ORDER BY tx_id, idx').raw().all()
  }
}

/**
 * The state hash of every milestone computed from scratch, the plain way: the stored bytes, a
 * recursive walk, a Map of unspent outputs sorted anew each time.
 */
function stateHashesFromScratch(db: Database.Database): string[] {
  const rows = db.prepare('SELECT t.id, b.bytes FROM transactions t JOIN transaction_bodies b USING (seq) ORDER BY t.seq').raw().all() as [
    Buffer,
    Buffer
  ][]
  const byId = new Map(rows.map(([id, bytes]) => [toHex(id), decodeTransaction(bytes).tx]))
  const referenced = new Set<string>()
  const unspent = new Map<string, { id: Buffer; index: number; address: Uint8Array; amount: bigint }>()
  let previous = Buffer.alloc(32)
  const hashes: string[] = []
  const milestones = rows.map(([id]) => toHex(id)).filter((id) => byId.get(id)!.payload.kind === TxKind.Milestone)
  for (const milestone of milestones) {
    const order: string[] = []
    const visit = (id: string) => {
      if (!byId.has(id) || referenced.has(id)) return
      referenced.add(id)
      const tx = byId.get(id)!
      visit(toHex(tx.trunk))
      visit(toHex(tx.branch))
      order.push(id)
    }
    visit(milestone)
    order.pop() // the milestone itself is not part of its own hash
    const hash = createHash('sha256').update(previous)
    for (const id of order) {
      const p = byId.get(id)!.payload
      let applied = true
      if (p.kind === TxKind.Transfer) {
        const keys = p.inputs.map((i) => `${toHex(i.txId)}:${i.index}`)
        applied = keys.every((k) => unspent.has(k))
        if (applied) keys.forEach((k) => unspent.delete(k))
      }
      if (applied && (p.kind === TxKind.Transfer || p.kind === TxKind.Genesis)) {
        p.outputs.forEach((o, index) =>
          unspent.set(`${id}:${index}`, { id: Buffer.from(id, 'hex'), index, address: o.address, amount: o.amount })
        )
      }
      hash.update(Buffer.from(id, 'hex')).update(Buffer.from([applied ? 1 : 0]))
    }
    for (const o of [...unspent.values()].sort((a, b) => Buffer.compare(a.id, b.id) || a.index - b.index)) {
      const record = Buffer.alloc(74)
      o.id.copy(record, 0)
      record.writeUInt16LE(o.index, 32)
      Buffer.from(o.address).copy(record, 34)
      record.writeBigUInt64LE(o.amount, 66)
      hash.update(record)
    }
    previous = hash.digest()
    hashes.push(previous.toString('hex').toUpperCase())
  }
  return hashes
}

describe('milestones and White Flag', () => {
  it('brings two ledgers that received the same transactions in different orders to the same state hash at every milestone', () => {
    const a = withGenesis(1)
    // a second issuer of transfers that starts from the same genesis: its spends are not in a's cone
    const c = openLedger(2)
    accepted(c.ledger.ingest(allBytes(a.db))[0]!)
    const exchange = (from: { db: Database.Database }, to: { ledger: Ledger }) => {
      for (const bytes of allBytes(from.db))
        if (to.ledger.graph.indexOf(createHash('sha256').update(bytes).digest()) < 0) to.ledger.ingest([bytes])
    }
    for (let round = 0; round < 4; round++) {
      // a and c issue side by side from the same tips, so the tangle is wide and has many arrival orders
      accepted(pay(a.ledger, operator, alice, 1000n + BigInt(round)))
      accepted(c.ledger.attach(bob, { kind: TxKind.Data, topic: 'meter.hourly', body: new TextEncoder().encode(`{"c":${round}}`) }))
      accepted(pay(a.ledger, alice, bob, 10n))
      accepted(c.ledger.attach(bob, { kind: TxKind.Data, topic: 'meter.hourly', body: new TextEncoder().encode(`{"c2":${round}}`) }))
      accepted(a.ledger.attach(bob, { kind: TxKind.Data, topic: 'meter.hourly', body: new TextEncoder().encode(`{"a":${round}}`) }))
      if (round === 1) {
        // a double spend: c spends the operator's change output that a spends next
        exchange(a, c)
        accepted(pay(c.ledger, operator, bob, 7n))
        accepted(pay(a.ledger, operator, alice, 3n))
      }
      exchange(c, a)
      accepted(a.ledger.issueMilestone(operator))
      exchange(a, c)
    }
    const b = openLedger(3)
    const shuffled = allBytes(a.db)
    const random = seededRandom(11)
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
    }
    // the genesis first (it goes into an empty tangle only), the rest in any order: the solidifier holds what waits
    const genesisAt = shuffled.findIndex((bytes) => decodeTransaction(bytes).tx.payload.kind === TxKind.Genesis)
    b.ledger.ingest(shuffled.splice(genesisAt, 1))
    for (let i = 0; i < shuffled.length; i += 3) b.ledger.ingest(shuffled.slice(i, i + 3))
    expect(b.ledger.graph.size).toBe(a.ledger.graph.size)
    const idsOf = (l: Ledger) => toHex(l.graph.ids.subarray(0, l.graph.size * 32))
    expect(idsOf(b.ledger)).not.toBe(idsOf(a.ledger)) // a different arrival order
    expect(b.ledger.latestMilestone()?.index).toBe(4)
    const state = milestoneState(a.db)
    expect(milestoneState(b.db)).toEqual(state)
    // one side of the double spend was marked conflicting (and whatever spent its outputs), the same on both
    expect(state.refs.filter((r) => (r as { applied: number }).applied === 0).length).toBeGreaterThan(0)
    // the incrementally kept state equals the definition recomputed from scratch
    expect(stateHashesFromScratch(b.db)).toEqual(state.milestones.map((m) => (m as { stateHash: string }).stateHash))
    expect(verifyLedger(b.db).problems).toEqual([])
  })

  it.each([
    ['the issuer stored the spend to alice first', true],
    ['the issuer stored the spend to bob first', false]
  ])('lets the spend emitted first in White Flag order win on both ledgers (%s)', (_, aliceFirst) => {
    const a = withGenesis(1)
    const b = openLedger(2)
    const genesis = allBytes(a.db)[0]!
    accepted(b.ledger.ingest([genesis])[0]!)
    // both spend the genesis output with the genesis as both parents: neither is in the other's cone
    const genesisId = a.ledger.graph.idAt(0).slice()
    const spendTo = (to: KeyObject) =>
      handBuilt(
        operator,
        { kind: TxKind.Transfer, inputs: [{ txId: genesisId, index: 0 }], outputs: [{ address: addressOfKey(to), amount: SUPPLY }] },
        [genesisId, genesisId]
      )
    const [toAlice, toBob] = [spendTo(alice), spendTo(bob)]
    const [first, second] = aliceFirst ? [toAlice, toBob] : [toBob, toAlice]
    expect(a.ledger.ingest([first, second]).map((o) => o.status)).toEqual(['accepted', 'accepted'])
    expect(b.ledger.ingest([second, first]).map((o) => o.status)).toEqual(['accepted', 'accepted'])
    const milestone = accepted(a.ledger.issueMilestone(operator))
    accepted(b.ledger.ingest([allBytes(a.db).at(-1)!])[0]!)

    // the milestone approves the two oldest tips, trunk first: the spend the issuer stored first
    // is on the trunk side, so White Flag emits it first, and it wins on b too, which saw it second
    const milestoneTx = decodeTransaction(allBytes(a.db).at(-1)!).tx
    const idOf = (bytes: Uint8Array) => toHex(b.ledger.graph.idAt(b.ledger.graph.indexOf(createHash('sha256').update(bytes).digest())))
    expect(toHex(milestoneTx.trunk)).toBe(idOf(first))
    for (const ledger of [a.ledger, b.ledger]) {
      const outcome = (id: string) => ledger.milestones.outcomeOf(ledger.graph.indexOf(fromHex(id)))
      expect(outcome(idOf(first))).toEqual({ milestone: 1, applied: true, isMilestone: false })
      expect(outcome(idOf(second))).toEqual({ milestone: 1, applied: false, isMilestone: false })
      expect(outcome(milestone.id)).toEqual({ milestone: 1, applied: true, isMilestone: true })
    }
    expect(milestoneState(b.db)).toEqual(milestoneState(a.db))
    const winner = aliceFirst ? alice : bob
    const unspent = milestoneState(a.db).unspent as [string, number, string, number][]
    expect(unspent.map(([, , address, amount]) => [address, amount])).toEqual([[toHex(addressOfKey(winner)).toUpperCase(), Number(SUPPLY)]])
  })

  it('references every tip with checkpoints when asked, and only the two oldest otherwise', () => {
    const a = withGenesis(1)
    // four ledgers issue side by side from the genesis alone: a's tangle gets four tips
    const others = [2, 3, 4, 5].map((seed) => {
      const other = openLedger(seed)
      accepted(other.ledger.ingest(allBytes(a.db))[0]!)
      accepted(other.ledger.attach(bob, { kind: TxKind.Data, topic: 'market.offer', body: new TextEncoder().encode(`{"n":${seed}}`) }))
      return other
    })
    for (const other of others) for (const bytes of allBytes(other.db).slice(1)) accepted(a.ledger.ingest([bytes])[0]!)
    expect(a.ledger.graph.tips.size).toBe(4)
    const unreferenced = () =>
      Array.from({ length: a.ledger.graph.size }, (_, at) => at).filter((at) => a.ledger.milestones.referencedBy(at) === 0).length
    accepted(a.ledger.issueMilestone(operator))
    expect(unreferenced()).toBe(2) // two tips wait for a later milestone

    for (const other of others)
      accepted(other.ledger.attach(bob, { kind: TxKind.Data, topic: 'market.offer', body: new TextEncoder().encode('{"again":1}') }))
    for (const other of others) for (const bytes of allBytes(other.db).slice(2)) a.ledger.ingest([bytes])
    accepted(a.ledger.issueMilestone(operator, { referenceAllTips: true }))
    expect(unreferenced()).toBe(0)
    expect(a.ledger.graph.tips.size).toBe(1)
    expect(verifyLedger(a.db).problems).toEqual([])
  })

  it('refuses a milestone with a wrong state hash, a gap in the index, or an unknown issuer, with its reason, and stores nothing of it', () => {
    const a = withGenesis()
    accepted(pay(a.ledger, operator, alice, 50n))
    const tip = () => a.ledger.graph.idAt(a.ledger.graph.size - 1).slice()
    const zero = new Uint8Array(32)
    const before = milestoneState(a.db)
    const wrongHash = handBuilt(operator, { kind: TxKind.Milestone, index: 1, previous: zero, stateHash: new Uint8Array(32).fill(7) }, [
      tip(),
      tip()
    ])
    expect(a.ledger.ingest([wrongHash])[0]).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/^milestone 1 states state hash 0707.* but this node computes [0-9a-f]{64}$/)
    })
    const unknownIssuer = handBuilt(alice, { kind: TxKind.Milestone, index: 1, previous: zero, stateHash: new Uint8Array(32) }, [
      tip(),
      tip()
    ])
    expect(a.ledger.ingest([unknownIssuer])[0]).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/^milestone 1: issuer [0-9a-f]{16}… is not a milestone issuer named in the genesis$/)
    })
    expect(milestoneState(a.db)).toEqual(before)
    expect(a.ledger.graph.size).toBe(2)

    const first = accepted(a.ledger.issueMilestone(operator))
    const gap = handBuilt(operator, { kind: TxKind.Milestone, index: 3, previous: fromHex(first.id), stateHash: new Uint8Array(32) }, [
      tip(),
      tip()
    ])
    expect(a.ledger.ingest([gap])[0]).toMatchObject({ status: 'refused', reason: 'milestone 3 leaves a gap: the next milestone is 2' })
    const again = handBuilt(operator, { kind: TxKind.Milestone, index: 1, previous: zero, stateHash: new Uint8Array(32) }, [tip(), tip()])
    expect(a.ledger.ingest([again])[0]).toMatchObject({
      status: 'refused',
      reason: 'milestone 1 is already applied: the next milestone is 2'
    })
    // an issuer the genesis does not name cannot issue either
    expect(a.ledger.issueMilestone(alice)).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/is not a milestone issuer named in the genesis/)
    })
    expect(a.ledger.latestMilestone()?.index).toBe(1)
    expect(a.ledger.graph.size).toBe(3)
  })

  it('holds a milestone whose previous milestone has not arrived and applies both once it does', () => {
    const a = withGenesis()
    accepted(pay(a.ledger, operator, alice, 50n))
    accepted(a.ledger.issueMilestone(operator))
    accepted(pay(a.ledger, alice, bob, 5n))
    accepted(a.ledger.issueMilestone(operator))
    const bytes = allBytes(a.db)
    const isMilestone = (b: Uint8Array) => decodeTransaction(b).tx.payload.kind === TxKind.Milestone
    const [first, second] = bytes.filter(isMilestone)
    const b = openLedger()
    b.ledger.ingest(bytes.filter((x) => !isMilestone(x)))
    expect(b.ledger.ingest([second!])[0]).toMatchObject({ status: 'held' })
    expect(b.ledger.latestMilestone()).toBeNull()
    b.ledger.ingest([first!])
    expect(b.ledger.latestMilestone()?.index).toBe(2)
    expect(milestoneState(b.db)).toEqual(milestoneState(a.db))
  })

  it('still opens a data dir whose genesis was written before milestones, verifies it, and says why it takes no milestone', () => {
    // a data dir as the release before milestones left it: schema 5, a genesis naming no issuers
    const { db: old, ledger: oldLedger, file } = openLedger(1)
    accepted(oldLedger.createGenesis(operator, [{ address: addressOfKey(operator), amount: SUPPLY }]))
    accepted(pay(oldLedger, operator, alice, 70n))
    const genesisBytes = allBytes(old)[0]!
    // every table a later migration made goes, whatever migrations come after this test was written
    const schema5 = new Database(':memory:')
    migrate(schema5, migrations.slice(0, 5))
    const tablesOf = (db: Database.Database) =>
      new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[])
    const release5 = tablesOf(schema5)
    schema5.close()
    old.pragma('foreign_keys = OFF')
    for (const table of tablesOf(old)) if (!release5.has(table)) old.exec(`DROP TABLE ${table}`)
    old.pragma('user_version = 5')
    old.close()
    expect(genesisBytes[0]).toBe(1) // codec version 1, as every genesis before milestones

    const { db, ledger } = openLedger(1, file)
    expect(schemaVersion(db)).toBe(latestSchemaVersion)
    expect(ledger.graph.size).toBe(2)
    expect(ledger.balanceOf(addressOfKey(alice))).toBe(70n)
    expect(verifyLedger(db)).toMatchObject({ ok: true, transactions: 2 })
    expect(ledger.issueMilestone(operator)).toMatchObject({
      status: 'refused',
      reason: 'milestone 1: the genesis names no milestone issuers'
    })
    expect(verifyLedger(db).ok).toBe(true)
  })

  it('keeps milestones and their outcome across a reopen, and goes on from there', () => {
    const a = withGenesis()
    accepted(pay(a.ledger, operator, alice, 50n))
    accepted(a.ledger.issueMilestone(operator))
    const state = milestoneState(a.db)
    a.db.close()
    const reopened = openLedger(9, a.file)
    expect(reopened.ledger.latestMilestone()?.index).toBe(1)
    accepted(pay(reopened.ledger, alice, bob, 5n))
    accepted(reopened.ledger.issueMilestone(operator))
    expect(milestoneState(reopened.db).milestones.slice(0, 1)).toEqual(state.milestones)
    expect(stateHashesFromScratch(reopened.db)).toEqual(
      milestoneState(reopened.db).milestones.map((m) => (m as { stateHash: string }).stateHash)
    )
  })

  it("has tangle verify apply the milestones again and name what was changed behind the ledger's back", () => {
    const a = withGenesis()
    accepted(pay(a.ledger, operator, alice, 50n))
    accepted(a.ledger.issueMilestone(operator))
    accepted(pay(a.ledger, alice, bob, 5n))
    accepted(a.ledger.issueMilestone(operator))
    expect(verifyLedger(a.db)).toMatchObject({ ok: true, problems: [] })
    a.db
      .prepare(
        'UPDATE milestone_outputs SET amount = amount + 1 WHERE (tx_id, idx) = (SELECT tx_id, idx FROM milestone_outputs ORDER BY tx_id, idx LIMIT 1)'
      )
      .run()
    expect(verifyLedger(a.db).problems).toEqual(['the milestone-confirmed unspent outputs differ from applying the milestones again'])
    a.db
      .prepare(
        'UPDATE milestone_outputs SET amount = amount - 1 WHERE (tx_id, idx) = (SELECT tx_id, idx FROM milestone_outputs ORDER BY tx_id, idx LIMIT 1)'
      )
      .run()
    a.db.prepare('UPDATE milestone_refs SET applied = 0 WHERE milestone = 2 AND position = 0').run()
    expect(verifyLedger(a.db).problems).toEqual([
      'milestone 2: the stored order or outcomes of the transactions it references differ from applying it again'
    ])
    a.db.prepare('UPDATE milestone_refs SET applied = 1 WHERE milestone = 2 AND position = 0').run()
    a.db.prepare('UPDATE milestones SET state_hash = zeroblob(32) WHERE idx = 1').run()
    expect(verifyLedger(a.db).problems).toEqual([
      expect.stringMatching(/^milestone 1: applying it again gives state hash [0-9a-f]{64}, stored 0{64}, stated [0-9a-f]{64}$/)
    ])
  })

  it('has tangle verify name a transaction stored twice, which no SQL index prevents', () => {
    const a = withGenesis()
    const copied = accepted(pay(a.ledger, operator, alice, 50n))
    expect(verifyLedger(a.db)).toMatchObject({ ok: true, problems: [] })
    const seq = (a.db.prepare('SELECT max(seq) FROM transactions').pluck().get() as number) + 1
    a.db
      .prepare(
        'INSERT INTO transactions (seq, id, trunk_seq, branch_seq, received_ms) SELECT ?, id, trunk_seq, branch_seq, received_ms FROM transactions WHERE id = ?'
      )
      .run(seq, fromHex(copied.id))
    expect(verifyLedger(a.db).problems).toContain(`transaction ${copied.id.slice(0, 16)}… is stored 2 times`)
  })
})
