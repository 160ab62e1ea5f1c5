// Meters and readings in SQLite. Readings are written in batches, each batch in one transaction;
// a reading already stored (same meter, same instant) is counted as a duplicate, never doubled.
// Each new reading is compared with the one before it: a counter that went backwards (a reset or
// a replaced meter) and a gap of more than twice the usual interval are flagged.
import { doubled } from '../../../src-shared/typedArrays'
import type { WritableDB } from '../db/connection'

export const FLAG_RESET = 1
export const FLAG_GAP = 2

export interface Reading {
  meterId: string
  tsMs: number
  importWh: number
  exportWh: number
  powerW?: number | null
}

export interface StoredBatch {
  inserted: number
  duplicates: number
  resets: number
  gaps: number
}

/**
 * Readings in columns: an import of a million rows holds them in a few typed arrays instead of a
 * million objects (tens of MB rather than hundreds).
 */
export class ReadingColumns {
  count = 0
  readonly meterIds: string[] = []
  private readonly meterIndex = new Map<string, number>()
  meter: Int32Array
  tsMs: Float64Array
  importWh: Float64Array
  exportWh: Float64Array
  /** NaN where the reading carries no power */
  powerW: Float64Array

  /** room for `capacity` rows before the columns grow */
  constructor(capacity = 1024) {
    this.meter = new Int32Array(capacity)
    this.tsMs = new Float64Array(capacity)
    this.importWh = new Float64Array(capacity)
    this.exportWh = new Float64Array(capacity)
    this.powerW = new Float64Array(capacity)
  }

  // sized to the batch: a charger's one reading a second must not cost 36 KB of columns (and the
  // major collections that much external memory brings)
  static of(readings: readonly Reading[]): ReadingColumns {
    const columns = new ReadingColumns(Math.max(1, readings.length))
    for (const r of readings) columns.push(r)
    return columns
  }

  push(r: Reading): void {
    if (this.count === this.meter.length) this.grow()
    let index = this.meterIndex.get(r.meterId)
    if (index === undefined) {
      index = this.meterIds.push(r.meterId) - 1
      this.meterIndex.set(r.meterId, index)
    }
    const i = this.count++
    this.meter[i] = index
    this.tsMs[i] = r.tsMs
    this.importWh[i] = r.importWh
    this.exportWh[i] = r.exportWh
    this.powerW[i] = r.powerW ?? Number.NaN
  }

  private grow(): void {
    this.meter = doubled(this.meter)
    this.tsMs = doubled(this.tsMs)
    this.importWh = doubled(this.importWh)
    this.exportWh = doubled(this.exportWh)
    this.powerW = doubled(this.powerW)
  }

  /** Row numbers per meter, each in time order. */
  byMeter(): Int32Array[] {
    const counts = new Int32Array(this.meterIds.length)
    for (let i = 0; i < this.count; i++) counts[this.meter[i]!]!++
    const rows = Array.from(counts, (n) => new Int32Array(n))
    const filled = new Int32Array(this.meterIds.length)
    for (let i = 0; i < this.count; i++) {
      const m = this.meter[i]!
      rows[m]![filled[m]!++] = i
    }
    for (const list of rows) {
      let sorted = true
      for (let k = 1; k < list.length && sorted; k++) sorted = this.tsMs[list[k]!]! >= this.tsMs[list[k - 1]!]!
      if (!sorted) list.sort((a, b) => this.tsMs[a]! - this.tsMs[b]!)
    }
    return rows
  }
}

/** A stored reading as the store gives it back. */
export interface ReadingRow {
  tsMs: number
  importWh: number
  exportWh: number
  powerW: number | null
  flags: number
}

/** The statements of the hot path (a reading a second from every charger), prepared once. */
function prepareStatements(db: WritableDB) {
  return {
    upsertMeter: db.prepare<[string, string | null, number, number]>(
      `INSERT INTO meters (id, port, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET port = coalesce(excluded.port, port),
         first_seen_ms = min(first_seen_ms, excluded.first_seen_ms), last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`
    ),
    insert: db.prepare<[string, number | undefined, number | undefined, number | undefined, number | null, number, string]>(
      'INSERT OR IGNORE INTO readings (meter_id, ts_ms, import_wh, export_wh, power_w, flags, source) VALUES (?, ?, ?, ?, ?, ?, ?)'
    ),
    before: db.prepare<[string, number], { tsMs: number; importWh: number; exportWh: number }>(
      'SELECT ts_ms AS tsMs, import_wh AS importWh, export_wh AS exportWh FROM readings WHERE meter_id = ? AND ts_ms < ? ORDER BY ts_ms DESC LIMIT 2'
    ),
    readingAt: db.prepare<[string, number], { tsMs: number; importWh: number; exportWh: number }>(
      'SELECT ts_ms AS tsMs, import_wh AS importWh, export_wh AS exportWh FROM readings WHERE meter_id = ? AND ts_ms <= ? ORDER BY ts_ms DESC LIMIT 1'
    )
  }
}

export class ReadingStore {
  private prepared: ReturnType<typeof prepareStatements> | undefined

  constructor(private readonly db: WritableDB) {}

  private get statements(): ReturnType<typeof prepareStatements> {
    return (this.prepared ??= prepareStatements(this.db))
  }

  /**
   * Stores readings in one transaction. They need not be sorted; each meter's are compared in
   * time order with what is stored before them.
   */
  store(readings: readonly Reading[] | ReadingColumns, source: string, port: string | null = null): StoredBatch {
    const columns = readings instanceof ReadingColumns ? readings : ReadingColumns.of(readings)
    const { upsertMeter, insert, before } = this.statements
    const result: StoredBatch = { inserted: 0, duplicates: 0, resets: 0, gaps: 0 }
    const { tsMs, importWh, exportWh, powerW } = columns
    this.db.transaction(() => {
      columns.byMeter().forEach((rows, m) => {
        if (rows.length === 0) return
        const meterId = columns.meterIds[m]!
        upsertMeter.run(meterId, port, tsMs[rows[0]!]!, tsMs[rows[rows.length - 1]!]!)
        const stored = before.all(meterId, tsMs[rows[0]!]!)
        // the reading before each new one, and the interval before that
        let prevTs = stored[0]?.tsMs ?? Number.NaN
        let prevImport = stored[0]?.importWh ?? 0
        let prevExport = stored[0]?.exportWh ?? 0
        let prevInterval = stored[1] ? stored[0]!.tsMs - stored[1].tsMs : Number.NaN
        for (const i of rows) {
          if (tsMs[i] === prevTs) {
            result.duplicates++
            continue
          }
          let flags = 0
          const known = !Number.isNaN(prevTs)
          if (known && (importWh[i]! < prevImport || exportWh[i]! < prevExport)) flags |= FLAG_RESET
          if (known && tsMs[i]! - prevTs > 2 * prevInterval) flags |= FLAG_GAP
          const power = powerW[i]!
          if (insert.run(meterId, tsMs[i], importWh[i], exportWh[i], Number.isNaN(power) ? null : power, flags, source).changes === 0) {
            result.duplicates++
            continue
          }
          result.inserted++
          if (flags & FLAG_RESET) result.resets++
          if (flags & FLAG_GAP) result.gaps++
          prevInterval = known ? tsMs[i]! - prevTs : Number.NaN
          prevTs = tsMs[i]!
          prevImport = importWh[i]!
          prevExport = exportWh[i]!
        }
      })
    })()
    return result
  }

  /** A meter's readings in [fromMs, toMs), oldest first. */
  readings(meterId: string, fromMs: number, toMs: number, limit = 10_000) {
    return this.db
      .prepare<[string, number, number, number], ReadingRow>(
        'SELECT ts_ms AS tsMs, import_wh AS importWh, export_wh AS exportWh, power_w AS powerW, flags FROM readings WHERE meter_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms LIMIT ?'
      )
      .all(meterId, fromMs, toMs, limit)
  }

  /** A meter's newest `limit` readings, oldest first: what a chart of "now" shows. */
  latest(meterId: string, limit: number) {
    return this.db
      .prepare<[string, number], ReadingRow>(
        'SELECT ts_ms AS tsMs, import_wh AS importWh, export_wh AS exportWh, power_w AS powerW, flags FROM readings WHERE meter_id = ? ORDER BY ts_ms DESC LIMIT ?'
      )
      .all(meterId, limit)
      .reverse()
  }

  /** The last reading at or before tsMs. */
  readingAt(meterId: string, tsMs: number) {
    return this.statements.readingAt.get(meterId, tsMs)
  }
}
