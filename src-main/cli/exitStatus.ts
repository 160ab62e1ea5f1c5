// The exit status of a failed command, chosen by the error's code: scripts tell a mistake in
// what they passed (2) from a data dir another process holds (3) and from a failure (1).
import { codeOf, type ErrorCode } from '../../src-shared/errors'

export const EXIT_FAILED = 1
export const EXIT_REFUSED = 2
/** The exit status of a command refused because another process holds the data dir. */
export const EXIT_HELD = 3

const STATUS: Record<ErrorCode, number> = {
  invalid_argument: EXIT_REFUSED,
  not_found: EXIT_REFUSED,
  failed_precondition: EXIT_REFUSED,
  unknown_method: EXIT_REFUSED,
  held: EXIT_HELD,
  unavailable: EXIT_FAILED,
  malformed: EXIT_FAILED,
  internal: EXIT_FAILED
}

export function exitStatusOf(error: unknown): number {
  return STATUS[codeOf(error)]
}
