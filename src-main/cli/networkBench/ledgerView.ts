// What a running node's ledger holds, read from its database beside it (WAL lets a reader in):
// a look costs a query, not a process start or a request that competes with the node's work.
import { join } from 'node:path'
import { DATABASE_FILE_NAME } from '../../core/app'
import { openDatabaseReadOnly, type ReadableDB } from '../../core/db/connection'

export interface MilestoneState {
  index: number
  stateHash: string
}

export class NodeLedgerView {
  private db: ReadableDB | undefined

  constructor(readonly dataDir: string) {}

  /** Opened on first look: a joining node creates its database when it starts. */
  private get database(): ReadableDB {
    this.db ??= openDatabaseReadOnly(join(this.dataDir, DATABASE_FILE_NAME))
    return this.db
  }

  /** Transactions stored (seq is the arrival order, gap-free). */
  transactions(): number {
    return this.database.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM transactions').pluck().get()!
  }

  latestMilestone(): MilestoneState | null {
    const row = this.database
      .prepare<[], { idx: number; hash: string }>('SELECT idx, lower(hex(state_hash)) AS hash FROM milestones ORDER BY idx DESC LIMIT 1')
      .get()
    return row ? { index: row.idx, stateHash: row.hash } : null
  }

  /** Stored transactions no milestone has referenced yet, the genesis not counted: what is not final here. */
  unreferenced(): number {
    const referenced = this.database.prepare<[], number>('SELECT count(*) FROM milestone_refs').pluck().get()!
    const genesisReferenced = this.database.prepare('SELECT 1 FROM milestone_refs WHERE seq = 1').get() !== undefined
    return this.transactions() - referenced - (genesisReferenced ? 0 : 1)
  }

  /** When each transaction stored after a seq arrived here (this machine's clock, ms), by id. */
  receivedAfter(seq: number): Map<string, number> {
    const rows = this.database
      .prepare<[number], { id: string; ms: number }>('SELECT lower(hex(id)) AS id, received_ms AS ms FROM transactions WHERE seq > ?')
      .all(seq)
    return new Map(rows.map((r) => [r.id, r.ms]))
  }

  /** The arrival time of the first and of the last transaction stored here. */
  receivedSpan(): { firstMs: number; lastMs: number } {
    return this.database
      .prepare<[], { firstMs: number; lastMs: number }>('SELECT min(received_ms) AS firstMs, max(received_ms) AS lastMs FROM transactions')
      .get()!
  }

  close(): void {
    this.db?.close()
    this.db = undefined
  }
}
