import type { Migration } from './migration'

/**
 * The OCPP central system. A charger is registered with the hash of its password (never
 * the password), whether it reads a negative limit as discharge, and the market participant its
 * sessions stand for. Its energy goes to the readings of migration 004, one meter per connector;
 * what readings cannot hold lives here, each row keyed so that a message the charger replays after
 * a reconnect adds nothing twice: sessions by transaction id (1.6 ids are ours: `seq`), 2.x
 * transaction events by sequence number, state of charge by instant. Sessions outlive their
 * charger's registration: they are the history its readings belong to. Profiles sent are kept with
 * the charger's answer, so what the market asked of a vehicle, and what it said, can be shown.
 */
export const m009Ocpp: Migration = {
  version: 9,
  name: 'ocpp',
  up(db) {
    db.exec(`
      CREATE TABLE ocpp_chargers (
        id            TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 48),
        password_hash TEXT NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
        discharge_by_negative_limit INTEGER NOT NULL DEFAULT 0 CHECK (discharge_by_negative_limit IN (0, 1)),
        prosumer      TEXT,
        created_at    TEXT NOT NULL
      ) STRICT;
      CREATE TABLE ocpp_settings (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        -- what a charger that is not registered hears in answer to its BootNotification
        unknown_chargers TEXT NOT NULL CHECK (unknown_chargers IN ('Pending', 'Rejected'))
      ) STRICT;
      INSERT INTO ocpp_settings (id, unknown_chargers) VALUES (1, 'Rejected');
      CREATE TABLE ocpp_sessions (
        seq           INTEGER PRIMARY KEY,
        charger_id    TEXT NOT NULL,
        transaction_id TEXT NOT NULL CHECK (length(transaction_id) BETWEEN 1 AND 36),
        connector_id  INTEGER NOT NULL CHECK (connector_id >= 0),
        id_tag        TEXT,
        started_ms    INTEGER NOT NULL,
        meter_start_wh INTEGER CHECK (meter_start_wh >= 0),
        stopped_ms    INTEGER,
        meter_stop_wh INTEGER CHECK (meter_stop_wh >= 0),
        stop_reason   TEXT,
        UNIQUE (charger_id, transaction_id)
      ) STRICT;
      -- a 1.6 StartTransaction sent again (its answer was lost) finds the session it opened
      CREATE INDEX ocpp_sessions_start ON ocpp_sessions (charger_id, connector_id, started_ms);
      CREATE INDEX ocpp_sessions_open ON ocpp_sessions (charger_id) WHERE stopped_ms IS NULL;
      CREATE TABLE ocpp_transaction_events (
        charger_id    TEXT NOT NULL,
        transaction_id TEXT NOT NULL,
        seq_no        INTEGER NOT NULL CHECK (seq_no >= 0),
        event_type    TEXT NOT NULL CHECK (event_type IN ('Started', 'Updated', 'Ended')),
        trigger_reason TEXT NOT NULL,
        ts_ms         INTEGER NOT NULL,
        PRIMARY KEY (charger_id, transaction_id, seq_no)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE ocpp_soc (
        charger_id    TEXT NOT NULL,
        connector_id  INTEGER NOT NULL CHECK (connector_id >= 0),
        ts_ms         INTEGER NOT NULL,
        soc_percent   REAL NOT NULL CHECK (soc_percent BETWEEN 0 AND 100),
        transaction_id TEXT,
        PRIMARY KEY (charger_id, connector_id, ts_ms)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE ocpp_profiles (
        id            INTEGER PRIMARY KEY,
        charger_id    TEXT NOT NULL,
        connector_id  INTEGER NOT NULL CHECK (connector_id >= 1),
        sent_ms       INTEGER NOT NULL,
        transaction_id TEXT NOT NULL,
        slot_start_ms INTEGER NOT NULL,
        slot_end_ms   INTEGER NOT NULL CHECK (slot_end_ms > slot_start_ms),
        requested_w   INTEGER NOT NULL,
        setpoint_w    INTEGER NOT NULL,
        clamped       INTEGER NOT NULL CHECK (clamped IN (0, 1)),
        status        TEXT NOT NULL,
        reason        TEXT,
        confirmed_w   REAL
      ) STRICT;
      CREATE INDEX ocpp_profiles_connector ON ocpp_profiles (charger_id, connector_id, id);
    `)
  }
}
