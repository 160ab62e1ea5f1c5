import type { Migration } from './migration'

/**
 * Meters and their readings. A port is a live connection the bridge keeps open; a meter is any
 * meter seen, live or in an imported log, and may belong to a prosumer of the market. Readings
 * are unique per meter and instant, so a reconnect or a second import adds nothing twice.
 */
export const m004Meters: Migration = {
  version: 4,
  name: 'meters',
  up(db) {
    db.exec(`
      CREATE TABLE meter_ports (
        path        TEXT PRIMARY KEY,
        protocol    TEXT NOT NULL CHECK (protocol IN ('dsmr')),
        settings    TEXT NOT NULL CHECK (json_valid(settings)),
        prosumer    TEXT,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE TABLE meters (
        id          TEXT PRIMARY KEY,
        port        TEXT,
        prosumer    TEXT,
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms  INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE readings (
        meter_id    TEXT NOT NULL REFERENCES meters (id) ON DELETE CASCADE,
        ts_ms       INTEGER NOT NULL,
        import_wh   INTEGER NOT NULL CHECK (import_wh >= 0),
        export_wh   INTEGER NOT NULL CHECK (export_wh >= 0),
        power_w     INTEGER,
        -- 1: a counter went backwards (meter reset or replaced); 2: a gap before this reading
        flags       INTEGER NOT NULL DEFAULT 0,
        source      TEXT NOT NULL,
        PRIMARY KEY (meter_id, ts_ms)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE meter_imports (
        id          INTEGER PRIMARY KEY,
        path        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('csv', 'dsmr')),
        imported    INTEGER NOT NULL,
        duplicates  INTEGER NOT NULL,
        flagged     INTEGER NOT NULL,
        rejected    TEXT NOT NULL CHECK (json_valid(rejected)),
        finished_at TEXT NOT NULL
      ) STRICT;
    `)
  }
}
