// The one contract between the console and the main process. Every method is named here with
// the zod schemas of its input and output; both transports (Electron IPC, serve mode) and the
// renderer's client validate against these same schemas. Each domain declares its methods and
// events in its own module; this one assembles them into the tables the transports serve.
import type { z } from 'zod'
import { appMethods } from './app'
import { invalidArgument } from './errors'
import { esuEvents, esuMethods } from './esu'
import { marketEvents, marketMethods } from './market'
import { meterEvents, meterMethods } from './meter'
import { networkMethods } from './network'
import { ocppEvents, ocppMethods } from './ocpp'
import { tangleEvents, tangleMethods } from './tangle'
import { walletEvents, walletMethods } from './wallet'

export * from './app'
export * from './errors'
export * from './esu'
export * from './market'
export * from './meter'
export * from './network'
export * from './ocpp'
export * from './tangle'
export * from './wallet'
export { MAX_CALL_BYTES, MAX_IMPORT_PATHS, MAX_PATH_CHARS } from './common'

export const methods = {
  ...appMethods,
  ...esuMethods,
  ...walletMethods,
  ...tangleMethods,
  ...marketMethods,
  ...meterMethods,
  ...networkMethods,
  ...ocppMethods
} as const

export type MethodName = keyof typeof methods
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<(typeof methods)[M]['output']>
export const methodNames = Object.keys(methods) as MethodName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}

/** Events pushed from the main process to every connected console. */
export const events = {
  ...esuEvents,
  ...tangleEvents,
  ...walletEvents,
  ...marketEvents,
  ...meterEvents,
  ...ocppEvents
} as const

export type EventName = keyof typeof events
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>
export const eventNames = Object.keys(events) as EventName[]

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}

/** Parses a method's input, throwing an ApiError that names the field on failure. */
export function parseInput<M extends MethodName>(name: M, input: unknown): z.output<(typeof methods)[M]['input']> {
  const result = methods[name].input.safeParse(input)
  if (!result.success) throw invalidArgument(name, result.error)
  return result.data as z.output<(typeof methods)[M]['input']>
}
