// Handlers of meter ports, meters, their readings and log imports.
import { ApiError, type meterMethods } from '../../../src-shared/contract'
import type { App } from '../app'
import { MeterError, MeterService } from '../meters/service'
import { isTimeZone } from '../meters/timeZone'
import { serviceCall, type DomainHandlers } from './handlers'

export function meterHandlers(app: App): DomainHandlers<typeof meterMethods> {
  return {
    'meter.availablePorts': () => MeterService.availablePorts(),
    'meter.ports': () => app.meters().ports(),
    'meter.addPort': ({ path, protocol, prosumer }) =>
      serviceCall(() => app.meters().addPort(path, MeterService.settingsFor(protocol), prosumer)),
    'meter.removePort': ({ path }) => serviceCall(() => (app.meters().removePort(path), { removed: true as const })),
    'meter.list': () => app.meters().meters(),
    'meter.assign': ({ meterId, prosumer }) => serviceCall(() => (app.meters().assign(meterId, prosumer), app.meters().meters())),
    // without a start, the newest readings: what the live chart needs
    'meter.readings': ({ meterId, fromMs, toMs, limit }) =>
      fromMs === undefined && toMs === undefined
        ? app.meters().store.latest(meterId, limit ?? 2000)
        : app.meters().store.readings(meterId, fromMs ?? 0, toMs ?? Number.MAX_SAFE_INTEGER, limit ?? 10_000),
    'meter.volumes': () => app.meters().volumes(),
    'meter.import': async ({ paths, timeZone }) => {
      if (timeZone && !isTimeZone(timeZone))
        throw new ApiError('invalid_argument', `timeZone: "${timeZone}" is not a time zone`, [
          { path: 'timeZone', message: 'is not a time zone (e.g. Europe/Amsterdam)' }
        ])
      try {
        return await app.meters().importPaths(paths, { timeZone })
      } catch (error) {
        if (error instanceof MeterError)
          throw new ApiError('invalid_argument', `paths: ${error.message}`, [{ path: 'paths', message: error.message }])
        throw error
      }
    }
  }
}
