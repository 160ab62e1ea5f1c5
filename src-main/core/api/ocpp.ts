// Handlers of the OCPP central system: its chargers and its settings.
import { ApiError, type ocppMethods } from '../../../src-shared/contract'
import type { App, RunningControls } from '../app'
import type { OcppSettingsControl } from '../ocpp/switch'
import { serviceCall, type DomainHandlers } from './handlers'

function ocppControl(running: Pick<RunningControls, 'ocpp'>): OcppSettingsControl {
  const control = running.ocpp
  if (!control) throw new ApiError('not_found', 'this process runs no OCPP central system: the desktop app, dv2g serve and dv2g node do')
  return control
}

export function ocppHandlers(app: App): DomainHandlers<typeof ocppMethods> {
  return {
    'ocpp.chargers': () => app.ocpp().consoleView(),
    'ocpp.add': (input) =>
      serviceCall(async () => {
        const { charger, password } = await app.ocpp().addCharger(input)
        return {
          charger: app
            .ocpp()
            .consoleView()
            .find((c) => c.id === charger.id)!,
          password
        }
      }),
    'ocpp.update': ({ id, ...changes }) =>
      serviceCall(
        () => (
          app.ocpp().updateCharger(id, changes),
          app
            .ocpp()
            .consoleView()
            .find((c) => c.id === id)!
        )
      ),
    'ocpp.remove': ({ id }) => serviceCall(() => (app.ocpp().removeCharger(id), { removed: true as const })),
    'ocpp.settings': () => ocppControl(app.running).state(),
    'ocpp.configure': (changes) => serviceCall(() => ocppControl(app.running).configure(changes))
  }
}
