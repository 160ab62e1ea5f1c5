// What every domain's handlers share: their type, derived from the domain's part of the contract,
// and the turning of a service's refusal into the contract's error.
import type { z } from 'zod'
import { ApiError } from '../../../src-shared/contract'
import { Dv2gError } from '../../../src-shared/errors'
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

/** The codes a caller can act on; any other failure stays hidden behind 'internal'. */
const CALLER_CODES = new Set(['invalid_argument', 'not_found', 'failed_precondition'])

/** A service's refusal as the contract's error: its own code, and the field it names. */
function asApiError(error: unknown): unknown {
  if (error instanceof ApiError || !(error instanceof Dv2gError) || !CALLER_CODES.has(error.code)) return error
  const { field } = error
  const prefix = `${field}: `
  const detail = field && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message
  return new ApiError(error.code, error.message, field ? [{ path: field, message: detail }] : undefined)
}

export function serviceCall<T>(work: () => T): T {
  try {
    const result = work()
    return (result instanceof Promise ? result.catch((error: unknown) => Promise.reject(asApiError(error))) : result) as T
  } catch (error) {
    throw asApiError(error)
  }
}
