import type { Migration } from './migration'

/**
 * The ledger's two indexes keyed by a hash go: a hash puts each new row on a page of its own, so
 * every commit rewrote one index page per transaction for each (19 KB written per transaction at
 * 150,000 held, and a node's cost grew with its tangle). Ids need no SQL index: the graph in memory
 * finds them and no statement looks one up. A re-mined copy is found by timestamp first: the
 * essence holds the timestamp, so (timestamp, essence) is as unique as the essence alone, and new
 * rows land at the end of the index, where the last commit left it. Both tables are rebuilt with
 * the rows they hold (SQLite cannot drop a UNIQUE constraint), with foreign keys off, as
 * SQLite's own procedure for a table other tables reference says.
 */
export const m010LedgerLocalIndexes: Migration = {
  version: 10,
  name: 'ledger indexes without hash keys',
  rebuildsReferencedTables: true,
  up(db) {
    db.exec(`
      CREATE TABLE transactions_new (
        seq           INTEGER PRIMARY KEY,
        id            BLOB NOT NULL CHECK (length(id) = 32),
        trunk_seq     INTEGER REFERENCES transactions(seq),
        branch_seq    INTEGER REFERENCES transactions(seq),
        received_ms   INTEGER NOT NULL,
        status        INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
        status_ms     INTEGER
      ) STRICT;
      INSERT INTO transactions_new SELECT seq, id, trunk_seq, branch_seq, received_ms, status, status_ms FROM transactions;
      DROP TABLE transactions;
      ALTER TABLE transactions_new RENAME TO transactions;
      CREATE INDEX transactions_status ON transactions(status) WHERE status = 0;

      CREATE TABLE transaction_bodies_new (
        seq           INTEGER PRIMARY KEY REFERENCES transactions(seq),
        essence_id    BLOB NOT NULL,
        kind          INTEGER NOT NULL,
        issuer        BLOB NOT NULL,
        timestamp_ms  INTEGER NOT NULL,
        bytes         BLOB NOT NULL,
        UNIQUE (timestamp_ms, essence_id)
      ) STRICT;
      INSERT INTO transaction_bodies_new SELECT seq, essence_id, kind, issuer, timestamp_ms, bytes FROM transaction_bodies;
      DROP TABLE transaction_bodies;
      ALTER TABLE transaction_bodies_new RENAME TO transaction_bodies;
    `)
  }
}
