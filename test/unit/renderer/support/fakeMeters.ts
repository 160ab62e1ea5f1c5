// The meter bridge behind the fake bridge: ports, meters and readings in memory, inputs checked
// with the real contract, imports answered from results the test sets per path (with progress).
import {
  ApiError,
  parseInput,
  type EventName,
  type FileImportResult,
  type Meter,
  type MeterPort,
  type MethodName
} from '../../../../src-shared/contract'

export function createFakeMeters(emit: (name: EventName, payload: unknown) => void) {
  const state = {
    ports: [] as MeterPort[],
    meters: [] as Meter[],
    readings: new Map<string, { tsMs: number; importWh: number; exportWh: number; powerW: number | null; flags: number }[]>(),
    volumes: [] as { name: string; path: string; files: string[] }[],
    /** what `meter.import` answers for a path; unknown paths do not exist */
    imports: new Map<string, FileImportResult>(),
    /** what every `meter.import` answers as skipped */
    skipped: [] as { path: string; reason: string }[]
  }

  function handle(method: MethodName, rawInput: unknown): unknown {
    switch (method) {
      case 'meter.availablePorts':
        return [{ path: '/dev/ttyUSB0', manufacturer: 'FTDI' }]
      case 'meter.ports':
        return state.ports
      case 'meter.addPort': {
        const { path, protocol, prosumer } = parseInput(method, rawInput)
        if (state.ports.some((p) => p.path === path))
          throw new ApiError('invalid_argument', `path: ${path} is already a meter port`, [
            { path: 'path', message: `${path} is already a meter port` }
          ])
        const settings =
          protocol === 'dsmr4'
            ? { baudRate: 9600, dataBits: 7 as const, parity: 'even' as const, stopBits: 1 as const }
            : { baudRate: 115200, dataBits: 8 as const, parity: 'none' as const, stopBits: 1 as const }
        const port: MeterPort = {
          path,
          protocol: 'dsmr',
          settings,
          prosumer,
          status: 'connecting',
          detail: null,
          telegrams: 0,
          rejected: 0,
          lastTelegramAt: null
        }
        state.ports.push(port)
        return port
      }
      case 'meter.removePort': {
        const { path } = parseInput(method, rawInput)
        if (!state.ports.some((p) => p.path === path))
          throw new ApiError('invalid_argument', `path: no meter port ${path}`, [{ path: 'path', message: `no meter port ${path}` }])
        state.ports = state.ports.filter((p) => p.path !== path)
        return { removed: true }
      }
      case 'meter.list':
        return state.meters
      case 'meter.assign': {
        const { meterId, prosumer } = parseInput(method, rawInput)
        const meter = state.meters.find((m) => m.id === meterId)
        if (!meter)
          throw new ApiError('invalid_argument', `meterId: no meter ${meterId}`, [{ path: 'meterId', message: `no meter ${meterId}` }])
        meter.prosumer = prosumer
        return state.meters
      }
      case 'meter.readings': {
        const { meterId, limit } = parseInput(method, rawInput)
        return (state.readings.get(meterId) ?? []).slice(-(limit ?? 2000))
      }
      case 'meter.volumes':
        return state.volumes
      case 'meter.import': {
        const { paths, timeZone } = parseInput(method, rawInput)
        if (timeZone && !isTimeZone(timeZone))
          throw new ApiError('invalid_argument', `timeZone: "${timeZone}" is not a time zone`, [
            { path: 'timeZone', message: 'is not a time zone (e.g. Europe/Amsterdam)' }
          ])
        return runImport(paths)
      }
    }
    return undefined
  }

  // the server's rule: a zone Intl knows
  function isTimeZone(zone: string): boolean {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone })
      return true
    } catch {
      return false
    }
  }

  async function runImport(paths: string[]) {
    const files: FileImportResult[] = []
    for (const [i, path] of paths.entries()) {
      const result = state.imports.get(path)
      if (!result)
        throw new ApiError('invalid_argument', `paths: ${path} does not exist`, [{ path: 'paths', message: `${path} does not exist` }])
      for (const [bytesRead, phase] of [
        [100, 'reading'],
        [400, 'reading'],
        [400, 'writing'],
        [400, 'done']
      ] as const) {
        emit('meter.importProgress', { path, file: i + 1, files: paths.length, bytesRead, bytesTotal: 400, phase })
        await new Promise((resolve) => setTimeout(resolve, 0))
      }
      files.push(result)
    }
    return { files, skipped: state.skipped }
  }

  return {
    handle,
    state,
    reset() {
      state.ports = []
      state.meters = []
      state.readings.clear()
      state.volumes = []
      state.imports.clear()
      state.skipped = []
    }
  }
}
