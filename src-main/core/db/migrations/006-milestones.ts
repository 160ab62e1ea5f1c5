import type { Migration } from './migration'

/**
 * Milestones and White Flag finality (docs/model.md "Milestones and White Flag"): each applied
 * milestone, which milestone referenced each transaction and whether it was applied or
 * conflicting there, and the unspent outputs as the milestones left them. The weighted-walk
 * status in `transactions` is left as it is.
 */
export const m006Milestones: Migration = {
  version: 6,
  name: 'milestones',
  up(db) {
    db.exec(`
      CREATE TABLE milestones (
        idx         INTEGER PRIMARY KEY CHECK (idx >= 1),
        seq         INTEGER NOT NULL UNIQUE REFERENCES transactions(seq),
        id          BLOB NOT NULL UNIQUE CHECK (length(id) = 32),
        state_hash  BLOB NOT NULL CHECK (length(state_hash) = 32),
        applied_ms  INTEGER NOT NULL
      ) STRICT;

      -- position: place in the milestone's White Flag order (NULL for the milestone itself,
      -- which its own state hash cannot cover); applied 0 means conflicting
      CREATE TABLE milestone_refs (
        seq        INTEGER PRIMARY KEY REFERENCES transactions(seq),
        milestone  INTEGER NOT NULL REFERENCES milestones(idx),
        position   INTEGER CHECK (position >= 0),
        applied    INTEGER NOT NULL CHECK (applied IN (0, 1)),
        UNIQUE (milestone, position)
      ) STRICT;

      -- keyed by id bytes so an index scan reads them in the order the state hash needs
      CREATE TABLE milestone_outputs (
        tx_id    BLOB NOT NULL CHECK (length(tx_id) = 32),
        idx      INTEGER NOT NULL CHECK (idx >= 0),
        address  BLOB NOT NULL CHECK (length(address) = 32),
        amount   INTEGER NOT NULL CHECK (amount > 0),
        PRIMARY KEY (tx_id, idx)
      ) STRICT, WITHOUT ROWID;
    `)
  }
}
