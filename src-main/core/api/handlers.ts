// What every domain's handlers share: their type, derived from the domain's part of the contract,
// and the turning of a service's refusal into the contract's error.
import type { z } from 'zod'
import { ApiError } from '../../../src-shared/contract'
import { MarketError } from '../market/service'
import { MarketTangleError } from '../market/tangle/marketTangle'
import { MeterError } from '../meters/service'
import { OcppError } from '../ocpp/errors'
import { OcppSettingsError } from '../ocpp/settings'
import { KeyInputError } from '../wallet/keys'
import { KeystoreError } from '../wallet/keystore'

type MethodTable = Record<string, { input: z.ZodType; output: z.ZodType }>

/** One handler per method of a domain's table: the parsed input in, the output (or its promise) out. */
export type DomainHandlers<T extends MethodTable> = {
  [M in keyof T]: (input: z.output<T[M]['input']>) => z.output<T[M]['output']> | Promise<z.output<T[M]['output']>>
}

/**
 * A keystore or ledger refusal, reported against the input field it is about: one field, or the
 * field each kind of refusal is about.
 */
export function refusedAt(field: string | ((error: KeystoreError | KeyInputError) => string), work: () => unknown) {
  try {
    return work()
  } catch (error) {
    if (error instanceof KeystoreError || error instanceof KeyInputError) {
      const path = typeof field === 'string' ? field : field(error)
      throw new ApiError('invalid_argument', `${path}: ${error.message}`, [{ path, message: error.message }])
    }
    throw error
  }
}

/** A service's refusal as the contract's error: invalid_argument naming the field its message starts with, or not_found. */
function asApiError(error: unknown): unknown {
  if (error instanceof MarketError && error.notFound) return new ApiError('not_found', error.message)
  if (!(
    error instanceof MarketError ||
    error instanceof MarketTangleError ||
    error instanceof MeterError ||
    error instanceof OcppError ||
    error instanceof OcppSettingsError
  ))
    return error
  const field = /^(\w+): /.exec(error.message)?.[1]
  return new ApiError(
    'invalid_argument',
    error.message,
    field ? [{ path: field, message: error.message.slice(field.length + 2) }] : undefined
  )
}

export function serviceCall<T>(work: () => T): T {
  try {
    const result = work()
    return (result instanceof Promise ? result.catch((error: unknown) => Promise.reject(asApiError(error))) : result) as T
  } catch (error) {
    throw asApiError(error)
  }
}
