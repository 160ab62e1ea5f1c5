// The checks a transaction passes on its own, before the tangle is consulted: it decodes,
// its id meets the proof of work, its timestamp is near our clock, and its issuer signed it.
import { decodeTransaction, DecodeError } from './codec'
import { leadingZeroBits, txId } from './hash'
import type { SignatureVerifier } from './signing'
import type { Transaction } from './transaction'

export interface IntrinsicRules {
  powBits: number
  /** how far a timestamp may be from our clock, either way */
  maxSkewMs: number
}

export const DEFAULT_MAX_SKEW_MS = 10 * 60_000

export type Checked =
  | { ok: true; tx: Transaction; id: Uint8Array; bytes: Uint8Array; essenceLength: number }
  | { ok: false; reason: string; id?: Uint8Array }

export function checkIntrinsic(bytes: Uint8Array, rules: IntrinsicRules, nowMs: number, verifier: SignatureVerifier): Checked {
  let decoded
  try {
    decoded = decodeTransaction(bytes)
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, reason: `malformed: ${error.message}` }
    throw error
  }
  const id = txId(bytes)
  const { tx, essenceLength } = decoded
  const work = leadingZeroBits(id)
  if (work < rules.powBits) return { ok: false, id, reason: `proof of work too weak: ${work} leading zero bits, ${rules.powBits} needed` }
  if (Math.abs(tx.timestampMs - nowMs) > rules.maxSkewMs) {
    return { ok: false, id, reason: `timestamp ${new Date(tx.timestampMs).toISOString()} is more than ${rules.maxSkewMs / 1000} s from this node's clock` }
  }
  if (!verifier.verify(tx.issuer, bytes.subarray(0, essenceLength), tx.signature)) {
    return { ok: false, id, reason: 'signature does not verify against the issuer key' }
  }
  return { ok: true, tx, id, bytes, essenceLength }
}
