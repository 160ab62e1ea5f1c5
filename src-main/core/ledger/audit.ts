// `dv2g tangle verify`: re-checks everything stored, from the bytes up, without trusting the
// in-memory indexes or what was checked at ingest.
import type { Db } from '../db/connection'
import { decodeTransaction } from './codec'
import { TxStatus } from './graph'
import { leadingZeroBits, toHex, txId } from './hash'
import { SignatureVerifier } from './signing'
import { TxKind } from './transaction'

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

  const total = db.prepare('SELECT count(*) FROM transactions').pluck().get() as number
  const powBits = (db.prepare("SELECT value FROM ledger_meta WHERE key = 'pow_bits'").pluck().get() as number | undefined) ?? 0
  const verifier = new SignatureVerifier()
  let genesisSupply = 0n
  let done = 0
  const rows = db.prepare('SELECT t.seq, t.id, b.bytes, t.trunk_seq, t.branch_seq FROM transactions t LEFT JOIN transaction_bodies b USING (seq) ORDER BY t.seq').raw()
  const idOfSeq = db.prepare('SELECT id FROM transactions WHERE seq = ?').pluck()
  for (const [seq, id, bytes, trunkSeq, branchSeq] of rows.iterate() as Iterable<[number, Buffer, Buffer, number | null, number | null]>) {
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
      const parents: [string, number | null, Uint8Array][] = [['trunk', trunkSeq, tx.trunk], ['branch', branchSeq, tx.branch]]
      for (const [which, parentSeq, parentId] of parents) {
        if (tx.payload.kind === TxKind.Genesis) continue
        const stored = parentSeq === null ? undefined : (idOfSeq.get(parentSeq) as Buffer | undefined)
        if (!stored || Buffer.compare(stored, parentId) !== 0) problem(`${name}: ${which} ${toHex(parentId).slice(0, 16)}… is not stored before it`)
      }
      if (tx.payload.kind === TxKind.Genesis) genesisSupply += tx.payload.outputs.reduce((sum, o) => sum + o.amount, 0n)
    } catch (error) {
      problem(`${name}: does not decode: ${(error as Error).message}`)
    }
    if (++done % 50_000 === 0) onProgress?.(done, total)
  }

  const chunkIds = Buffer.concat(db.prepare('SELECT ids FROM id_chunks ORDER BY chunk').pluck().all() as Buffer[])
  const storedIds = Buffer.concat(db.prepare('SELECT id FROM transactions ORDER BY seq').pluck().all() as Buffer[])
  if (Buffer.compare(chunkIds, storedIds) !== 0) problem('the id chunks do not match the transactions\' ids: reopening would rebuild a wrong graph')

  const doubleSpent = db
    .prepare(
      `SELECT s.tx_seq, s.idx, count(*) AS n FROM spends s JOIN transactions t ON t.seq = s.spender_seq
       WHERE t.status != ? GROUP BY s.tx_seq, s.idx HAVING n > 1
       AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.tx_seq = s.tx_seq AND c.idx = s.idx AND c.resolved_ms IS NULL)`
    )
    .all(TxStatus.Rejected) as { tx_seq: number; idx: number; n: number }[]
  for (const d of doubleSpent) problem(`output ${d.idx} of transaction ${d.tx_seq} is spent by ${d.n} transactions that are not rejected`)

  const openConflicts = db.prepare('SELECT count(*) FROM conflicts WHERE resolved_ms IS NULL').pluck().get() as number
  if (openConflicts === 0 && total > 0) {
    const unspent = db
      .prepare(
        `SELECT COALESCE(SUM(o.amount), 0) FROM outputs o JOIN transactions t ON t.seq = o.tx_seq
         WHERE t.status != ? AND NOT EXISTS (SELECT 1 FROM spends s JOIN transactions st ON st.seq = s.spender_seq
           WHERE s.tx_seq = o.tx_seq AND s.idx = o.idx AND st.status != ?)`
      )
      .safeIntegers(true)
      .pluck()
      .get(TxStatus.Rejected, TxStatus.Rejected) as bigint
    if (unspent !== genesisSupply) problem(`balances sum to ${unspent} but the genesis minted ${genesisSupply}`)
  }

  const tips = db.prepare('SELECT count(*) FROM tips').pluck().get() as number
  return { ok: problems.length === 0, transactions: total, tips, problems }
}

export interface LedgerStats {
  transactions: number
  tips: number
  confirmed: number
  pending: number
  rejected: number
  dbBytes: number
}

export function ledgerStats(db: Db, dbBytes: number): LedgerStats {
  const counts = db.prepare('SELECT status, count(*) AS n FROM transactions GROUP BY status').all() as { status: number; n: number }[]
  const of = (status: TxStatus) => counts.find((c) => c.status === status)?.n ?? 0
  return {
    transactions: counts.reduce((sum, c) => sum + c.n, 0),
    tips: db.prepare('SELECT count(*) FROM tips').pluck().get() as number,
    confirmed: of(TxStatus.Confirmed),
    pending: of(TxStatus.Pending),
    rejected: of(TxStatus.Rejected),
    dbBytes
  }
}
