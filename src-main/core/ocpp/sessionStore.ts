// Sessions, 2.x transaction events, states of charge and the profiles sent, in SQLite (migration
// 009). Every write is keyed so that a message a charger sends again (its answer was lost, or it
// queued the message while offline) changes nothing the second time.
import type { WritableDB } from '../db/connection'
import type { ProfileOutcome } from './liveState'

export interface Session {
  chargerId: string
  transactionId: string
  connectorId: number
  idTag: string | null
  startedMs: number
  meterStartWh: number | null
  stoppedMs: number | null
  meterStopWh: number | null
  stopReason: string | null
}

const SESSION_COLUMNS = `charger_id AS chargerId, transaction_id AS transactionId, connector_id AS connectorId, id_tag AS idTag,
  started_ms AS startedMs, meter_start_wh AS meterStartWh, stopped_ms AS stoppedMs, meter_stop_wh AS meterStopWh, stop_reason AS stopReason`

/** The statements of every meter value and transaction event, prepared once. */
function prepareStatements(db: WritableDB) {
  return {
    session: db.prepare<[string, string], Session>(
      `SELECT ${SESSION_COLUMNS} FROM ocpp_sessions WHERE charger_id = ? AND transaction_id = ?`
    ),
    recordEvent: db.prepare(
      'INSERT OR IGNORE INTO ocpp_transaction_events (charger_id, transaction_id, seq_no, event_type, trigger_reason, ts_ms) VALUES (?, ?, ?, ?, ?, ?)'
    ),
    recordSoc: db.prepare(
      'INSERT OR IGNORE INTO ocpp_soc (charger_id, connector_id, ts_ms, soc_percent, transaction_id) VALUES (?, ?, ?, ?, ?)'
    )
  }
}

export class SessionStore {
  private prepared: ReturnType<typeof prepareStatements> | undefined

  constructor(private readonly db: WritableDB) {}

  private get statements(): ReturnType<typeof prepareStatements> {
    return (this.prepared ??= prepareStatements(this.db))
  }

  /**
   * Opens a 1.6 session, whose transaction id is ours to give: a StartTransaction seen before
   * (same connector, instant and tag) gets the id it was given then.
   */
  open16(
    chargerId: string,
    connectorId: number,
    idTag: string,
    startedMs: number,
    meterStartWh: number
  ): { transactionId: string; replayed: boolean } {
    return this.db.transaction(() => {
      const seen = this.db
        .prepare<[string, number, number, string], string>(
          'SELECT transaction_id FROM ocpp_sessions WHERE charger_id = ? AND connector_id = ? AND started_ms = ? AND id_tag IS ?'
        )
        .pluck()
        .get(chargerId, connectorId, startedMs, idTag)
      if (seen !== undefined) return { transactionId: seen, replayed: true }
      // 1.6 transaction ids are integers: the row's own number, unique across chargers
      const seq = this.db.prepare<[], number>('SELECT coalesce(max(seq), 0) + 1 FROM ocpp_sessions').pluck().get()!
      this.db
        .prepare(
          'INSERT INTO ocpp_sessions (seq, charger_id, transaction_id, connector_id, id_tag, started_ms, meter_start_wh) VALUES (?, ?, ?, ?, ?, ?, ?)'
        )
        .run(seq, chargerId, String(seq), connectorId, idTag, startedMs, meterStartWh)
      return { transactionId: String(seq), replayed: false }
    })()
  }

  /** Opens a 2.x session under the charger's own transaction id; false if it was open already. */
  open2(
    chargerId: string,
    transactionId: string,
    connectorId: number,
    idTag: string | null,
    startedMs: number,
    meterStartWh: number | null
  ): boolean {
    return (
      this.db
        .prepare(
          'INSERT OR IGNORE INTO ocpp_sessions (charger_id, transaction_id, connector_id, id_tag, started_ms, meter_start_wh) VALUES (?, ?, ?, ?, ?, ?)'
        )
        .run(chargerId, transactionId, connectorId, idTag, startedMs, meterStartWh).changes > 0
    )
  }

  /** A 2.x Started event that comes after its session was opened (by an Updated): its register, if none is known yet. */
  recordMeterStart(chargerId: string, transactionId: string, meterStartWh: number): void {
    this.db
      .prepare('UPDATE ocpp_sessions SET meter_start_wh = ? WHERE charger_id = ? AND transaction_id = ? AND meter_start_wh IS NULL')
      .run(meterStartWh, chargerId, transactionId)
  }

  /** Ends a session once: a second StopTransaction or Ended event leaves the first one's record. */
  close(chargerId: string, transactionId: string, stoppedMs: number, meterStopWh: number | null, reason: string | null): Session | null {
    this.db
      .prepare(
        'UPDATE ocpp_sessions SET stopped_ms = ?, meter_stop_wh = ?, stop_reason = ? WHERE charger_id = ? AND transaction_id = ? AND stopped_ms IS NULL'
      )
      .run(stoppedMs, meterStopWh, reason, chargerId, transactionId)
    return this.session(chargerId, transactionId)
  }

  session(chargerId: string, transactionId: string): Session | null {
    return this.statements.session.get(chargerId, transactionId) ?? null
  }

  /** Sessions not ended yet, oldest first: what a restarted central system shows as ongoing. */
  openSessions(): Session[] {
    return this.db.prepare<[], Session>(`SELECT ${SESSION_COLUMNS} FROM ocpp_sessions WHERE stopped_ms IS NULL ORDER BY started_ms`).all()
  }

  /** Records a 2.x TransactionEvent by its sequence number; false if it was recorded before (a replay). */
  recordEvent(chargerId: string, transactionId: string, seqNo: number, eventType: string, triggerReason: string, tsMs: number): boolean {
    return this.statements.recordEvent.run(chargerId, transactionId, seqNo, eventType, triggerReason, tsMs).changes > 0
  }

  /** A state of charge, once per connector and instant. */
  recordSoc(chargerId: string, connectorId: number, tsMs: number, socPercent: number, transactionId: string | null): boolean {
    return this.statements.recordSoc.run(chargerId, connectorId, tsMs, socPercent, transactionId).changes > 0
  }

  socReadings(chargerId: string, connectorId: number): { tsMs: number; socPercent: number; transactionId: string | null }[] {
    return this.db
      .prepare<[string, number], { tsMs: number; socPercent: number; transactionId: string | null }>(
        'SELECT ts_ms AS tsMs, soc_percent AS socPercent, transaction_id AS transactionId FROM ocpp_soc WHERE charger_id = ? AND connector_id = ? ORDER BY ts_ms'
      )
      .all(chargerId, connectorId)
  }

  recordProfile(chargerId: string, connectorId: number, outcome: ProfileOutcome): void {
    this.db
      .prepare(
        `INSERT INTO ocpp_profiles (charger_id, connector_id, sent_ms, transaction_id, slot_start_ms, slot_end_ms, requested_w, setpoint_w, clamped, status, reason, confirmed_w)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        chargerId,
        connectorId,
        outcome.sentMs,
        outcome.transactionId,
        outcome.slotStartMs,
        outcome.slotEndMs,
        outcome.requestedW,
        outcome.setpointW,
        outcome.clamped ? 1 : 0,
        outcome.status,
        outcome.reason,
        outcome.confirmedW
      )
  }

  /** The last profile sent to each connector: what the console shows after a restart. */
  lastProfiles(): { chargerId: string; connectorId: number; outcome: ProfileOutcome }[] {
    const rows = this.db
      .prepare<[], Omit<ProfileOutcome, 'clamped'> & { chargerId: string; connectorId: number; clamped: number }>(
        `SELECT charger_id AS chargerId, connector_id AS connectorId, sent_ms AS sentMs, transaction_id AS transactionId, slot_start_ms AS slotStartMs,
                slot_end_ms AS slotEndMs, requested_w AS requestedW, setpoint_w AS setpointW, clamped, status, reason, confirmed_w AS confirmedW
         FROM ocpp_profiles WHERE id IN (SELECT max(id) FROM ocpp_profiles GROUP BY charger_id, connector_id)`
      )
      .all()
    return rows.map(({ chargerId, connectorId, clamped, ...outcome }) => ({
      chargerId,
      connectorId,
      outcome: { ...outcome, clamped: clamped === 1 }
    }))
  }
}
