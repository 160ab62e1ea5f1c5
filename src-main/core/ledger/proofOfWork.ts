import { leadingZeroBits, prefixHash } from './hash'

/** Default difficulty: cheap for an honest issuer (~64 hashes), a cost for a flood. */
export const DEFAULT_POW_BITS = 6

export interface Solved {
  nonce: bigint
  id: Uint8Array
}

/**
 * Finds a nonce so that hash(prefix ‖ nonce) has `bits` leading zero bits. The prefix (essence
 * and signature) is hashed once; each try only adds the 8 nonce bytes.
 */
export function solveProofOfWork(prefix: Uint8Array, bits: number, startNonce = 0n): Solved {
  const base = prefixHash(prefix)
  const nonceBytes = new Uint8Array(8)
  const view = new DataView(nonceBytes.buffer)
  for (let nonce = startNonce; ; nonce++) {
    view.setBigUint64(0, nonce, true)
    const id = base.copy().update(nonceBytes).digest()
    if (leadingZeroBits(id) >= bits) return { nonce, id: new Uint8Array(id) }
  }
}
