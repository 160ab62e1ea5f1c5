// The checks a transaction passes on its own, before the tangle is consulted: it decodes,
// its id meets the proof of work, its timestamp is near our clock, and its issuer signed it.
import { decodeTransaction, DecodeError } from './codec'
import { leadingZeroBits, txId } from './hash'
import type { RefusalCode } from './ingestOutcome'
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
  | { ok: false; code: RefusalCode; reason: string; id?: Uint8Array }

/** `id`: the transaction's id when the caller has hashed it already (gossip's message id). */
export function checkIntrinsic(
  bytes: Uint8Array,
  rules: IntrinsicRules,
  nowMs: number,
  verifier: SignatureVerifier,
  id?: Uint8Array
): Checked {
  const checked = checkAllButSignature(bytes, rules, nowMs, id)
  if (!checked.ok) return checked
  const { publicKey, message, signature } = signedPart(checked)
  return verifier.verify(publicKey, message, signature) ? checked : signatureRefusal(checked)
}

/** What the issuer signed, for verification here or in a worker thread. */
export function signedPart(checked: Extract<Checked, { ok: true }>) {
  return { publicKey: checked.tx.issuer, message: checked.bytes.subarray(0, checked.essenceLength), signature: checked.tx.signature }
}

export const signatureRefusal = (checked: { id: Uint8Array }): Checked => ({
  ok: false,
  id: checked.id,
  code: 'bad_signature',
  reason: 'signature does not verify against the issuer key'
})

/** Everything but the signature, which the caller may verify elsewhere (a worker thread). */
export function checkAllButSignature(bytes: Uint8Array, rules: IntrinsicRules, nowMs: number, id = txId(bytes)): Checked {
  let decoded
  try {
    decoded = decodeTransaction(bytes)
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, code: 'malformed', reason: `malformed: ${error.message}` }
    throw error
  }
  const { tx, essenceLength } = decoded
  const work = leadingZeroBits(id)
  if (work < rules.powBits)
    return {
      ok: false,
      id,
      code: 'weak_proof_of_work',
      reason: `proof of work too weak: ${work} leading zero bits, ${rules.powBits} needed`
    }
  if (Math.abs(tx.timestampMs - nowMs) > rules.maxSkewMs) {
    return {
      ok: false,
      id,
      code: 'clock_skew',
      reason: `timestamp ${new Date(tx.timestampMs).toISOString()} is more than ${rules.maxSkewMs / 1000} s from this node's clock`
    }
  }
  return { ok: true, tx, id, bytes, essenceLength }
}
