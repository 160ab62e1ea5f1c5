import type { Migration } from './migration'

/**
 * What settlement has put on the ledger, one row per grid–EV payment and per market record, each
 * written in the same transaction as its ledger write: a settle that resumes after a crash or a
 * failure skips what these rows hold, so no pair is paid twice. Slots settled before this
 * migration are copied in from their settlement.
 */
export const m005MarketPayments: Migration = {
  version: 5,
  name: 'market payments',
  up(db) {
    db.exec(`
      CREATE TABLE market_payments (
        run_id   TEXT NOT NULL,
        t        INTEGER NOT NULL,
        grid     TEXT NOT NULL,
        ev       TEXT NOT NULL,
        amount   INTEGER NOT NULL CHECK (amount > 0),
        tx_id    TEXT NOT NULL CHECK (length(tx_id) = 64),
        paid_at  TEXT NOT NULL,
        PRIMARY KEY (run_id, t, grid, ev),
        FOREIGN KEY (run_id, t) REFERENCES market_slots (run_id, t) ON DELETE CASCADE
      ) STRICT;
      CREATE TABLE market_records (
        run_id       TEXT NOT NULL,
        t            INTEGER NOT NULL,
        part         INTEGER NOT NULL CHECK (part >= 0),
        tx_id        TEXT NOT NULL CHECK (length(tx_id) = 64),
        published_at TEXT NOT NULL,
        PRIMARY KEY (run_id, t, part),
        FOREIGN KEY (run_id, t) REFERENCES market_slots (run_id, t) ON DELETE CASCADE
      ) STRICT;
      INSERT INTO market_payments (run_id, t, grid, ev, amount, tx_id, paid_at)
        SELECT s.run_id, s.t, json_extract(p.value, '$.buyer'), json_extract(p.value, '$.seller'),
               CAST(json_extract(p.value, '$.amount') AS INTEGER), json_extract(p.value, '$.id'), s.solved_at
          FROM market_slots s, json_each(s.settlement, '$.transfers') p
         WHERE s.settlement IS NOT NULL;
      INSERT INTO market_records (run_id, t, part, tx_id, published_at)
        SELECT s.run_id, s.t, r.key, r.value, s.solved_at
          FROM market_slots s, json_each(s.settlement, '$.records') r
         WHERE s.settlement IS NOT NULL;
    `)
  }
}
