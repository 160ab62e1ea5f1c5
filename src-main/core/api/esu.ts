// Handlers of the ESU cost model and its saved profiles.
import { ApiError, type esuMethods } from '../../../src-shared/contract'
import { esuCost, EsuNotFiniteError } from '../../../src-shared/market/esu'
import type { App } from '../app'
import type { DomainHandlers } from './handlers'

export function esuHandlers(app: App): DomainHandlers<typeof esuMethods> {
  return {
    'esu.compute': (parameters) => {
      try {
        return esuCost(parameters)
      } catch (error) {
        if (error instanceof EsuNotFiniteError)
          throw new ApiError('invalid_argument', error.message, [
            { path: error.field, message: error.message.slice(error.field.length + 2) }
          ])
        throw error
      }
    },
    'esu.listProfiles': () => app.esuProfiles.list(),
    'esu.saveProfile': ({ name, parameters }) => app.esuProfiles.save(name, parameters),
    'esu.deleteProfile': ({ name }) => ({ deleted: app.esuProfiles.delete(name) })
  }
}
