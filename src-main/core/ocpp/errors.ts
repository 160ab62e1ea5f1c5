import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'
/** An operator's request the central system cannot carry out; the message names what was wrong. */
export class OcppError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
    this.name = 'OcppError'
  }
}

/** The first zod issue as `field: message`, the way the app reports bad input everywhere. */
export function firstIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, fallback: string): string {
  const issue = error.issues[0]
  if (!issue) return fallback
  return `${issue.path.map(String).join('.') || fallback}: ${issue.message}`
}

/** The field the first zod issue is about, as a dotted path. */
export function issueField(error: { issues: readonly { path: readonly PropertyKey[] }[] }, fallback: string): string {
  return error.issues[0]?.path.map(String).join('.') || fallback
}

/** A failed call in words: the CALLERROR's code and text, or the timeout. */
export function describeCallError(error: unknown): string {
  const rpc = error as { rpcErrorCode?: string; message?: string; name?: string }
  if (rpc.rpcErrorCode) return `${rpc.rpcErrorCode}${rpc.message ? `: ${rpc.message}` : ''}`
  if (rpc.name === 'TimeoutError' || rpc.message === 'Call timeout') return 'no answer in time'
  return rpc.message ?? String(error)
}
