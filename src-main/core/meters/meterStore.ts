// The SQL of the meters the bridge knows, the serial ports it reads them on, and the files it
// imported: rows in, rows out. The readings themselves are readingStore.ts's.
import type { WritableDB } from '../db/connection'

export interface PortRow {
  path: string
  /** the port's serial settings, as JSON */
  settings: string
  prosumer: string | null
}

export interface MeterRow {
  id: string
  port: string | null
  prosumer: string | null
  readings: number
  firstSeenMs: number
  lastSeenMs: number
}

export interface LastReadingRow {
  tsMs: number
  importWh: number
  exportWh: number
  powerW: number | null
}

export interface ImportRow {
  path: string
  kind: string
  imported: number
  duplicates: number
  flagged: number
  /** the rejected lines, as JSON */
  rejected: string
  finishedAt: string
}

export class MeterStore {
  constructor(private readonly db: WritableDB) {}

  ports(): PortRow[] {
    return this.db.prepare<[], PortRow>('SELECT path, settings, prosumer FROM meter_ports ORDER BY path').all()
  }

  addPort(path: string, settings: string, prosumer: string | null, createdAt: string): void {
    this.db
      .prepare<[string, string, string | null, string]>(
        "INSERT INTO meter_ports (path, protocol, settings, prosumer, created_at) VALUES (?, 'dsmr', ?, ?, ?)"
      )
      .run(path, settings, prosumer, createdAt)
  }

  /** False when there was no such port. */
  removePort(path: string): boolean {
    return this.db.prepare<[string]>('DELETE FROM meter_ports WHERE path = ?').run(path).changes > 0
  }

  /** False when there is no such meter. */
  assign(meterId: string, prosumer: string | null): boolean {
    return this.db.prepare<[string | null, string]>('UPDATE meters SET prosumer = ? WHERE id = ?').run(prosumer, meterId).changes > 0
  }

  /** A meter first seen on a port takes the port's prosumer, unless it has one already. */
  inheritProsumer(meterId: string, path: string): void {
    this.db
      .prepare<[string, string]>(
        'UPDATE meters SET prosumer = (SELECT prosumer FROM meter_ports WHERE path = ?) WHERE id = ? AND prosumer IS NULL'
      )
      .run(path, meterId)
  }

  meters(): MeterRow[] {
    return this.db
      .prepare<[], MeterRow>(
        `SELECT m.id, m.port, m.prosumer, m.first_seen_ms AS firstSeenMs, m.last_seen_ms AS lastSeenMs,
                (SELECT count(*) FROM readings r WHERE r.meter_id = m.id) AS readings
         FROM meters m ORDER BY m.id`
      )
      .all()
  }

  /** A lookup of each meter's newest reading, prepared once for a listing of many. */
  lastReadingLookup(): (meterId: string) => LastReadingRow | undefined {
    const last = this.db.prepare<[string], LastReadingRow>(
      'SELECT ts_ms AS tsMs, import_wh AS importWh, export_wh AS exportWh, power_w AS powerW FROM readings WHERE meter_id = ? ORDER BY ts_ms DESC LIMIT 1'
    )
    return (meterId) => last.get(meterId)
  }

  /** The meters assigned to some prosumer. */
  assigned(): { id: string; prosumer: string }[] {
    return this.db.prepare<[], { id: string; prosumer: string }>('SELECT id, prosumer FROM meters WHERE prosumer IS NOT NULL').all()
  }

  /** The meters assigned to this prosumer. */
  metersOf(prosumer: string): string[] {
    return this.db.prepare<[string], string>('SELECT id FROM meters WHERE prosumer = ? ORDER BY id').pluck().all(prosumer)
  }

  recordImport(row: ImportRow): void {
    this.db
      .prepare<[string, string, number, number, number, string, string]>(
        'INSERT INTO meter_imports (path, kind, imported, duplicates, flagged, rejected, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
      )
      .run(row.path, row.kind, row.imported, row.duplicates, row.flagged, row.rejected, row.finishedAt)
  }
}
