// What chargers report, applied: statuses and sessions to the live state and the session store,
// meter values to the readings store as one meter per connector (`ocpp:{chargerId}:{connectorId}`).
// The readings store keeps one reading per meter and instant, so a meter value a charger sends
// again after a reconnect is stored once; the live state moves only forward in time, so a replayed
// old value does not overwrite a newer one. Connector 0 (the charger as a whole, its main meter)
// is stored but not shown as a connector. Handlers run a message's writes through `committed`:
// messages arriving together share one commit, and each is answered once its writes are durable.
import { createRPCError } from 'ocpp-rpc'
import type { Db } from '../db/connection'
import type { Reading, ReadingStore } from '../meters/readingStore'
import type { ChargerRegistry } from './chargerRegistry'
import { DEFAULT_GROUP_COMMIT, GroupCommit, type GroupCommitOptions } from './groupCommit'
import type { LiveState } from './liveState'
import type { MeterSample } from './meterValues'
import type { SessionStore } from './sessionStore'

export function meterIdOf(chargerId: string, connectorId: number): string {
  return `ocpp:${chargerId}:${connectorId}`
}

/** The samples that carry an import register, oldest first. */
function registers(samples: readonly MeterSample[]): MeterSample[] {
  return samples.filter((s) => s.importWh !== null).sort((a, b) => a.tsMs - b.tsMs)
}

/** The oldest import register among the samples, in whole Wh; null if none has one. */
function firstRegisterWh(samples: readonly MeterSample[]): number | null {
  const first = registers(samples)[0]
  return first ? Math.round(first.importWh!) : null
}

export class Intake {
  private readonly group: GroupCommit

  constructor(
    private readonly db: Db,
    private readonly readings: ReadingStore,
    readonly sessions: SessionStore,
    private readonly live: LiveState,
    private readonly registry: ChargerRegistry,
    private readonly log: (line: string) => void,
    groupCommit: GroupCommitOptions = DEFAULT_GROUP_COMMIT
  ) {
    this.group = new GroupCommit(db, groupCommit)
  }

  /**
   * Runs a charger message's writes (the methods below) in the next group commit; resolves once
   * they are committed, and only then may the charger hear its answer. A failure is logged and
   * becomes the charger's InternalError, as a handler's throw does.
   */
  committed<T>(chargerId: string, action: string, work: () => T): Promise<T> {
    return this.group.run(work).catch((error: unknown) => {
      if (typeof (error as { rpcErrorCode?: unknown } | null)?.rpcErrorCode === 'string') throw error
      this.log(`${chargerId}: ${action} failed: ${(error as Error).stack ?? String(error)}`)
      throw createRPCError('InternalError', `the central system could not process ${action}`)
    })
  }

  connectorStatus(chargerId: string, connectorId: number, status: string): void {
    if (connectorId === 0) return
    this.live.connector(chargerId, connectorId).status = status
    this.live.changed(chargerId)
  }

  /** 2.x: a physical connector's status, shown as its EVSE's. */
  evseConnectorStatus(chargerId: string, evseId: number, connectorId: number, status: string): void {
    if (evseId === 0) return
    this.live.setPartStatus(chargerId, evseId, connectorId, status)
    this.live.changed(chargerId)
  }

  /** 1.6 StartTransaction: the session, and the register it started at as a reading. */
  startSession16(chargerId: string, connectorId: number, idTag: string, startedMs: number, meterStartWh: number): string {
    const { transactionId } = this.sessions.open16(chargerId, connectorId, idTag, startedMs, meterStartWh)
    this.showSession(chargerId, connectorId, transactionId)
    this.meterSamples(chargerId, connectorId, transactionId, [
      { tsMs: startedMs, importWh: meterStartWh, exportWh: null, powerW: null, socPercent: null }
    ])
    return transactionId
  }

  /** 1.6 StopTransaction: its meter values, the register it stopped at, and the session's end. */
  stopSession16(
    chargerId: string,
    transactionId: string,
    stoppedMs: number,
    meterStopWh: number,
    reason: string | null,
    samples: MeterSample[]
  ): { connectorId: number } | null {
    const session = this.sessions.session(chargerId, transactionId)
    if (!session) {
      this.log(
        `${chargerId}: StopTransaction for transaction ${transactionId}, which it never started here; acknowledged, its readings left out`
      )
      return null
    }
    this.meterSamples(chargerId, session.connectorId, transactionId, [
      ...samples,
      { tsMs: stoppedMs, importWh: meterStopWh, exportWh: null, powerW: null, socPercent: null }
    ])
    this.sessions.close(chargerId, transactionId, stoppedMs, meterStopWh, reason)
    this.endShownSession(chargerId, session.connectorId, transactionId)
    return { connectorId: session.connectorId }
  }

  /**
   * 2.x TransactionEvent. Started opens the session (so does a first Updated whose Started was
   * lost), Ended closes it. Returns the connector (EVSE) the event belongs to, or null when it
   * cannot be told (an event for an unknown transaction that names no EVSE).
   */
  transactionEvent(
    chargerId: string,
    event: {
      eventType: 'Started' | 'Updated' | 'Ended'
      transactionId: string
      seqNo: number
      triggerReason: string
      tsMs: number
      evseId: number | null
      idTag: string | null
      stoppedReason: string | null
    },
    samples: MeterSample[]
  ): { connectorId: number; ended: boolean } | null {
    const { transactionId } = event
    const fresh = this.sessions.recordEvent(chargerId, transactionId, event.seqNo, event.eventType, event.triggerReason, event.tsMs)
    if (!fresh) this.log(`${chargerId}: TransactionEvent ${event.seqNo} of ${transactionId} again (a replay); stored once`)
    // the register a session starts at is the Started event's (a later event's would be somewhere mid-session)
    const startWh = event.eventType === 'Started' ? firstRegisterWh(samples) : null
    let session = this.sessions.session(chargerId, transactionId)
    if (!session && event.evseId !== null) {
      this.sessions.open2(chargerId, transactionId, event.evseId, event.idTag, event.tsMs, startWh)
      session = this.sessions.session(chargerId, transactionId)
    } else if (session && session.meterStartWh === null && startWh !== null) {
      this.sessions.recordMeterStart(chargerId, transactionId, startWh)
    }
    if (!session) {
      this.log(
        `${chargerId}: TransactionEvent ${event.eventType} for transaction ${transactionId}, which names no EVSE and was never started here; acknowledged, its readings left out`
      )
      return null
    }
    const connectorId = session.connectorId
    this.meterSamples(chargerId, connectorId, transactionId, samples)
    if (event.eventType === 'Ended') {
      const lastRegister = registers(samples).at(-1)
      const endWh = lastRegister ? Math.round(lastRegister.importWh!) : null
      this.sessions.close(chargerId, transactionId, event.tsMs, endWh, event.stoppedReason)
      this.endShownSession(chargerId, connectorId, transactionId)
      return { connectorId, ended: true }
    }
    if (session.stoppedMs === null) this.showSession(chargerId, connectorId, transactionId)
    return { connectorId, ended: false }
  }

  /**
   * Meter values of one connector: registers (with power, where given) become readings, states of
   * charge go to their own table, and the newest of them to the live state.
   */
  meterSamples(chargerId: string, connectorId: number, transactionId: string | null, samples: readonly MeterSample[]): void {
    if (samples.length === 0) return
    const meterId = meterIdOf(chargerId, connectorId)
    const ordered = [...samples].sort((a, b) => a.tsMs - b.tsMs)
    const readings = this.readingsOf(meterId, ordered)
    if (readings.length > 0) {
      const stored = this.readings.store(readings, `ocpp:${chargerId}`)
      if (stored.inserted > 0) this.inheritProsumer(meterId, chargerId)
      if (stored.resets > 0) this.log(`${chargerId}: connector ${connectorId}'s register went backwards (a meter reset or replaced?)`)
    }
    if (ordered.some((s) => s.socPercent !== null)) {
      const session = transactionId ?? (connectorId === 0 ? null : this.live.connector(chargerId, connectorId).session)
      for (const sample of ordered)
        if (sample.socPercent !== null) this.sessions.recordSoc(chargerId, connectorId, sample.tsMs, sample.socPercent, session)
    }
    if (connectorId === 0) return
    const connector = this.live.connector(chargerId, connectorId)
    for (const sample of ordered) {
      if (connector.sampledAtMs !== null && sample.tsMs < connector.sampledAtMs) continue
      connector.sampledAtMs = sample.tsMs
      if (sample.importWh !== null) connector.energyImportWh = Math.round(sample.importWh)
      if (sample.exportWh !== null) connector.energyExportWh = Math.round(sample.exportWh)
      if (sample.powerW !== null) connector.powerW = Math.round(sample.powerW)
      if (sample.socPercent !== null) connector.socPercent = sample.socPercent
    }
    this.live.changed(chargerId)
    const last = readings.at(-1)
    if (last)
      this.live.emit({
        type: 'reading',
        chargerId,
        connectorId,
        meterId,
        tsMs: last.tsMs,
        importWh: last.importWh,
        exportWh: last.exportWh,
        powerW: last.powerW ?? null
      })
  }

  /**
   * Readings need both registers: one the charger did not send is the one before it (from the
   * store, so the answer is the same however often the message is replayed), or 0 at the start.
   * A sample with no register at all (power or state of charge only) is not a reading.
   */
  private readingsOf(meterId: string, ordered: readonly MeterSample[]): Reading[] {
    const readings: Reading[] = []
    for (const sample of ordered) {
      if (sample.importWh === null && sample.exportWh === null) continue
      const stored = this.readings.readingAt(meterId, sample.tsMs)
      const inBatch = readings.at(-1)
      // the newer of what is stored and what this batch holds before this sample
      const previous = inBatch && (!stored || inBatch.tsMs >= stored.tsMs) ? inBatch : stored
      const importWh = Math.round(sample.importWh ?? previous?.importWh ?? 0)
      const exportWh = Math.round(sample.exportWh ?? previous?.exportWh ?? 0)
      readings.push({ meterId, tsMs: sample.tsMs, importWh, exportWh, powerW: sample.powerW === null ? null : Math.round(sample.powerW) })
    }
    return readings
  }

  /** A connector's meter belongs to the charger's market participant until the operator says otherwise. */
  private inheritProsumer(meterId: string, chargerId: string): void {
    const prosumer = this.registry.get(chargerId)?.prosumer
    if (prosumer) this.db.prepare('UPDATE meters SET prosumer = ? WHERE id = ? AND prosumer IS NULL').run(prosumer, meterId)
  }

  private showSession(chargerId: string, connectorId: number, transactionId: string): void {
    if (connectorId === 0) return
    this.live.connector(chargerId, connectorId).session = transactionId
    this.live.changed(chargerId)
  }

  private endShownSession(chargerId: string, connectorId: number, transactionId: string): void {
    if (connectorId === 0) return
    const connector = this.live.connector(chargerId, connectorId)
    if (connector.session === transactionId) {
      connector.session = null
      connector.powerW = null
    }
    this.live.changed(chargerId)
  }
}
