import { describe, expect, it } from 'vitest'
import { openDatabase, type ReadableDB } from '../../../../../src-main/core/db/connection'
import { SAME_ESSENCE_SQL } from '../../../../../src-main/core/ledger/store'

/** SQLite's plan for a statement, one line per step, as `EXPLAIN QUERY PLAN` words it. */
function planOf(db: ReadableDB, sql: string): string[] {
  return db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null))
    .map((step) => step.detail)
}

describe('the ledger lookups keyed by (timestamp_ms, essence_id)', () => {
  it('find a re-mined copy through the unique index, joined by seq, and scan no table', () => {
    const db = openDatabase(':memory:')
    const plan = planOf(db, SAME_ESSENCE_SQL)
    expect(plan).toEqual([
      expect.stringMatching(
        /^SEARCH b USING (COVERING )?INDEX sqlite_autoindex_transaction_bodies_\d+ \(timestamp_ms=\? AND essence_id=\?\)$/
      ),
      expect.stringMatching(/^SEARCH t USING INTEGER PRIMARY KEY \(rowid=\?\)$/)
    ])
    expect(plan.filter((step) => step.startsWith('SCAN'))).toEqual([])
    db.close()
  })

  it('the index the lookup uses is the one on (timestamp_ms, essence_id), in that order', () => {
    const db = openDatabase(':memory:')
    const index = /USING (?:COVERING )?INDEX (\S+)/.exec(planOf(db, SAME_ESSENCE_SQL)[0] ?? '')?.[1]
    expect(index).toBeDefined()
    const columns = db
      .prepare<[string], { name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno')
      .all(index!)
      .map((column) => column.name)
    expect(columns).toEqual(['timestamp_ms', 'essence_id'])
    db.close()
  })
})
