// The meter bridge in the main process: the serial ports it keeps open (reconnecting when a
// meter is unplugged), the meters seen and the prosumer each belongs to, imports of meter logs,
// live readings for the console, each prosumer's production and consumption for the market, and
// an hourly summary per meter signed onto the tangle by the prosumer's wallet.
import { SerialPort } from 'serialport'
import type { EventBus } from '../events'
import type { Db } from '../db/connection'
import type { Ledger } from '../ledger/ledger'
import type { Keystore } from '../wallet/keystore'
import { TxKind } from '../ledger/transaction'
import { parseTelegram } from './dsmr'
import { importFile, telegramReading, UnreadableLog, type FileImport, type ImportProgress } from './importer'
import { LogPathError, logFilesIn, removableVolumes, type LogFileOptions, type SkippedPath } from './logFiles'
import { MeterStore } from './meterStore'
import { ReadingStore } from './readingStore'
import { DSMR4_SETTINGS, DSMR5_SETTINGS, SerialLink, type LinkStatus, type PortLike, type SerialSettings } from './serialLink'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export class MeterError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
  }
}

export const METER_TOPIC = 'meter.hourly'
const HOUR_MS = 3_600_000

export interface PortInfo {
  path: string
  protocol: 'dsmr'
  settings: SerialSettings
  prosumer: string | null
  status: LinkStatus
  detail: string | null
  telegrams: number
  rejected: number
  lastTelegramAt: number | null
}

export interface MeterInfo {
  id: string
  port: string | null
  prosumer: string | null
  readings: number
  firstSeenMs: number
  lastSeenMs: number
  last: { tsMs: number; importWh: number; exportWh: number; powerW: number | null } | null
}

export interface ImportResult {
  files: FileImport[]
  /** files and folders that could not be read, and why */
  skipped: SkippedPath[]
}

export interface MeterServiceOptions {
  openPort?: (path: string, settings: SerialSettings) => PortLike
  /** how import folders are listed (tests stand in a folder that cannot be read) */
  readDir?: LogFileOptions['readDir']
  now?: () => number
}

/** What anchoring a reading needs: the tangle to attach to and the prosumer's key to sign with. */
export interface MeterLedger {
  readonly ledger: Pick<Ledger, 'attach'>
  readonly wallets: { readonly keystore: Pick<Keystore, 'isUnlocked' | 'find' | 'key'> }
}

export class MeterService {
  readonly store: ReadingStore
  private readonly meterStore: MeterStore
  private readonly links = new Map<string, { link: SerialLink; telegrams: number; rejected: number; lastTelegramAt: number | null }>()
  private hourly: NodeJS.Timeout | null = null
  private readonly now: () => number

  constructor(
    db: Db,
    private readonly events: EventBus,
    private readonly ledger: () => MeterLedger,
    private readonly options: MeterServiceOptions = {}
  ) {
    this.store = new ReadingStore(db)
    this.meterStore = new MeterStore(db)
    this.now = options.now ?? Date.now
  }

  /** Opens every configured port and starts the hourly summaries: for the long-running faces. */
  startLive(): void {
    for (const row of this.portRows()) this.connect(row.path, JSON.parse(row.settings) as SerialSettings)
    const scheduleHour = () => {
      this.hourly = setTimeout(
        () => {
          this.postHourlySummaries(Math.floor(this.now() / HOUR_MS) * HOUR_MS - HOUR_MS)
          scheduleHour()
        },
        HOUR_MS - (this.now() % HOUR_MS) + 1000
      )
    }
    scheduleHour()
  }

  close(): void {
    if (this.hourly) clearTimeout(this.hourly)
    for (const { link } of this.links.values()) link.stop()
    this.links.clear()
  }

  static async availablePorts(): Promise<{ path: string; manufacturer: string | null }[]> {
    return (await SerialPort.list()).map((p) => ({ path: p.path, manufacturer: p.manufacturer ?? null }))
  }

  static settingsFor(protocol: 'dsmr5' | 'dsmr4'): SerialSettings {
    return protocol === 'dsmr4' ? DSMR4_SETTINGS : DSMR5_SETTINGS
  }

  addPort(path: string, settings: SerialSettings, prosumer: string | null): PortInfo {
    if (this.portRows().some((r) => r.path === path)) throw new MeterError(`path: ${path} is already a meter port`, { field: 'path' })
    this.meterStore.addPort(path, JSON.stringify(settings), prosumer, new Date(this.now()).toISOString())
    this.connect(path, settings)
    return this.port(path)
  }

  removePort(path: string): void {
    this.links.get(path)?.link.stop()
    this.links.delete(path)
    if (!this.meterStore.removePort(path)) throw new MeterError(`path: no meter port ${path}`, { field: 'path' })
    this.announcePorts()
  }

  ports(): PortInfo[] {
    return this.portRows().map((r) => this.port(r.path))
  }

  /** Assigns a meter (and, when it is a port path, the meters behind that port) to a prosumer. */
  assign(meterId: string, prosumer: string | null): void {
    if (!this.meterStore.assign(meterId, prosumer)) throw new MeterError(`meterId: no meter ${meterId}`, { field: 'meterId' })
    this.events.emit('meter.metersChanged', { meters: this.meters() })
  }

  meters(): MeterInfo[] {
    const last = this.meterStore.lastReadingLookup()
    return this.meterStore.meters().map((r) => ({ ...r, last: last(r.id) ?? null }))
  }

  /**
   * Imports files and folders of meter logs, one database transaction per file. What cannot be
   * read is skipped and listed with the reason; when nothing at all could be read, that is an error.
   */
  async importPaths(
    paths: readonly string[],
    options: { timeZone?: string; onProgress?: (p: ImportProgress & { file: number; files: number }) => void } = {}
  ): Promise<ImportResult> {
    let found: ReturnType<typeof logFilesIn>
    try {
      found = logFilesIn(paths, { readDir: this.options.readDir })
    } catch (error) {
      if (error instanceof LogPathError) throw new MeterError(error.message)
      throw error
    }
    const { files, skipped } = found
    const why = () => skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')
    if (files.length === 0)
      throw new MeterError(
        `no meter logs (.csv, .txt, .log, .p1, .dsmr) in ${paths.join(', ')}${skipped.length ? `; skipped ${why()}` : ''}`
      )
    const results: FileImport[] = []
    for (const [index, path] of files.entries()) {
      const progress = (p: ImportProgress) => {
        options.onProgress?.({ ...p, file: index + 1, files: files.length })
        this.events.emit('meter.importProgress', { ...p, file: index + 1, files: files.length })
      }
      let result: FileImport
      try {
        result = await importFile(this.store, path, { timeZone: options.timeZone, onProgress: progress })
      } catch (error) {
        if (!(error instanceof UnreadableLog)) throw error
        skipped.push({ path, reason: error.reason })
        continue
      }
      this.meterStore.recordImport({
        path,
        kind: result.kind,
        imported: result.inserted,
        duplicates: result.duplicates,
        flagged: result.resets + result.gaps,
        rejected: JSON.stringify(result.rejected),
        finishedAt: new Date(this.now()).toISOString()
      })
      results.push(result)
    }
    if (results.length === 0) throw new MeterError(`nothing could be imported: ${why()}`)
    this.events.emit('meter.metersChanged', { meters: this.meters() })
    return { files: results, skipped }
  }

  volumes() {
    return removableVolumes().map((v) => {
      let files: string[] = []
      try {
        files = logFilesIn([v.path]).files.slice(0, 200)
      } catch (error) {
        if (!(error instanceof LogPathError)) throw error // else: a volume unmounted while we looked
      }
      return { ...v, files }
    })
  }

  /**
   * Production and consumption per prosumer over [fromMs, toMs), from its meters' counters:
   * export is what it produced beyond its use, import what it used beyond its production. The
   * average power over the window is applied to a slot of `slotHours`, so an accelerated clock
   * (a slot every few seconds) still trades hour-sized amounts.
   */
  prosumerEnergy(fromMs: number, toMs: number, slotHours: number): Map<string, { productionKWh: number; consumptionKWh: number }> {
    const result = new Map<string, { productionKWh: number; consumptionKWh: number }>()
    const assigned = this.meterStore.assigned()
    for (const { id, prosumer } of assigned) {
      // from the reading the window opens on (or the first inside it) to the last one in it
      const start = this.store.readingAt(id, fromMs) ?? this.store.readings(id, fromMs, toMs, 1)[0]
      const end = this.store.readingAt(id, toMs)
      if (!start || !end || end.tsMs <= start.tsMs || end.importWh < start.importWh || end.exportWh < start.exportWh) continue
      const scale = (slotHours * HOUR_MS) / (end.tsMs - start.tsMs)
      const sum = result.get(prosumer) ?? { productionKWh: 0, consumptionKWh: 0 }
      sum.productionKWh += ((end.exportWh - start.exportWh) / 1000) * scale
      sum.consumptionKWh += ((end.importWh - start.importWh) / 1000) * scale
      result.set(prosumer, sum)
    }
    return result
  }

  /** What the meter counted over [fromMs, toMs]: from its first reading there to its last; null without two. */
  summaryOf(
    meterId: string,
    fromMs: number,
    toMs: number
  ): { meter: string; fromMs: number; toMs: number; importWh: number; exportWh: number; readings: number } | null {
    const readings = this.store.readings(meterId, fromMs, toMs)
    if (readings.length < 2) return null
    const first = readings[0]!
    const last = readings.at(-1)!
    return {
      meter: meterId,
      fromMs: first.tsMs,
      toMs: last.tsMs,
      importWh: last.importWh - first.importWh,
      exportWh: last.exportWh - first.exportWh,
      readings: readings.length
    }
  }

  /** The meters assigned to a prosumer. */
  metersOf(prosumer: string): string[] {
    return this.meterStore.metersOf(prosumer)
  }

  /**
   * Posts each assigned meter's hour [hourStartMs, +1 h) as a data transaction signed by the
   * wallet named like its prosumer; returns what was posted and what was skipped, and why.
   */
  postHourlySummaries(hourStartMs: number): { posted: string[]; skipped: { meterId: string; reason: string }[] } {
    const posted: string[] = []
    const skipped: { meterId: string; reason: string }[] = []
    const assigned = this.meterStore.assigned()
    for (const { id, prosumer } of assigned) {
      const summary = this.summaryOf(id, hourStartMs, hourStartMs + HOUR_MS + 1)
      if (!summary) continue
      try {
        const { wallets, ledger } = this.ledger()
        if (!wallets.keystore.isUnlocked) throw new MeterError('the keystore is locked')
        const wallet = wallets.keystore.find(prosumer)
        if (!wallet) throw new MeterError(`no wallet named "${prosumer}"`)
        const body = new TextEncoder().encode(
          JSON.stringify({
            meter: id,
            prosumer,
            from: new Date(summary.fromMs).toISOString(),
            to: new Date(summary.toMs).toISOString(),
            importWh: summary.importWh,
            exportWh: summary.exportWh,
            readings: summary.readings
          })
        )
        const outcome = ledger.attach(wallets.keystore.key(wallet.name).privateKey, { kind: TxKind.Data, topic: METER_TOPIC, body })
        if (outcome.status !== 'accepted') throw new MeterError('reason' in outcome ? outcome.reason : outcome.status)
        posted.push(outcome.id)
      } catch (error) {
        skipped.push({ meterId: id, reason: (error as Error).message })
      }
    }
    return { posted, skipped }
  }

  private connect(path: string, settings: SerialSettings): void {
    const state = { link: null as unknown as SerialLink, telegrams: 0, rejected: 0, lastTelegramAt: null as number | null }
    state.link = new SerialLink(
      path,
      settings,
      {
        onFrame: (frame) => {
          const outcome = parseTelegram(frame.text)
          if (!outcome.ok || !outcome.telegram.meterId || outcome.telegram.electricity.deliveredKWh.total === null) {
            state.rejected++
            this.announcePorts()
            return
          }
          state.telegrams++
          state.lastTelegramAt = this.now()
          // DSMR 2.2 sends no time: the moment it arrived, to the second, stands in for it
          const timestamp = outcome.telegram.timestamp ?? new Date(Math.floor(this.now() / 1000) * 1000).toISOString()
          const reading = telegramReading({ ...outcome.telegram, meterId: outcome.telegram.meterId, timestamp })
          const stored = this.store.store([reading], `serial:${path}`, path)
          if (stored.inserted > 0) {
            this.inheritProsumer(reading.meterId, path)
            this.events.emit('meter.reading', {
              meterId: reading.meterId,
              port: path,
              tsMs: reading.tsMs,
              importWh: reading.importWh,
              exportWh: reading.exportWh,
              powerW: reading.powerW ?? null
            })
          }
        },
        onDropped: () => {
          state.rejected++
        },
        onStatus: () => this.announcePorts()
      },
      this.options.openPort
    )
    this.links.set(path, state)
    state.link.start()
  }

  /** A meter first seen on a port belongs to the port's prosumer until the operator says otherwise. */
  private inheritProsumer(meterId: string, path: string): void {
    this.meterStore.inheritProsumer(meterId, path)
  }

  private portRows() {
    return this.meterStore.ports()
  }

  private port(path: string): PortInfo {
    const row = this.portRows().find((r) => r.path === path)
    if (!row) throw new MeterError(`path: no meter port ${path}`, { field: 'path' })
    const live = this.links.get(path)
    return {
      path,
      protocol: 'dsmr',
      settings: JSON.parse(row.settings) as SerialSettings,
      prosumer: row.prosumer,
      status: live?.link.status ?? 'stopped',
      detail: live?.link.detail ?? null,
      telegrams: live?.telegrams ?? 0,
      rejected: live?.rejected ?? 0,
      lastTelegramAt: live?.lastTelegramAt ?? null
    }
  }

  private announcePorts(): void {
    this.events.emit('meter.portsChanged', { ports: this.ports() })
  }
}
