// `--milestone-seconds` of `dv2g node`: the interval checked, and the signing key of the keystore
// wallet the genesis names as milestone issuer, unlocked once at start. Only the operator's data
// dir holds that wallet; any other node is refused with one line before the network starts.
import type { KeyObject } from 'node:crypto'
import type { App } from '../core/app'
import { MAX_MILESTONE_SECONDS, MIN_MILESTONE_SECONDS } from '../core/network/milestoneClock'
import { KeystoreError } from '../core/wallet/keystore'
import { milestoneIssuerWallet } from '../core/wallet/wallets'
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

/** The milestone issuer's private key from this data dir's keystore; the keystore is locked again after. */
export async function milestoneIssuerKey(app: App): Promise<KeyObject> {
  const { ledger, wallets } = app.ledger()
  const refuse = (why: string) => new UsageError(`--${MILESTONE_OPTION}: ${why}`)
  if (ledger.isEmpty)
    throw refuse('this data dir has no tangle yet; milestones are issued by the node that holds the operator wallet the genesis names')
  const issuers = ledger.genesisIssuers().map((key) => Buffer.from(key).toString('hex'))
  if (issuers.length === 0) throw refuse('the genesis of this tangle names no milestone issuer')
  const wallet = milestoneIssuerWallet(wallets.keystore, ledger)
  if (!wallet)
    throw refuse(
      `this data dir holds no milestone issuer key (the genesis names ${issuers.map((k) => `${k.slice(0, 16)}…`).join(', ')}); run it on the operator's data dir`
    )
  try {
    wallets.keystore.unlock(await readPassphrase('Keystore passphrase (milestone issuer): '))
    return wallets.keystore.key(wallet.name).privateKey
  } catch (error) {
    if (error instanceof KeystoreError) throw refuse(error.message)
    throw error
  } finally {
    // the key object stays in this process; the keystore is as locked as before for forwarded sends
    wallets.keystore.lock()
  }
}
