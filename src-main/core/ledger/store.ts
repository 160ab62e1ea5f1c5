// The tangle's SQL for storing and loading transactions, and nothing that decides. Rows in, rows out;
// the rules (rules.ts) say what may be stored, the ledger (ledger.ts) says when.
import type { WritableDB } from '../db/connection'
import { changedNothingSql } from './finality'
import { TangleGraph, NONE, TxStatus } from './graph'
import { ID_BYTES, TxKind, type Transaction } from './transaction'

/** ids per id_chunks row: small enough to rewrite the last one on every commit */
export const ID_CHUNK = 256

export interface Spend {
  txSeq: number
  idx: number
  /** `${txSeq}:${idx}`: the output's key in the open conflicts */
  key: string
}

export interface StoredRow {
  tx: Transaction
  id: Uint8Array
  bytes: Uint8Array
  essenceId: Uint8Array
  trunk: number
  branch: number
  receivedMs: number
  spends: Spend[]
  /** pow_bits to record with a genesis, so tangle verify checks every transaction against it */
  powBits: number
}

/**
 * A re-mined copy (same essence, other nonce) looked up by its timestamp first: the essence holds
 * the timestamp, and (timestamp_ms, essence_id) is the table's unique index.
 */
export const SAME_ESSENCE_SQL =
  'SELECT t.id FROM transaction_bodies b JOIN transactions t USING (seq) WHERE b.timestamp_ms = ? AND b.essence_id = ?'

type Blob = Uint8Array

export class TangleStore {
  private readonly sql

  constructor(db: WritableDB) {
    this.sql = {
      insertTx: db.prepare<[number, Blob, number | null, number | null, number, TxStatus]>(
        'INSERT INTO transactions (seq, id, trunk_seq, branch_seq, received_ms, status) VALUES (?, ?, ?, ?, ?, ?)'
      ),
      insertBody: db.prepare<[number, Blob, TxKind, Blob, number, Blob]>(
        'INSERT INTO transaction_bodies (seq, essence_id, kind, issuer, timestamp_ms, bytes) VALUES (?, ?, ?, ?, ?, ?)'
      ),
      setMeta: db.prepare<[string, number]>(
        'INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'
      ),
      body: db.prepare<[number], Buffer>('SELECT bytes FROM transaction_bodies WHERE seq = ?').pluck(),
      sameEssence: db.prepare<[number, Blob], Buffer>(SAME_ESSENCE_SQL).pluck(),
      insertApprover: db.prepare<[number, number]>('INSERT OR IGNORE INTO approvers (parent_seq, approver_seq) VALUES (?, ?)'),
      deleteTip: db.prepare<[number]>('DELETE FROM tips WHERE seq = ?'),
      insertTip: db.prepare<[number]>('INSERT INTO tips (seq) VALUES (?)'),
      insertOutput: db.prepare<[number, number, Blob, bigint]>('INSERT INTO outputs (tx_seq, idx, address, amount) VALUES (?, ?, ?, ?)'),
      output: db
        .prepare<[number, number], { address: Buffer; amount: bigint }>('SELECT address, amount FROM outputs WHERE tx_seq = ? AND idx = ?')
        .safeIntegers(true),
      spenders: db.prepare<[number, number], number>('SELECT spender_seq FROM spends WHERE tx_seq = ? AND idx = ?').pluck(),
      insertSpend: db.prepare<[number, number, number]>('INSERT INTO spends (tx_seq, idx, spender_seq) VALUES (?, ?, ?)'),
      openConflict: db.prepare<[number, number, number]>('INSERT OR IGNORE INTO conflicts (tx_seq, idx, opened_ms) VALUES (?, ?, ?)'),
      count: db.prepare<[], number>('SELECT count(*) FROM transactions').pluck(),
      transfersOf: db
        .prepare<
          { address: Blob; publicKey: Blob; limit: number },
          { id: Buffer; direction: 'in' | 'out'; amount: bigint; seq: bigint; received_ms: bigint }
        >(
          `SELECT t.id, 'in' AS direction, SUM(o.amount) AS amount, t.seq, t.received_ms
             FROM outputs o JOIN transactions t ON t.seq = o.tx_seq JOIN transaction_bodies b ON b.seq = o.tx_seq
            WHERE o.address = :address AND NOT (b.issuer = :publicKey AND b.kind = 1) GROUP BY t.seq
           UNION ALL
           SELECT t.id, 'out', COALESCE((SELECT SUM(o.amount) FROM outputs o WHERE o.tx_seq = t.seq AND o.address != :address), 0), t.seq, t.received_ms
             FROM transaction_bodies b JOIN transactions t ON t.seq = b.seq
            WHERE b.issuer = :publicKey AND b.kind = 1
           ORDER BY 5 DESC LIMIT :limit`
        )
        .safeIntegers(true),
      loadIds: db.prepare<[], Buffer>('SELECT ids FROM id_chunks ORDER BY chunk').pluck(),
      loadGraph: db
        .prepare<[], [number | null, number | null, TxStatus, number]>(
          'SELECT trunk_seq, branch_seq, status, received_ms FROM transactions ORDER BY seq'
        )
        .raw(),
      saveIdChunk: db.prepare<[number, Blob]>(
        'INSERT INTO id_chunks (chunk, ids) VALUES (?, ?) ON CONFLICT(chunk) DO UPDATE SET ids = excluded.ids'
      ),
      // per meaning of "changed nothing" (finality.ts): chosen at each call, a genesis may arrive later
      balance: ([false, true] as const).map((final) =>
        db
          .prepare<[Blob], bigint>(
            `SELECT COALESCE(SUM(o.amount), 0) FROM outputs o JOIN transactions t ON t.seq = o.tx_seq
                    WHERE o.address = ? AND NOT ${changedNothingSql(final, 't')} AND NOT EXISTS (
                      SELECT 1 FROM spends s JOIN transactions st ON st.seq = s.spender_seq
                      WHERE s.tx_seq = o.tx_seq AND s.idx = o.idx AND NOT ${changedNothingSql(final, 'st')})`
          )
          .pluck()
          .safeIntegers(true)
      ),
      unspent: ([false, true] as const).map((final) =>
        db
          .prepare<[Blob], { id: Buffer; idx: bigint; amount: bigint }>(
            `SELECT t.id, o.idx, o.amount FROM outputs o JOIN transactions t ON t.seq = o.tx_seq
                    WHERE o.address = ? AND NOT ${changedNothingSql(final, 't')} AND NOT EXISTS (
                      SELECT 1 FROM spends s JOIN transactions st ON st.seq = s.spender_seq
                      WHERE s.tx_seq = o.tx_seq AND s.idx = o.idx AND NOT ${changedNothingSql(final, 'st')})
                    ORDER BY o.tx_seq, o.idx`
          )
          .safeIntegers(true)
      ),
      loadOpenConflicts: db.prepare<[], { tx_seq: number; idx: number; spender_seq: number }>(
        `SELECT c.tx_seq, c.idx, s.spender_seq FROM conflicts c JOIN spends s USING (tx_seq, idx) WHERE c.resolved_ms IS NULL`
      )
    }
  }

  /** Fills the graph from the database, in arrival order, and returns the open conflicts' sides. */
  loadInto(graph: TangleGraph): Map<string, number[]> {
    const count = this.sql.count.get()!
    graph.reserve(count)
    const ids = Buffer.concat(this.sql.loadIds.all())
    if (ids.length !== count * ID_BYTES)
      throw new Error(`the id chunks hold ${ids.length / ID_BYTES} ids for ${count} transactions: the database is damaged`)
    let index = 0
    for (const row of this.sql.loadGraph.iterate()) {
      const [trunkSeq, branchSeq, status, receivedMs] = row
      const id = ids.subarray(index * ID_BYTES, ++index * ID_BYTES)
      graph.add(id, trunkSeq === null ? NONE : trunkSeq - 1, branchSeq === null ? NONE : branchSeq - 1, receivedMs, status, false)
    }
    graph.rebuildTips()
    const openConflicts = new Map<string, number[]>()
    for (const { tx_seq, idx, spender_seq } of this.sql.loadOpenConflicts.all()) {
      const key = `${tx_seq}:${idx}`
      openConflicts.set(key, [...(openConflicts.get(key) ?? []), spender_seq - 1])
    }
    return openConflicts
  }

  /** The encoded transaction at this graph index (stored as seq index + 1), if any. */
  bodyAt(index: number): Buffer | undefined {
    return this.sql.body.get(index + 1)
  }

  /** The transaction stored with the same essence (a re-mined copy), if any: found by its timestamp first, which the essence holds. */
  sameEssence(timestampMs: number, essenceId: Uint8Array): Buffer | undefined {
    return this.sql.sameEssence.get(timestampMs, essenceId)
  }

  output(txSeq: number, idx: number): { address: Buffer; amount: bigint } | undefined {
    return this.sql.output.get(txSeq, idx)
  }

  /** The seqs of the transactions that spend this output. */
  spenders(txSeq: number, idx: number): number[] {
    return this.sql.spenders.all(txSeq, idx)
  }

  /**
   * Writes a transaction as the graph's next row (seq = size + 1): its body, approvals, tips,
   * outputs and spends. Returns, per spend, the seqs of the earlier spenders of that output: a
   * double spend, now recorded as an open conflict.
   */
  insert(row: StoredRow, seq: number): Map<string, number[]> {
    const { tx, id, bytes, essenceId, trunk, branch, receivedMs } = row
    const trunkSeq = trunk === NONE ? null : trunk + 1
    const branchSeq = branch === NONE ? null : branch + 1
    this.sql.insertTx.run(seq, id, trunkSeq, branchSeq, receivedMs, TxStatus.Pending)
    if (tx.payload.kind === TxKind.Genesis) this.sql.setMeta.run('pow_bits', row.powBits)
    this.sql.insertBody.run(seq, essenceId, tx.payload.kind, tx.issuer, tx.timestampMs, bytes)
    for (const parentSeq of new Set([trunkSeq, branchSeq])) {
      if (parentSeq === null) continue
      this.sql.insertApprover.run(parentSeq, seq)
      this.sql.deleteTip.run(parentSeq)
    }
    this.sql.insertTip.run(seq)
    if (tx.payload.kind === TxKind.Genesis || tx.payload.kind === TxKind.Transfer) {
      tx.payload.outputs.forEach((o, i) => this.sql.insertOutput.run(seq, i, o.address, o.amount))
    }
    const doubleSpent = new Map<string, number[]>()
    for (const spend of row.spends) {
      const earlier = this.spenders(spend.txSeq, spend.idx)
      this.sql.insertSpend.run(spend.txSeq, spend.idx, seq)
      if (earlier.length) {
        this.sql.openConflict.run(spend.txSeq, spend.idx, receivedMs)
        doubleSpent.set(spend.key, earlier)
      }
    }
    return doubleSpent
  }

  /** Rewrites the id chunks that the ids from `fromSize` up to the graph's size fell into. */
  saveIdChunks(graph: TangleGraph, fromSize: number): void {
    for (let chunk = Math.floor(fromSize / ID_CHUNK); chunk * ID_CHUNK < graph.size; chunk++) {
      const end = Math.min(graph.size, (chunk + 1) * ID_CHUNK)
      this.sql.saveIdChunk.run(chunk, graph.ids.subarray(chunk * ID_CHUNK * ID_BYTES, end * ID_BYTES))
    }
  }

  /** Base units held by an address; `final`: milestones decide (finality.ts). */
  balanceOf(address: Uint8Array, final: boolean): bigint {
    return this.sql.balance[Number(final)]!.get(address)!
  }

  unspentOutputs(address: Uint8Array, final: boolean): { txId: Uint8Array; index: number; amount: bigint }[] {
    const rows = this.sql.unspent[Number(final)]!.all(address)
    return rows.map((r) => ({ txId: new Uint8Array(r.id), index: Number(r.idx), amount: r.amount }))
  }

  transfersOf(address: Uint8Array, publicKey: Uint8Array, limit: number) {
    return this.sql.transfersOf.all({ address, publicKey, limit })
  }
}
