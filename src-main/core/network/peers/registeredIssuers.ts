// The market's registered participants as the admission rule asks about them: by the issuer's
// key, against the wallet addresses the operator registered (as milestones confirmed them). The
// registry is read again at most every few seconds: a registration takes a milestone to count.
import { addressOf } from '../../ledger/address'
import { encodeAddress } from '../../wallet/keys'
import type { RegisteredIssuer } from './admission'

const REFRESH_MS = 5_000

export function registeredIssuers(participants: () => readonly { address: string }[], now: () => number = Date.now): RegisteredIssuer {
  let addresses = new Set<string>()
  let readAtMs = -Infinity
  return (issuer) => {
    if (now() - readAtMs >= REFRESH_MS) {
      readAtMs = now()
      try {
        addresses = new Set(participants().map((p) => p.address))
      } catch {
        // a market that cannot be read admits nobody more: the milestone issuers still are
        addresses = new Set()
      }
    }
    return addresses.has(encodeAddress(addressOf(issuer)))
  }
}
