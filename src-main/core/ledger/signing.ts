import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'

// node:crypto takes Ed25519 keys as DER; raw 32-byte keys get these fixed ASN.1 prefixes.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes')
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

/** Each key's public bytes, once: deriving and exporting them took about a seventh of an attach. */
const publicKeys = new WeakMap<KeyObject, Uint8Array>()

export function publicKeyBytes(privateKey: KeyObject): Uint8Array {
  let bytes = publicKeys.get(privateKey)
  if (!bytes) {
    const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
    bytes = new Uint8Array(der.subarray(SPKI_ED25519_PREFIX.length))
    publicKeys.set(privateKey, bytes)
  }
  // a copy: a caller may keep or change what it is given
  return bytes.slice()
}

export function signBytes(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKey))
}

/**
 * Verifies Ed25519 signatures, caching the issuers' key objects: building a KeyObject costs
 * about as much as hashing the transaction, and a tangle has few issuers and many transactions.
 */
export class SignatureVerifier {
  private readonly keys = new Map<string, KeyObject | null>()

  constructor(private readonly maxCachedKeys = 10_000) {}

  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const key = this.keyFor(publicKey)
    return key !== null && verify(null, message, key, signature)
  }

  private keyFor(publicKey: Uint8Array): KeyObject | null {
    const id = Buffer.from(publicKey).toString('base64')
    let key = this.keys.get(id)
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' })
      } catch {
        key = null // not a point on the curve: every signature by it is invalid
      }
      if (this.keys.size >= this.maxCachedKeys) this.keys.clear()
      this.keys.set(id, key)
    }
    return key
  }
}
