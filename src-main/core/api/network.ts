// Handlers of the network node this process runs and of its networking switch.
import { ApiError, type networkMethods } from '../../../src-shared/contract'
import type { App, RunningControls } from '../app'
import { NetworkSettingsError } from '../network/settings'
import type { NetworkControl } from '../network/switch'
import type { DomainHandlers } from './handlers'

/** The networking switch of the desktop app or dv2g serve, or the node a command line pinned; one-shot commands have none. */
function networkControl(running: Pick<RunningControls, 'network'>): NetworkControl {
  const control = running.network
  if (!control) throw new ApiError('not_found', 'this process has no networking switch: the desktop app and dv2g serve have one')
  return control
}

export function networkHandlers({ running }: Pick<App, 'running'>): DomainHandlers<typeof networkMethods> {
  const node = () => running.network?.node()
  return {
    'network.status': () => {
      const network = node()
      return network ? { running: true as const, ...network.status() } : { running: false as const }
    },
    'network.peers': () => node()?.peers() ?? [],
    'network.banned': () => node()?.banned() ?? [],
    'network.activity': () => node()?.activity() ?? null,
    'network.settings': () => networkControl(running).state(),
    'network.configure': async (settings) => {
      try {
        return await networkControl(running).configure(settings)
      } catch (error) {
        if (!(error instanceof NetworkSettingsError)) throw error
        const path = error.field === 'file' ? 'enabled' : error.field
        throw new ApiError('invalid_argument', error.message, [{ path, message: error.message }])
      }
    }
  }
}
