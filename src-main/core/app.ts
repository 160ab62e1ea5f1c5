// The one composition root: every face (Electron, serve mode, CLI) opens the app through here.
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { preparePrivateDataDir } from './dataDir'
import { openDatabase, openDatabaseReadOnly, SchemaVersionError, servingReadsOnly, type Db } from './db/connection'
import { latestSchemaVersion, schemaVersion } from './db/migrate'
import { EventBus } from './events'
import { EsuProfileStore } from './esu/profileStore'
import { ConfirmationTracker } from './ledger/confirmation'
import { Ledger, type LedgerOptions } from './ledger/ledger'
import { TangleService } from './ledger/tangleService'
import { MarketService, type MarketServiceOptions } from './market/service'
import { MarketTangle } from './market/tangle/marketTangle'
import { MeterService, type MeterServiceOptions } from './meters/service'
import { liveOverrides, soldByEv } from './ocpp/marketLink'
import { OcppService, type OcppServiceOptions } from './ocpp/service'
import { LocalMilestones } from './network/localMilestones'
import type { NetworkControl } from './network/switch'
import type { OcppSettingsControl } from './ocpp/switch'
import { readHolder } from './owner/lock'
import { resourcesDir } from './resources'
import { Keystore } from './wallet/keystore'
import { Wallets } from './wallet/wallets'
import { appVersion } from './version'
import type { AppInfo } from '../../src-shared/contract'

export const DATABASE_FILE_NAME = 'dv2g.sqlite'

export const KEYSTORE_FILE_NAME = 'keystore.json'

export interface OpenOptions {
  transport?: AppInfo['transport']
  ledger?: Partial<LedgerOptions>
  market?: Partial<MarketServiceOptions>
  meters?: MeterServiceOptions
  ocpp?: OcppServiceOptions
  /**
   * Opens the database read-only (for commands that only read): safe beside the process that owns
   * the data dir. A data dir with no database yet is created as usual.
   */
  readOnly?: boolean
  /**
   * startLive's own milestones while the console's keystore holds the issuer wallet unlocked
   * (network/localMilestones.ts): every intervalMs (default 5 s), or 'off' where another clock
   * issues them (--milestone-seconds with the network on).
   */
  localMilestones?: { intervalMs: number } | 'off'
}

/** The tangle and its wallets, opened on first use: rebuilding the graph is not free. */
export interface LedgerServices {
  ledger: Ledger
  confirmation: ConfirmationTracker
  wallets: Wallets
  tangle: TangleService
}

/**
 * What a long-running face runs on the app beyond its services, set by the node's composition
 * (core/node): the handlers find the network node and the OCPP central system here, and find
 * nothing in a one-shot command.
 */
export interface RunningControls {
  /** the networking switch of Settings, or the node a command line pinned */
  network: NetworkControl | undefined
  ocpp: OcppSettingsControl | undefined
}

export interface App {
  readonly dataDir: string
  readonly databaseFile: string
  readonly db: Db
  readonly events: EventBus
  readonly esuProfiles: EsuProfileStore
  ledger(): LedgerServices
  /** The market engine, opened on first use. */
  market(): MarketService
  /** The market on the tangle: registrations, runs on the network clock, results and their verification. */
  marketTangle(): MarketTangle
  /** The meter bridge and log imports, opened on first use. */
  meters(): MeterService
  /** The OCPP central system's chargers, sessions and setpoints; its endpoint is started by the faces. */
  ocpp(): OcppService
  /** For the long-running faces: confirmation rounds and live tangle events. */
  startLive(): void
  /** empty until a long-running face's composition fills it */
  readonly running: RunningControls
  info(): AppInfo
  close(): void
}

const OCPP_EVENT_MS = 250

export function open(dataDir: string, options: OpenOptions = {}): App {
  const dir = resolve(dataDir)
  preparePrivateDataDir(dir)
  const databaseFile = join(dir, DATABASE_FILE_NAME)
  const db = options.readOnly && existsSync(databaseFile) ? openForReading(databaseFile, dir) : openDatabase(databaseFile)
  const events = new EventBus()
  const startedAt = new Date().toISOString()
  const version = appVersion()
  let ledgerServices: LedgerServices | undefined
  const openLedger = (): LedgerServices => {
    if (!ledgerServices) {
      const ledger = new Ledger(db, options.ledger)
      const confirmation = new ConfirmationTracker(ledger, db)
      ledgerServices = {
        ledger,
        confirmation,
        wallets: new Wallets(new Keystore(join(dir, KEYSTORE_FILE_NAME)), ledger),
        tangle: new TangleService(ledger, confirmation, db, () => databaseBytes(databaseFile))
      }
    }
    return ledgerServices
  }

  let localMilestones: LocalMilestones | undefined

  const countRows = rowCounter(db)
  let meterService: MeterService | undefined
  const openMeters = () => (meterService ??= new MeterService(db, events, openLedger, options.meters))
  let ocppService: OcppService | undefined
  const openOcpp = () => {
    if (ocppService) return ocppService
    const service = (ocppService = new OcppService(db, options.ocpp))
    // a console hears of changes a quarter of a second apart at most, with every charger as it stands
    let pending: NodeJS.Timeout | undefined
    service.onChange(() => {
      if (pending || !events.listening) return
      pending = setTimeout(() => {
        pending = undefined
        events.emit('ocpp.chargersChanged', { chargers: service.consoleView() })
      }, OCPP_EVENT_MS)
      pending.unref()
    })
    return service
  }
  let marketService: MarketService | undefined
  let marketTangle: MarketTangle | undefined
  const openMarketTangle = () => (marketTangle ??= new MarketTangle(db, openLedger))
  const openMarket = () =>
    (marketService ??= new MarketService(
      db,
      events,
      openLedger,
      {
        scenariosDir: join(resourcesDir(), 'scenarios'),
        // live readings of assigned meters (a charger's among them) replace the scenario's profiles
        // for their prosumers, and a plugged-in EV's state of charge its battery level; with the
        // meter bridge never opened (an offline run) there are none
        overrides: (scenario, windowMs) =>
          liveOverrides(
            scenario,
            meterService?.prosumerEnergy(Date.now() - windowMs, Date.now(), scenario.slotHours),
            ocppService?.listening ? ocppService.sessionsByProsumer() : undefined
          ),
        // each EV's allocation goes to its charger for the next slot's length
        dispatch: (scenario, outcome, windowMs) => {
          if (!ocppService?.listening) return
          const now = Date.now()
          ocppService
            .dispatch(soldByEv(scenario, outcome), scenario.slotHours, now, now + windowMs)
            .catch((error: unknown) => console.error('dv2g ocpp: dispatch failed:', error))
        },
        ...options.market
      },
      openMarketTangle
    ))

  return {
    dataDir: dir,
    databaseFile,
    db,
    events,
    esuProfiles: new EsuProfileStore(db, events),
    ledger: openLedger,
    market: openMarket,
    marketTangle: openMarketTangle,
    meters: openMeters,
    ocpp: openOcpp,
    running: { network: undefined, ocpp: undefined },
    startLive: () => {
      const { ledger, wallets, tangle } = openLedger()
      tangle.start(events)
      openMeters().startLive()
      openMarketTangle().follow()
      if (options.localMilestones !== 'off')
        localMilestones ??= new LocalMilestones(ledger, wallets.keystore, events, options.localMilestones?.intervalMs)
    },
    info: () => ({
      version,
      dataDir: dir,
      databaseFile,
      databaseBytes: databaseBytes(databaseFile),
      schemaVersion: schemaVersion(db),
      latestSchemaVersion,
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      tables: countRows(),
      transport: options.transport ?? 'serve',
      nodeVersion: process.versions.node,
      startedAt
    }),
    close: () => {
      localMilestones?.stop()
      marketService?.close()
      marketTangle?.stop()
      meterService?.close()
      ledgerServices?.tangle.stop()
      ledgerServices?.ledger.closeIngest('the data dir is closing')
      db.close()
    }
  }
}

/**
 * Read-only, unless the database predates this release and no process holds the data dir:
 * then its migrations are applied first, as any other command would.
 */
function openForReading(file: string, dataDir: string): Db {
  try {
    return servingReadsOnly(openDatabaseReadOnly(file))
  } catch (error) {
    if (error instanceof SchemaVersionError && error.version < latestSchemaVersion && !readHolder(dataDir)) return openDatabase(file)
    throw error
  }
}

/** The database with its write-ahead log: what the data dir really holds. */
function databaseBytes(file: string): number {
  return [file, `${file}-wal`].reduce((sum, path) => {
    try {
      return sum + statSync(path).size
    } catch {
      return sum
    }
  }, 0)
}

/** Counting a table of millions of rows takes a tenth of a second: such counts are reused for a minute. */
const SLOW_COUNT_MS = 20
const SLOW_COUNT_REUSE_MS = 60_000

function rowCounter(db: Db): () => AppInfo['tables'] {
  const counted = new Map<string, { rows: number; at: number; tookMs: number }>()
  return () => {
    const names = db
      .prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all()
    return names.map((name) => {
      const last = counted.get(name)
      const now = performance.now()
      if (last && last.tookMs > SLOW_COUNT_MS && now - last.at < SLOW_COUNT_REUSE_MS) return { name, rows: last.rows }
      const rows = db
        .prepare<[], number>(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`)
        .pluck()
        .get()!
      counted.set(name, { rows, at: now, tookMs: performance.now() - now })
      return { name, rows }
    })
  }
}
