// The SQL of the network: the history a node serves to peers that sync from it, and how far it
// has synced from each peer. Statements are prepared once: sync serves and stores thousands of
// transactions a batch, and a statement prepared per call would cost more than the lookup.
import type { Statement } from 'better-sqlite3'
import type { WritableDB } from '../db/connection'

/** A stored transaction in this node's own arrival order, which is parents-first. */
export interface HistoryRecord {
  seq: number
  bytes: Uint8Array
}

/** How far this node has synced from each peer: saved with the batch it stored, so a restart resumes there. */
export interface SyncCursors {
  syncCursor(peer: string): number
  saveSyncCursor(peer: string, seq: number): void
}

const cursorKey = (peer: string) => `sync_cursor:${peer}`

export class NetworkStore implements SyncCursors {
  private readonly history: Statement<[number, number], [number, Buffer]>
  /** ledger_meta.value is ANY: what a key holds is checked where it is read */
  private readonly metaValue: Statement<[string], unknown>
  private readonly setMeta: Statement<[string, number]>

  constructor(db: WritableDB) {
    this.history = db
      .prepare<[number, number], [number, Buffer]>('SELECT seq, bytes FROM transaction_bodies WHERE seq > ? ORDER BY seq LIMIT ?')
      .raw()
    this.metaValue = db.prepare<[string], unknown>('SELECT value FROM ledger_meta WHERE key = ?').pluck()
    this.setMeta = db.prepare<[string, number]>(
      'INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'
    )
  }

  /** Up to `limit` transactions stored after `afterSeq`, in arrival order. */
  historyAfter(afterSeq: number, limit: number): HistoryRecord[] {
    return this.history.all(afterSeq, limit).map(([seq, bytes]) => ({ seq, bytes: new Uint8Array(bytes) }))
  }

  syncCursor(peer: string): number {
    const value = this.metaValue.get(cursorKey(peer))
    return typeof value === 'number' ? value : 0
  }

  saveSyncCursor(peer: string, seq: number): void {
    this.setMeta.run(cursorKey(peer), seq)
  }
}
