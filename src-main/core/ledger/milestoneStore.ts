// The milestones' SQL: what each milestone referenced and applied, and the unspent outputs they
// agree on. Rows in, rows out; milestones.ts decides.
import type { WritableDB } from '../db/connection'

type Blob = Uint8Array

export interface LatestMilestoneRow {
  idx: number
  id: Buffer
  state_hash: Buffer
}

export interface MilestoneRefRow {
  milestone: number
  applied: number
  /** null for the milestone itself */
  position: number | null
}

export class MilestoneStore {
  private readonly sql

  constructor(db: WritableDB) {
    this.sql = {
      latest: db.prepare<[], LatestMilestoneRow>('SELECT idx, id, state_hash FROM milestones ORDER BY idx DESC LIMIT 1'),
      refs: db.prepare<[], [number, number]>('SELECT seq, milestone FROM milestone_refs').raw(),
      isUnspent: db.prepare<[Blob, number], number>('SELECT 1 FROM milestone_outputs WHERE tx_id = ? AND idx = ?').pluck(),
      sortedUnspent: db
        .prepare<[], [Buffer, bigint, Buffer, bigint]>('SELECT tx_id, idx, address, amount FROM milestone_outputs ORDER BY tx_id, idx')
        .raw()
        .safeIntegers(true),
      insertMilestone: db.prepare<[number, number, Blob, Blob, number]>(
        'INSERT INTO milestones (idx, seq, id, state_hash, applied_ms) VALUES (?, ?, ?, ?, ?)'
      ),
      insertRef: db.prepare<[number, number, number | null, number]>(
        'INSERT INTO milestone_refs (seq, milestone, position, applied) VALUES (?, ?, ?, ?)'
      ),
      deleteOutput: db.prepare<[Blob, number]>('DELETE FROM milestone_outputs WHERE tx_id = ? AND idx = ?'),
      insertOutput: db.prepare<[Blob, number, Blob, bigint]>(
        'INSERT INTO milestone_outputs (tx_id, idx, address, amount) VALUES (?, ?, ?, ?)'
      ),
      refOf: db.prepare<[number], MilestoneRefRow>('SELECT milestone, applied, position FROM milestone_refs WHERE seq = ?')
    }
  }

  latest(): LatestMilestoneRow | undefined {
    return this.sql.latest.get()
  }

  /** Every referenced transaction's seq with the milestone that referenced it. */
  refs(): IterableIterator<[number, number]> {
    return this.sql.refs.iterate()
  }

  isUnspent(txId: Uint8Array, index: number): boolean {
    return this.sql.isUnspent.get(txId, index) !== undefined
  }

  /** Rows in state-hash order, as SQLite hands them: callers keep the buffers without copying. */
  sortedUnspent(): IterableIterator<[Buffer, bigint, Buffer, bigint]> {
    return this.sql.sortedUnspent.iterate()
  }

  insertMilestone(index: number, seq: number, id: Uint8Array, stateHash: Uint8Array, appliedMs: number): void {
    this.sql.insertMilestone.run(index, seq, id, stateHash, appliedMs)
  }

  /** position null: the milestone itself */
  insertRef(seq: number, milestone: number, position: number | null, applied: boolean): void {
    this.sql.insertRef.run(seq, milestone, position, applied ? 1 : 0)
  }

  deleteOutput(txId: Uint8Array, index: number): void {
    this.sql.deleteOutput.run(txId, index)
  }

  insertOutput(txId: Uint8Array, index: number, address: Uint8Array, amount: bigint): void {
    this.sql.insertOutput.run(txId, index, address, amount)
  }

  refOf(seq: number): MilestoneRefRow | undefined {
    return this.sql.refOf.get(seq)
  }
}
