// Handlers of the network node this process runs and of its networking switch.
import { ApiError, type networkMethods } from '../../../src-shared/contract'
import type { App } from '../app'
import { NetworkSettingsError } from '../network/settings'
import { networkControlOf, type NetworkControl } from '../network/switch'
import { networkOf } from '../network/view'
import type { DomainHandlers } from './handlers'

/** The networking switch of the desktop app or dv2g serve; other processes have none. */
function networkControl(app: App): NetworkControl {
  const control = networkControlOf(app)
  if (!control) throw new ApiError('not_found', 'this process has no networking switch: the desktop app and dv2g serve have one')
  return control
}

export function networkHandlers(app: App): DomainHandlers<typeof networkMethods> {
  return {
    'network.status': () => {
      const network = networkOf(app)
      return network ? { running: true as const, ...network.status() } : { running: false as const }
    },
    'network.peers': () => networkOf(app)?.peers() ?? [],
    'network.banned': () => networkOf(app)?.banned() ?? [],
    'network.activity': () => networkOf(app)?.activity() ?? null,
    'network.settings': () => networkControl(app).state(),
    'network.configure': async (settings) => {
      try {
        return await networkControl(app).configure(settings)
      } catch (error) {
        if (!(error instanceof NetworkSettingsError)) throw error
        const path = error.field === 'file' ? 'enabled' : error.field
        throw new ApiError('invalid_argument', error.message, [{ path, message: error.message }])
      }
    }
  }
}
