// The one kind of error every layer throws and reads: a stable code from a closed list, a
// message for people, and the input field at fault where there is one. Callers decide by the
// code (an exit status, an HTTP answer, a peer's score), never by the class or the text.

export const ERROR_CODES = [
  /** the input is at fault; field names it where one is */
  'invalid_argument',
  /** the thing named (a run, a wallet, a charger) does not exist */
  'not_found',
  /** the input is fine, but the state refuses it: a locked keystore, a tangle with no genesis */
  'failed_precondition',
  /** the contract has no method by that name */
  'unknown_method',
  /** another process holds the data dir */
  'held',
  /** something this process depends on could not be reached or did not answer */
  'unavailable',
  /** a peer or a file broke the protocol or the format */
  'malformed',
  /** a fault of this process */
  'internal'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface Dv2gErrorOptions {
  /** the input field at fault, as a dotted path */
  field?: string
  cause?: unknown
}

/** What a subclass takes: its usual code may be overridden where a throw site knows better. */
export interface RefusalOptions extends Dv2gErrorOptions {
  code?: ErrorCode
}

export class Dv2gError extends Error {
  readonly field?: string

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: Dv2gErrorOptions = {}
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    if (options.field !== undefined) this.field = options.field
  }
}

/** The code of any thrown value: a Dv2gError's own, anything else is internal. */
export function codeOf(error: unknown): ErrorCode {
  return error instanceof Dv2gError ? error.code : 'internal'
}
