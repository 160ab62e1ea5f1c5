// `dv2g tangle verify`: re-checks everything stored, from the bytes up, without trusting the
// in-memory indexes or what was checked at ingest.
import type { Db } from '../db/connection'
import { decodeTransaction, tokenPayloadOf } from './codec'
import { stateCounts } from './finality'
import { TxStatus } from './graph'
import { leadingZeroBits, toHex, txId } from './hash'
import { SignatureVerifier } from './signing'
import { TxKind } from './transaction'
import { applyInOrder, mergeUnspent, outputKey, stateHash, whiteFlagOrder, ZERO_STATE_HASH, type UnspentOutput } from './whiteFlag'

export interface VerifyReport {
  ok: boolean
  transactions: number
  tips: number
  problems: string[]
}

const MAX_LISTED_PROBLEMS = 100

export function verifyLedger(db: Db, onProgress?: (done: number, total: number) => void): VerifyReport {
  const problems: string[] = []
  const problem = (text: string) => {
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(text)
    else if (problems.length === MAX_LISTED_PROBLEMS) problems.push('… more problems not listed')
  }
  const integrity = db.pragma('integrity_check', { simple: true })
  if (integrity !== 'ok') problem(`SQLite integrity_check: ${integrity}`)

  const total = db.prepare<[], number>('SELECT count(*) FROM transactions').pluck().get()!
  const powBits = db.prepare<[], number>("SELECT value FROM ledger_meta WHERE key = 'pow_bits'").pluck().get() ?? 0
  const verifier = new SignatureVerifier()
  let genesisSupply = 0n
  let done = 0
  const rows = db
    .prepare<[], [number, Buffer, Buffer, number | null, number | null]>(
      'SELECT t.seq, t.id, b.bytes, t.trunk_seq, t.branch_seq FROM transactions t LEFT JOIN transaction_bodies b USING (seq) ORDER BY t.seq'
    )
    .raw()
  const idOfSeq = db.prepare<[number], Buffer>('SELECT id FROM transactions WHERE seq = ?').pluck()
  for (const [seq, id, bytes, trunkSeq, branchSeq] of rows.iterate()) {
    const name = `transaction ${seq} (${toHex(id).slice(0, 16)}…)`
    if (!bytes) {
      problem(`${name}: its content is missing`)
      continue
    }
    if (Buffer.compare(txId(bytes), id) !== 0) problem(`${name}: id does not match its content`)
    if (leadingZeroBits(id) < powBits) problem(`${name}: proof of work below ${powBits} bits`)
    try {
      const { tx, essenceLength } = decodeTransaction(bytes)
      if (!verifier.verify(tx.issuer, bytes.subarray(0, essenceLength), tx.signature)) problem(`${name}: signature does not verify`)
      const parents: [string, number | null, Uint8Array][] = [
        ['trunk', trunkSeq, tx.trunk],
        ['branch', branchSeq, tx.branch]
      ]
      for (const [which, parentSeq, parentId] of parents) {
        if (tx.payload.kind === TxKind.Genesis) continue
        const stored = parentSeq === null ? undefined : idOfSeq.get(parentSeq)
        if (!stored || Buffer.compare(stored, parentId) !== 0)
          problem(`${name}: ${which} ${toHex(parentId).slice(0, 16)}… is not stored before it`)
      }
      if (tx.payload.kind === TxKind.Genesis) genesisSupply += tx.payload.outputs.reduce((sum, o) => sum + o.amount, 0n)
    } catch (error) {
      problem(`${name}: does not decode: ${(error as Error).message}`)
    }
    if (++done % 50_000 === 0) onProgress?.(done, total)
  }

  const chunkIds = Buffer.concat(db.prepare<[], Buffer>('SELECT ids FROM id_chunks ORDER BY chunk').pluck().all())
  const storedIds = Buffer.concat(db.prepare<[], Buffer>('SELECT id FROM transactions ORDER BY seq').pluck().all())
  if (Buffer.compare(chunkIds, storedIds) !== 0)
    problem("the id chunks do not match the transactions' ids: reopening would rebuild a wrong graph")
  // no SQL index keeps ids unique (the graph does, at ingest; migration 010): one stored twice is named here
  const repeated = db.prepare<[], [Buffer, number]>('SELECT id, count(*) FROM transactions GROUP BY id HAVING count(*) > 1').raw().all()
  for (const [id, times] of repeated) problem(`transaction ${toHex(id).slice(0, 16)}… is stored ${times} times`)

  const doubleSpent = db
    .prepare<[TxStatus], { tx_seq: number; idx: number; n: number }>(
      `SELECT s.tx_seq, s.idx, count(*) AS n FROM spends s JOIN transactions t ON t.seq = s.spender_seq
       WHERE t.status != ? GROUP BY s.tx_seq, s.idx HAVING n > 1
       AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.tx_seq = s.tx_seq AND c.idx = s.idx AND c.resolved_ms IS NULL)`
    )
    .all(TxStatus.Rejected)
  for (const d of doubleSpent) problem(`output ${d.idx} of transaction ${d.tx_seq} is spent by ${d.n} transactions that are not rejected`)

  const openConflicts = db.prepare<[], number>('SELECT count(*) FROM conflicts WHERE resolved_ms IS NULL').pluck().get()!
  if (openConflicts === 0 && total > 0) {
    const unspent = db
      .prepare<[TxStatus, TxStatus], bigint>(
        `SELECT COALESCE(SUM(o.amount), 0) FROM outputs o JOIN transactions t ON t.seq = o.tx_seq
         WHERE t.status != ? AND NOT EXISTS (SELECT 1 FROM spends s JOIN transactions st ON st.seq = s.spender_seq
           WHERE s.tx_seq = o.tx_seq AND s.idx = o.idx AND st.status != ?)`
      )
      .safeIntegers(true)
      .pluck()
      .get(TxStatus.Rejected, TxStatus.Rejected)!
    if (unspent !== genesisSupply) problem(`balances sum to ${unspent} but the genesis minted ${genesisSupply}`)
  }

  if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'milestones'").get()) verifyMilestones(db, total, problem)

  const tips = db.prepare<[], number>('SELECT count(*) FROM tips').pluck().get()!
  return { ok: problems.length === 0, transactions: total, tips, problems }
}

/**
 * Applies every stored milestone again from the stored transactions alone, with its own unspent
 * set, and compares the order, each outcome, each state hash and the final unspent outputs with
 * what the ledger stored.
 */
function verifyMilestones(db: Db, total: number, problem: (text: string) => void): void {
  const milestones = db.prepare<[], [number, number, Buffer]>('SELECT idx, seq, state_hash FROM milestones ORDER BY idx').raw().all()
  if (milestones.length === 0) return
  const trunk = new Int32Array(total).fill(-1)
  const branch = new Int32Array(total).fill(-1)
  const ids: Buffer[] = new Array(total)
  for (const [seq, id, t, b] of db
    .prepare<[], [number, Buffer, number | null, number | null]>('SELECT seq, id, trunk_seq, branch_seq FROM transactions ORDER BY seq')
    .raw()
    .iterate()) {
    ids[seq - 1] = id
    trunk[seq - 1] = t === null ? -1 : t - 1
    branch[seq - 1] = b === null ? -1 : b - 1
  }
  const body = db.prepare<[number], Buffer>('SELECT bytes FROM transaction_bodies WHERE seq = ?').pluck()
  const genesis = total > 0 ? decodeTransaction(body.get(1)!).tx.payload : undefined
  const issuers = genesis?.kind === TxKind.Genesis ? (genesis.milestoneIssuers ?? []) : []
  const refs = db
    .prepare<[number], [number, number]>(
      'SELECT seq, applied FROM milestone_refs WHERE milestone = ? AND position IS NOT NULL ORDER BY position'
    )
    .raw()
  const referenced = new Uint32Array(total)
  const unspent = new Set<string>()
  let sorted: UnspentOutput[] = []
  let previous: Uint8Array = ZERO_STATE_HASH
  for (const [index, seq, storedHash] of milestones) {
    const name = `milestone ${index}`
    const at = seq - 1
    let tx
    try {
      tx = decodeTransaction(body.get(seq)!).tx
    } catch {
      problem(`${name}: its transaction does not decode`)
      return
    }
    if (tx.payload.kind !== TxKind.Milestone || tx.payload.index !== index) {
      problem(`${name}: transaction ${seq} is not milestone ${index}`)
      return
    }
    if (!issuers.some((key) => Buffer.compare(key, tx.issuer) === 0)) problem(`${name}: its issuer is not named in the genesis`)
    const order = whiteFlagOrder({ size: total, trunk, branch }, [trunk[at]!, branch[at]!], (x) => referenced[x] !== 0)
    const result = applyInOrder(
      order,
      (x) => ids[x]!,
      (x) => tokenPayloadOf(body.get(x + 1)!),
      (txId, i) => unspent.has(outputKey(txId, i))
    )
    sorted = [...mergeUnspent(sorted, result)]
    for (const key of result.spent) unspent.delete(key)
    for (const o of result.created) unspent.add(outputKey(o.txId, o.index))
    const hash = stateHash(previous, result.entries, sorted)
    if (Buffer.compare(hash, storedHash) !== 0 || Buffer.compare(hash, tx.payload.stateHash) !== 0) {
      problem(
        `${name}: applying it again gives state hash ${toHex(hash)}, stored ${toHex(storedHash)}, stated ${toHex(tx.payload.stateHash)}`
      )
    }
    const stored = refs.all(index)
    const recomputed = result.entries.map((e) => [e.at + 1, e.applied ? 1 : 0])
    if (JSON.stringify(stored) !== JSON.stringify(recomputed))
      problem(`${name}: the stored order or outcomes of the transactions it references differ from applying it again`)
    for (const e of result.entries) referenced[e.at] = index
    referenced[at] = index
    previous = hash
  }
  const storedUnspent = db
    .prepare<[], [Buffer, bigint, Buffer, bigint]>('SELECT tx_id, idx, address, amount FROM milestone_outputs ORDER BY tx_id, idx')
    .raw()
    .safeIntegers(true)
    .all()
  const same =
    storedUnspent.length === sorted.length &&
    storedUnspent.every(([txId, idx, address, amount], i) => {
      const o = sorted[i]!
      return (
        Buffer.compare(txId, o.txId) === 0 && Number(idx) === o.index && Buffer.compare(address, o.address) === 0 && amount === o.amount
      )
    })
  if (!same) problem('the milestone-confirmed unspent outputs differ from applying the milestones again')
}

export interface LedgerStats {
  transactions: number
  tips: number
  confirmed: number
  pending: number
  rejected: number
  preconfirmed: number
  conflicting: number
  dbBytes: number
}

/** Transactions by state as finality.ts defines it (milestone-final where the genesis names issuers). */
export function ledgerStats(db: Db, dbBytes: number): LedgerStats {
  const { transactions, confirmed, pending, rejected, preconfirmed, conflicting } = stateCounts(db)
  return {
    transactions,
    tips: db.prepare<[], number>('SELECT count(*) FROM tips').pluck().get()!,
    confirmed,
    pending,
    rejected,
    preconfirmed,
    conflicting,
    dbBytes
  }
}
