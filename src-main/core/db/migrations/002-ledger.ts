import type { Migration } from './migration'

/**
 * The tangle ledger. `seq` is the arrival order and the index of the in-memory graph (seq − 1);
 * parents are referenced by seq so the graph is rebuilt on open from integers alone.
 */
export const m002Ledger: Migration = {
  version: 2,
  name: 'tangle ledger',
  up(db) {
    db.exec(`
      -- narrow on purpose: reopening reads every row of it to rebuild the graph
      CREATE TABLE transactions (
        seq           INTEGER PRIMARY KEY,
        id            BLOB NOT NULL UNIQUE CHECK (length(id) = 32),
        trunk_seq     INTEGER REFERENCES transactions(seq),
        branch_seq    INTEGER REFERENCES transactions(seq),
        received_ms   INTEGER NOT NULL,
        status        INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
        status_ms     INTEGER
      ) STRICT;

      -- the ids again, 256 to a row in seq order: reopening reads them in a few thousand rows
      -- instead of a million (the id column alone costs 1.5 s to read at 1M transactions)
      CREATE TABLE id_chunks (
        chunk  INTEGER PRIMARY KEY,
        ids    BLOB NOT NULL
      ) STRICT;

      CREATE TABLE transaction_bodies (
        seq           INTEGER PRIMARY KEY REFERENCES transactions(seq),
        -- hash of the signed part: the nonce is not signed, so a copy re-mined with another
        -- nonce has another id but the same essence, and must not count twice
        essence_id    BLOB NOT NULL UNIQUE,
        kind          INTEGER NOT NULL,
        issuer        BLOB NOT NULL,
        timestamp_ms  INTEGER NOT NULL,
        bytes         BLOB NOT NULL
      ) STRICT;
      CREATE INDEX transactions_status ON transactions(status) WHERE status = 0;

      CREATE TABLE approvers (
        parent_seq    INTEGER NOT NULL REFERENCES transactions(seq),
        approver_seq  INTEGER NOT NULL REFERENCES transactions(seq),
        PRIMARY KEY (parent_seq, approver_seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE tips (
        seq INTEGER PRIMARY KEY REFERENCES transactions(seq)
      ) STRICT;

      CREATE TABLE outputs (
        tx_seq      INTEGER NOT NULL REFERENCES transactions(seq),
        idx         INTEGER NOT NULL,
        address     BLOB NOT NULL,
        amount      INTEGER NOT NULL CHECK (amount > 0),
        PRIMARY KEY (tx_seq, idx)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX outputs_address ON outputs(address);

      CREATE TABLE spends (
        tx_seq      INTEGER NOT NULL,
        idx         INTEGER NOT NULL,
        spender_seq INTEGER NOT NULL REFERENCES transactions(seq),
        PRIMARY KEY (tx_seq, idx, spender_seq),
        FOREIGN KEY (tx_seq, idx) REFERENCES outputs(tx_seq, idx)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX spends_spender ON spends(spender_seq);

      CREATE TABLE conflicts (
        tx_seq       INTEGER NOT NULL,
        idx          INTEGER NOT NULL,
        winner_seq   INTEGER REFERENCES transactions(seq),
        opened_ms    INTEGER NOT NULL,
        resolved_ms  INTEGER,
        PRIMARY KEY (tx_seq, idx)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE ledger_meta (
        key    TEXT PRIMARY KEY,
        value  ANY
      ) STRICT;
    `)
  }
}
