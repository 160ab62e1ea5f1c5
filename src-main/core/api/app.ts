// Handlers of the app's own methods.
import type { appMethods } from '../../../src-shared/contract'
import type { App } from '../app'
import type { DomainHandlers } from './handlers'

export function appHandlers(app: App): DomainHandlers<typeof appMethods> {
  return {
    'app.info': () => app.info()
  }
}
