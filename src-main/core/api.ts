// Contract handlers: method -> service call. Both transports dispatch through here, so a call is
// validated by the same schemas whichever way it arrived.
import {
  ApiError,
  isMethodName,
  methods,
  parseInput,
  type MethodName,
  type MethodOutput
} from '../../src-shared/contract'
import { esuCost } from '../../src-shared/market/esu'
import type { App } from './app'

type Handlers = { [M in MethodName]: (input: ReturnType<typeof parseInput<M>>) => MethodOutput<M> | Promise<MethodOutput<M>> }

export function createHandlers(app: App): Handlers {
  return {
    'app.info': () => app.info(),
    'esu.compute': (parameters) => esuCost(parameters),
    'esu.listProfiles': () => app.esuProfiles.list(),
    'esu.saveProfile': ({ name, parameters }) => app.esuProfiles.save(name, parameters),
    'esu.deleteProfile': ({ name }) => ({ deleted: app.esuProfiles.delete(name) })
  }
}

export type Dispatch = (method: unknown, input: unknown) => Promise<unknown>

/** Validates the method and its input, runs it, and checks what it returns against the contract. */
export function createDispatcher(app: App): Dispatch {
  const handlers = createHandlers(app)
  return async (method, input) => {
    if (!isMethodName(method)) {
      throw new ApiError('unknown_method', `unknown method ${JSON.stringify(method)}`)
    }
    const parsed = parseInput(method, input)
    const handler = handlers[method] as (input: unknown) => unknown
    const output = await handler(parsed)
    return methods[method].output.parse(output)
  }
}

/** What a transport sends back for a failure: contract errors as they are, anything else hidden. */
export function toErrorBody(error: unknown): ReturnType<ApiError['toBody']> {
  if (error instanceof ApiError) return error.toBody()
  console.error(error)
  return { code: 'internal', message: 'internal error; see the main process log' }
}
