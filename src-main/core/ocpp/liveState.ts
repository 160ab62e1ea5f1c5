// What the console shows of each charger, kept in memory as messages arrive: connected or not, on
// which protocol, and per connector its status, session, latest power, state of charge and
// registers, and the last profile sent with the charger's answer. Listeners hear of every change;
// a listener that throws is logged and does not stop the others (nor the charger's message).
import type { OcppProtocol } from './protocol'

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected'

/** The charger's answer to a SetChargingProfile; Failed when there was none (a CALLERROR, a timeout, an answer that breaks the schema). */
export type ProfileStatus = 'Accepted' | 'Rejected' | 'NotSupported' | 'Failed'

export interface ProfileOutcome {
  /** what the charger was sent: the requested power, or 0 where it was clamped */
  setpointW: number
  /** what the market asked for */
  requestedW: number
  /** a discharge the charger cannot be told (1.6/2.0.1 without discharge-by-negative-limit), sent as 0 */
  clamped: boolean
  status: ProfileStatus
  /** the charger's reason (2.x statusInfo), why it was clamped, or the error */
  reason: string | null
  transactionId: string
  slotStartMs: number
  slotEndMs: number
  sentMs: number
  /** what GetCompositeSchedule says the charger will do at the slot's start, if it said */
  confirmedW: number | null
}

export interface ConnectorState {
  /** the connector on 1.6, the EVSE on 2.x: where sessions and charging profiles live */
  id: number
  status: string | null
  /** the open session's transaction id */
  session: string | null
  powerW: number | null
  socPercent: number | null
  energyImportWh: number | null
  energyExportWh: number | null
  /** the instant of the newest meter value applied: an older one replayed later changes nothing */
  sampledAtMs: number | null
  lastProfile: ProfileOutcome | null
}

export interface ChargerState {
  id: string
  registered: boolean
  protocol: OcppProtocol | null
  connected: boolean
  /** what its last BootNotification was answered; null before one this run */
  registration: RegistrationStatus | null
  lastSeenMs: number | null
  connectors: ConnectorState[]
}

/** The shape of `dv2g ocpp chargers --json`, and nothing more. */
export interface ChargerSummary {
  id: string
  protocol: OcppProtocol | null
  connected: boolean
  connectors: {
    id: number
    status: string | null
    session: string | null
    powerW: number | null
    socPercent: number | null
    energyImportWh: number | null
    energyExportWh: number | null
    lastProfile: { setpointW: number; status: ProfileStatus } | null
  }[]
}

export type OcppChange =
  | { type: 'charger'; charger: ChargerState }
  | { type: 'removed'; chargerId: string }
  | {
      type: 'reading'
      chargerId: string
      connectorId: number
      meterId: string
      tsMs: number
      importWh: number
      exportWh: number
      powerW: number | null
    }

export type OcppListener = (change: OcppChange) => void

interface Charger extends Omit<ChargerState, 'connectors'> {
  connectors: Map<number, Connector>
}

interface Connector extends ConnectorState {
  /** 2.x: the status of each physical connector of this EVSE */
  parts: Map<number, string>
}

export class LiveState {
  private readonly chargers = new Map<string, Charger>()
  private readonly listeners = new Set<OcppListener>()

  constructor(private readonly log: (line: string) => void) {}

  onChange(listener: OcppListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The charger's live record, made on first use. */
  charger(id: string, registered = true): Charger {
    let charger = this.chargers.get(id)
    if (!charger) {
      charger = { id, registered, protocol: null, connected: false, registration: null, lastSeenMs: null, connectors: new Map() }
      this.chargers.set(id, charger)
    }
    return charger
  }

  has(id: string): boolean {
    return this.chargers.has(id)
  }

  connector(chargerId: string, connectorId: number): Connector {
    const charger = this.charger(chargerId)
    let connector = charger.connectors.get(connectorId)
    if (!connector) {
      connector = {
        id: connectorId,
        status: null,
        session: null,
        powerW: null,
        socPercent: null,
        energyImportWh: null,
        energyExportWh: null,
        sampledAtMs: null,
        lastProfile: null,
        parts: new Map()
      }
      charger.connectors.set(connectorId, connector)
    }
    return connector
  }

  /** The open session's transaction id on a connector, if any (makes nothing). */
  sessionOf(chargerId: string, connectorId: number): string | null {
    return this.chargers.get(chargerId)?.connectors.get(connectorId)?.session ?? null
  }

  lastProfileOf(chargerId: string, connectorId: number): ProfileOutcome | null {
    return this.chargers.get(chargerId)?.connectors.get(connectorId)?.lastProfile ?? null
  }

  /** An EVSE's status from its connectors' (2.x): Occupied while any is, else the one reported last. */
  setPartStatus(chargerId: string, evseId: number, connectorId: number, status: string): void {
    const evse = this.connector(chargerId, evseId)
    evse.parts.delete(connectorId)
    evse.parts.set(connectorId, status)
    const statuses = [...evse.parts.values()]
    evse.status = statuses.includes('Occupied') ? 'Occupied' : statuses.at(-1)!
  }

  remove(id: string): void {
    if (this.chargers.delete(id)) this.emit({ type: 'removed', chargerId: id })
  }

  /** Tells the listeners that this charger changed. */
  changed(id: string): void {
    const charger = this.chargers.get(id)
    if (charger && this.listeners.size > 0) this.emit({ type: 'charger', charger: snapshot(charger) })
  }

  emit(change: OcppChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch (error) {
        this.log(`a listener of charger changes failed: ${(error as Error).message}`)
      }
    }
  }

  states(): ChargerState[] {
    return [...this.chargers.values()].sort((a, b) => a.id.localeCompare(b.id)).map(snapshot)
  }

  state(id: string): ChargerState | null {
    const charger = this.chargers.get(id)
    return charger ? snapshot(charger) : null
  }

  summaries(): ChargerSummary[] {
    return this.states().map((charger) => ({
      id: charger.id,
      protocol: charger.protocol,
      connected: charger.connected,
      connectors: charger.connectors.map((c) => ({
        id: c.id,
        status: c.status,
        session: c.session,
        powerW: c.powerW,
        socPercent: c.socPercent,
        energyImportWh: c.energyImportWh,
        energyExportWh: c.energyExportWh,
        lastProfile: c.lastProfile ? { setpointW: c.lastProfile.setpointW, status: c.lastProfile.status } : null
      }))
    }))
  }
}

function snapshot(charger: Charger): ChargerState {
  return {
    id: charger.id,
    registered: charger.registered,
    protocol: charger.protocol,
    connected: charger.connected,
    registration: charger.registration,
    lastSeenMs: charger.lastSeenMs,
    connectors: [...charger.connectors.values()]
      .sort((a, b) => a.id - b.id)
      .map(({ parts: _parts, lastProfile, ...connector }) => ({ ...connector, lastProfile: lastProfile ? { ...lastProfile } : null }))
  }
}
