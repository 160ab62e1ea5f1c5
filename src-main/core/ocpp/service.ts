// The OCPP central system as one service of the core: the charger registry, the
// endpoint chargers connect to, their sessions and meter values into the readings store, their
// live state for the console, and setpoints out to them. Plain Node; the faces start it with a
// host and port (and TLS off loopback) and read it through the methods below.
import type { OcppCharger } from '../../../src-shared/contract'
import type { Db } from '../db/connection'
import { ReadingStore } from '../meters/readingStore'
import {
  CentralSystem,
  DEFAULT_CENTRAL_SYSTEM_SETTINGS,
  type CentralSystemSettings,
  type ListenOptions,
  type Listening
} from './centralSystem'
import { ChargerRegistry, type ChargerChanges, type ChargerRecord, type NewCharger, type UnknownChargerAnswer } from './chargerRegistry'
import { Dispatcher } from './dispatch'
import { Intake } from './intake'
import { LiveState, type ChargerState, type ChargerSummary, type OcppListener, type ProfileOutcome } from './liveState'
import { SessionStore } from './sessionStore'

export interface OcppServiceOptions {
  settings?: Partial<CentralSystemSettings>
  now?: () => number
  /** where problems with chargers are reported, one line each */
  log?: (line: string) => void
}

export class OcppService {
  readonly registry: ChargerRegistry
  readonly sessions: SessionStore
  private readonly live: LiveState
  private readonly centralSystem: CentralSystem
  private readonly dispatcher: Dispatcher

  constructor(db: Db, options: OcppServiceOptions = {}) {
    const now = options.now ?? Date.now
    const log = options.log ?? ((line: string) => console.error(`dv2g ocpp: ${line}`))
    this.registry = new ChargerRegistry(db, now)
    this.sessions = new SessionStore(db)
    this.live = new LiveState(log)
    const intake = new Intake(db, new ReadingStore(db), this.sessions, this.live, this.registry, log)
    this.centralSystem = new CentralSystem(
      {
        registry: this.registry,
        intake,
        live: this.live,
        now,
        log,
        sessionEnded: (link, connectorId, transactionId) => this.dispatcher.clearAfterSession(link, connectorId, transactionId)
      },
      { ...DEFAULT_CENTRAL_SYSTEM_SETTINGS, ...options.settings }
    )
    this.dispatcher = new Dispatcher({
      link: (id) => this.centralSystem.link(id),
      registry: this.registry,
      live: this.live,
      sessions: this.sessions,
      now,
      log
    })
    this.restoreLiveState()
  }

  /** Starts the endpoint; see CentralSystem.listen for the security rules. */
  start(options: ListenOptions): Promise<Listening> {
    return this.centralSystem.listen(options)
  }

  stop(): Promise<void> {
    return this.centralSystem.close()
  }

  get listening(): boolean {
    return this.centralSystem.listening
  }

  /** Registers a charger; the password (given or made) is returned once and kept only hashed. */
  async addCharger(input: NewCharger): Promise<{ charger: ChargerRecord; password: string }> {
    const added = await this.registry.add(input)
    // connected while unknown: it must log in again, now with its password
    this.centralSystem.disconnect(added.charger.id, 'registered: connect again with your password')
    this.live.charger(added.charger.id).registered = true
    this.live.changed(added.charger.id)
    return added
  }

  /** Changes a charger's discharge-by-negative-limit flag or prosumer; the next profile sent uses them. */
  updateCharger(id: string, changes: ChargerChanges): ChargerRecord {
    const updated = this.registry.update(id, changes)
    this.live.changed(id)
    return updated
  }

  removeCharger(id: string): void {
    this.registry.remove(id)
    this.centralSystem.disconnect(id, 'no longer registered')
    this.live.remove(id)
  }

  listChargers(): ChargerRecord[] {
    return this.registry.list()
  }

  get unknownChargers(): UnknownChargerAnswer {
    return this.registry.unknownChargers
  }

  setUnknownChargers(answer: UnknownChargerAnswer): void {
    this.registry.setUnknownChargers(answer)
  }

  /** Registered chargers and connected unknown ones, exactly as `dv2g ocpp chargers --json` prints them. */
  chargers(): ChargerSummary[] {
    return this.live.summaries()
  }

  /** The same with all the console shows: registration, last seen, each profile's reason and confirmation. */
  chargerStates(): ChargerState[] {
    return this.live.states()
  }

  /** Every charger as the console shows it (the contract's ocpp.chargers): registered ones with their settings, and unknown ones waiting. */
  consoleView(): OcppCharger[] {
    const records = new Map(this.registry.list().map((r) => [r.id, r]))
    return this.live.states().map((state) => {
      const record = records.get(state.id)
      return {
        id: state.id,
        registered: record !== undefined,
        protocol: state.protocol,
        connected: state.connected,
        dischargeByNegativeLimit: record?.dischargeByNegativeLimit ?? false,
        prosumer: record?.prosumer ?? null,
        lastSeenMs: state.lastSeenMs,
        connectors: state.connectors.map(({ sampledAtMs: _sampled, lastProfile, ...connector }) => ({
          ...connector,
          lastProfile: lastProfile && {
            setpointW: lastProfile.setpointW,
            requestedW: lastProfile.requestedW,
            clamped: lastProfile.clamped,
            status: lastProfile.status,
            reason: lastProfile.reason,
            sentMs: lastProfile.sentMs,
            confirmedW: lastProfile.confirmedW
          }
        }))
      }
    })
  }

  /** Every change of a charger's live state, and every reading stored; returns the unsubscribe. */
  onChange(listener: OcppListener): () => void {
    return this.live.onChange(listener)
  }

  /**
   * Sends one slot's setpoint (W, negative to discharge) to the session on a connector, as a
   * TxProfile, and returns the charger's answer (also kept as the connector's lastProfile).
   */
  sendSetpoint(chargerId: string, connectorId: number, setpointW: number, slotStartMs: number, slotEndMs: number): Promise<ProfileOutcome> {
    return this.dispatcher.sendSetpoint(chargerId, connectorId, setpointW, slotStartMs, slotEndMs)
  }

  /**
   * The open sessions of connected chargers that stand for a market participant, by participant:
   * where a live market slot reads an EV's state of charge and sends its allocation.
   */
  sessionsByProsumer(): Map<string, { chargerId: string; connectorId: number; socPercent: number | null }> {
    const prosumers = new Map(this.registry.list().flatMap((c) => (c.prosumer === null ? [] : [[c.id, c.prosumer] as const])))
    const sessions = new Map<string, { chargerId: string; connectorId: number; socPercent: number | null }>()
    for (const charger of this.live.states()) {
      const prosumer = prosumers.get(charger.id)
      if (!prosumer || !charger.connected) continue
      for (const connector of charger.connectors)
        if (connector.session !== null && !sessions.has(prosumer))
          sessions.set(prosumer, { chargerId: charger.id, connectorId: connector.id, socPercent: connector.socPercent })
    }
    return sessions
  }

  /**
   * A solved slot's allocation to the sessions of the EVs in it (`soldKWh` by participant, 0 for
   * one that sold nothing): each is sent the power that delivers what it sold over the slot's
   * hours, negative (discharge), for [fromMs, toMs). The answers, in the order sent.
   */
  async dispatch(soldKWh: ReadonlyMap<string, number>, slotHours: number, fromMs: number, toMs: number): Promise<ProfileOutcome[]> {
    const sent = [...this.sessionsByProsumer()].filter(([prosumer]) => soldKWh.has(prosumer))
    return Promise.all(
      sent.map(([prosumer, session]) =>
        this.sendSetpoint(session.chargerId, session.connectorId, -Math.round((soldKWh.get(prosumer)! / slotHours) * 1000), fromMs, toMs)
      )
    )
  }

  /** After a restart: every registered charger (disconnected), its open sessions and last profiles. */
  private restoreLiveState(): void {
    for (const charger of this.registry.list()) this.live.charger(charger.id)
    for (const session of this.sessions.openSessions()) {
      if (session.connectorId === 0 || !this.live.has(session.chargerId)) continue
      this.live.connector(session.chargerId, session.connectorId).session = session.transactionId
    }
    for (const { chargerId, connectorId, outcome } of this.sessions.lastProfiles()) {
      if (this.live.has(chargerId)) this.live.connector(chargerId, connectorId).lastProfile = outcome
    }
  }
}
