import type { Migration } from './migration'

/**
 * Market runs and their slots. A run keeps the scenario it ran and the battery and storage state
 * carried into its next slot, so a run interrupted by a restart resumes where it stopped.
 */
export const m003MarketRuns: Migration = {
  version: 3,
  name: 'market runs',
  up(db) {
    db.exec(`
      CREATE TABLE market_runs (
        id            TEXT PRIMARY KEY,
        scenario_name TEXT NOT NULL,
        scenario      TEXT NOT NULL CHECK (json_valid(scenario)),
        clock         TEXT NOT NULL CHECK (clock IN ('instant', 'accelerated', 'hourly')),
        slot_seconds  REAL,
        settle        INTEGER NOT NULL CHECK (settle IN (0, 1)),
        status        TEXT NOT NULL CHECK (status IN ('running', 'paused', 'finished', 'stopped')),
        next_slot     INTEGER NOT NULL,
        state         TEXT NOT NULL CHECK (json_valid(state)),
        created_at    TEXT NOT NULL,
        finished_at   TEXT
      ) STRICT;
      CREATE TABLE market_slots (
        run_id        TEXT NOT NULL REFERENCES market_runs (id) ON DELETE CASCADE,
        t             INTEGER NOT NULL,
        converged     INTEGER NOT NULL CHECK (converged IN (0, 1)),
        clearing_price REAL,
        traded_kwh    REAL NOT NULL,
        paid          REAL NOT NULL,
        outcome       TEXT NOT NULL CHECK (json_valid(outcome)),
        participants  TEXT NOT NULL CHECK (json_valid(participants)),
        settlement    TEXT CHECK (settlement IS NULL OR json_valid(settlement)),
        settle_error  TEXT,
        solved_at     TEXT NOT NULL,
        PRIMARY KEY (run_id, t)
      ) STRICT;
    `)
  }
}
