import { bech32 } from '@scure/base'
import { createHash } from 'node:crypto'

export const ADDRESS_PREFIX = 'dv2g'

/** A wallet address is the hash of its Ed25519 public key. */
export function addressOf(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(publicKey).digest())
}

/** An address hash as the bech32 text people read and type. */
export function encodeAddress(hash: Uint8Array): string {
  return bech32.encode(ADDRESS_PREFIX, bech32.toWords(hash))
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0
}
