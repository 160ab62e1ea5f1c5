// Contract handlers: method -> service call. Both transports dispatch through here, so a call is
// validated by the same schemas whichever way it arrived. Each domain builds its own handlers;
// this module assembles them into one table with a handler for every method of the contract.
import { ApiError, isMethodName, methods, parseInput, type MethodName, type MethodOutput } from '../../../src-shared/contract'
import type { App } from '../app'
import { appHandlers } from './app'
import { esuHandlers } from './esu'
import { marketHandlers } from './market'
import { meterHandlers } from './meter'
import { networkHandlers } from './network'
import { ocppHandlers } from './ocpp'
import { tangleHandlers } from './tangle'
import { walletHandlers } from './wallet'

type Handlers = { [M in MethodName]: (input: ReturnType<typeof parseInput<M>>) => MethodOutput<M> | Promise<MethodOutput<M>> }

export function createHandlers(app: App): Handlers {
  return {
    ...appHandlers(app),
    ...esuHandlers(app),
    ...walletHandlers(app),
    ...tangleHandlers(app),
    ...marketHandlers(app),
    ...meterHandlers(app),
    ...networkHandlers(app),
    ...ocppHandlers(app)
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
