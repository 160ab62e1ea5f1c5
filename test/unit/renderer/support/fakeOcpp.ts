// The OCPP central system behind the fake bridge: chargers and settings in memory, inputs checked
// with the real contract, every change announced with ocpp.chargersChanged as the main process
// does (there at most every 250 ms; here at once).
import { ApiError, parseInput, type EventName, type MethodName, type OcppCharger, type OcppSettings } from '../../../../src-shared/contract'

type OcppConnector = OcppCharger['connectors'][number]

/** A connector between sessions, with what a test overrides. */
export function ocppConnector(overrides: Partial<OcppConnector> = {}): OcppConnector {
  return {
    id: 1,
    status: 'Available',
    session: null,
    powerW: null,
    socPercent: null,
    energyImportWh: null,
    energyExportWh: null,
    lastProfile: null,
    ...overrides
  }
}

/** A registered charger that never connected, with what a test overrides. */
export function ocppCharger(overrides: Partial<OcppCharger> = {}): OcppCharger {
  return {
    id: 'CP1',
    registered: true,
    protocol: null,
    connected: false,
    dischargeByNegativeLimit: false,
    prosumer: null,
    lastSeenMs: null,
    connectors: [],
    ...overrides
  }
}

/** No central system runs: the desktop app's default. */
export function ocppSettingsOff(): OcppSettings {
  return { listen: null, editable: true, endpoint: null, error: null, securityProfile: null, unknownChargers: 'Pending' }
}

export function createFakeOcpp(emit: (name: EventName, payload: unknown) => void) {
  const state = {
    chargers: [] as OcppCharger[],
    /** as the central system would keep them (hashed there); here for tests to look at */
    passwords: new Map<string, string>(),
    settings: ocppSettingsOff(),
    /** the password ocpp.add makes when none is given */
    madePassword: 'made-by-the-csms-0123456789'
  }

  /** what the main process sends: every charger as it stands */
  const announce = () => emit('ocpp.chargersChanged', { chargers: state.chargers })

  // the main process's refusals: a service error that starts with the field's name
  const refused = (field: string, message: string) => new ApiError('invalid_argument', `${field}: ${message}`, [{ path: field, message }])

  function find(id: string): OcppCharger {
    const charger = state.chargers.find((c) => c.id === id && c.registered)
    if (!charger) throw refused('id', `no charger ${id} is registered`)
    return charger
  }

  function handle(method: MethodName, rawInput: unknown): unknown {
    switch (method) {
      case 'ocpp.chargers':
        parseInput(method, rawInput)
        return state.chargers
      case 'ocpp.add': {
        const { id, password, dischargeByNegativeLimit, prosumer } = parseInput(method, rawInput)
        const known = state.chargers.find((c) => c.id === id)
        if (known?.registered) throw refused('id', `a charger ${id} is already registered`)
        // a charger waiting Pending is admitted as it stands
        const charger: OcppCharger = { ...(known ?? ocppCharger({ id })), registered: true, dischargeByNegativeLimit, prosumer }
        state.chargers = [...state.chargers.filter((c) => c.id !== id), charger]
        const given = password ?? state.madePassword
        state.passwords.set(id, given)
        announce()
        return { charger, password: given }
      }
      case 'ocpp.update': {
        const { id, dischargeByNegativeLimit, prosumer } = parseInput(method, rawInput)
        const charger = find(id)
        if (dischargeByNegativeLimit !== undefined) charger.dischargeByNegativeLimit = dischargeByNegativeLimit
        if (prosumer !== undefined) charger.prosumer = prosumer
        announce()
        return charger
      }
      case 'ocpp.remove': {
        const { id } = parseInput(method, rawInput)
        find(id)
        state.chargers = state.chargers.filter((c) => c.id !== id)
        state.passwords.delete(id)
        announce()
        return { removed: true }
      }
      case 'ocpp.settings':
        parseInput(method, rawInput)
        return state.settings
      case 'ocpp.configure': {
        const { listen, unknownChargers } = parseInput(method, rawInput)
        if (unknownChargers) state.settings = { ...state.settings, unknownChargers }
        if (listen === undefined || listen === state.settings.listen) return state.settings
        if (!state.settings.editable) {
          throw new ApiError(
            'invalid_argument',
            'this process runs the central system its command line asked for (--ocpp-listen); start it without that to set OCPP here'
          )
        }
        const loopback = listen !== null && /^(127\.|localhost:|\[::1\]:)/.test(listen)
        state.settings = {
          ...state.settings,
          listen,
          // as the central system gives it: with the slash the charger's id follows
          endpoint: listen && loopback ? `ws://${listen}/ocpp/` : null,
          securityProfile: listen && loopback ? 1 : null,
          error: listen && !loopback ? `${listen} is not loopback: the central system needs a TLS certificate there` : null
        }
        return state.settings
      }
    }
    return undefined
  }

  return {
    handle,
    state,
    announce,
    reset() {
      state.chargers = []
      state.passwords.clear()
      state.settings = ocppSettingsOff()
    }
  }
}
