import type { Migration } from './migration'

/**
 * The market's messages on the tangle, indexed once a milestone confirms them: each
 * node reads registrations, offers, bids and results from here in milestone order (milestone,
 * then White Flag position), the order every node agrees on. A body that does not parse is kept
 * with its problem, so a slot can say why an input was left out. Verifications record what this
 * node found when it solved a published result again; an agent's inputs are recorded as it posts
 * them. A run on the network clock keeps its
 * announcement beside its row: market_runs' clock CHECK predates that clock, and changing a
 * CHECK means rebuilding market_runs, which slots and payments reference, so such a run is
 * stored as an accelerated one with its announcement here.
 */
export const m007MarketTangle: Migration = {
  version: 7,
  name: 'market on the tangle',
  up(db) {
    db.exec(`
      CREATE TABLE market_messages (
        seq           INTEGER PRIMARY KEY REFERENCES transactions(seq),
        milestone     INTEGER NOT NULL REFERENCES milestones(idx),
        position      INTEGER NOT NULL,
        topic         TEXT NOT NULL,
        run_id        TEXT,
        t             INTEGER,
        participant   TEXT,
        issuer        BLOB NOT NULL CHECK (length(issuer) = 32),
        timestamp_ms  INTEGER NOT NULL,
        body          BLOB NOT NULL,
        problem       TEXT,
        -- a result part's digest of the whole result: the key its verification is recorded under
        digest        TEXT
      ) STRICT;
      CREATE INDEX market_messages_slot ON market_messages(run_id, t, topic);
      CREATE INDEX market_messages_result ON market_messages(run_id, t, digest) WHERE digest IS NOT NULL;
      CREATE INDEX market_messages_topic ON market_messages(topic, milestone, position);

      CREATE TABLE market_verifications (
        run_id       TEXT NOT NULL,
        t            INTEGER NOT NULL,
        digest       TEXT NOT NULL CHECK (length(digest) = 64),
        milestone    INTEGER,
        inputs       INTEGER,
        matches      INTEGER NOT NULL CHECK (matches IN (0, 1)),
        differences  TEXT NOT NULL,
        checked_ms   INTEGER NOT NULL,
        PRIMARY KEY (run_id, t, digest)
      ) STRICT;

      -- what this node's agent posted, one input per run and slot, so a restart does not post twice
      CREATE TABLE market_agent_inputs (
        run_id     TEXT NOT NULL,
        t          INTEGER NOT NULL,
        tx_id      TEXT NOT NULL CHECK (length(tx_id) = 64),
        posted_ms  INTEGER NOT NULL,
        PRIMARY KEY (run_id, t)
      ) STRICT;

      CREATE TABLE market_network_runs (
        run_id        TEXT PRIMARY KEY REFERENCES market_runs(id) ON DELETE CASCADE,
        announcement  TEXT NOT NULL,
        tx_id         TEXT NOT NULL CHECK (length(tx_id) = 64)
      ) STRICT;
    `)
  }
}
