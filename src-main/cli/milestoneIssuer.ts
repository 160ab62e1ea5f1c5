// `--milestone-seconds` of `dv2g node` and `dv2g serve`: the interval checked, and the passphrase
// that unlocks the milestone issuer's key when the node starts (core/node reads the key).
import { MAX_MILESTONE_SECONDS, MIN_MILESTONE_SECONDS } from '../core/network/milestoneClock'
import type { PinnedNetworkOptions } from '../core/node/composeNode'
import { numberOption, UsageError, type ParsedArgs } from './args'
import { readPassphrase } from './passphrase'

export const MILESTONE_OPTION = 'milestone-seconds'

/** The interval in milliseconds, or undefined when the node issues no milestones. */
export function milestoneIntervalMs(args: ParsedArgs): number | undefined {
  const seconds = numberOption(args, MILESTONE_OPTION)
  if (seconds === undefined) return undefined
  if (!(seconds >= MIN_MILESTONE_SECONDS && seconds <= MAX_MILESTONE_SECONDS)) {
    throw new UsageError(`--${MILESTONE_OPTION} must be between ${MIN_MILESTONE_SECONDS} and ${MAX_MILESTONE_SECONDS}, got ${seconds}`)
  }
  return Math.round(seconds * 1000)
}

/** What the node needs to issue milestones: the interval, and the passphrase, asked for once at start. */
export function milestoneIssuing(intervalMs: number | undefined): PinnedNetworkOptions['milestones'] {
  return intervalMs === undefined ? undefined : { intervalMs, passphrase: () => readPassphrase('Keystore passphrase (milestone issuer): ') }
}
