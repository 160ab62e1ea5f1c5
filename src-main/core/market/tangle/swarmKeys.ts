// The wallets of a swarm of agents (`dv2g agent swarm`): one Ed25519 key per participant, derived
// from a secret kept in the data dir, so the addresses the operator registered stay the swarm's
// across restarts without a thousand keystore entries to unlock.
import { createHmac, randomBytes, type KeyObject } from 'node:crypto'
import { chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { addressOf } from '../../ledger/address'
import { privateKeyFromSeed, publicKeyBytes } from '../../ledger/signing'
import { writeFileAtomic } from '../../files/atomicFile'
import { encodeAddress } from '../../wallet/keys'

export const SWARM_SECRET_FILE = 'swarm.secret'
const SECRET_BYTES = 32

/** Loads the data dir's swarm secret, creating it (mode 0600, readable by its user only) on first use. */
export function loadOrCreateSwarmSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, SWARM_SECRET_FILE)
  let text: string | undefined
  try {
    text = readFileSync(path, 'utf8').trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (text !== undefined) {
    const secret = Buffer.from(text, 'hex')
    // never replaced silently: the operator registered the addresses it gives
    if (secret.length !== SECRET_BYTES || secret.toString('hex') !== text.toLowerCase())
      throw new Error(
        `${path} is not a swarm secret (${SECRET_BYTES} bytes in hex); move it away to make new wallets, which must then be registered again`
      )
    return secret
  }
  const secret = randomBytes(SECRET_BYTES)
  writeFileAtomic(path, `${secret.toString('hex')}\n`)
  chmodSync(path, 0o600)
  return secret
}

/** The participant's key: its seed is an HMAC of its id under the swarm secret. */
export function swarmKey(secret: Uint8Array, participantId: string): { key: KeyObject; address: string } {
  const key = privateKeyFromSeed(createHmac('sha256', secret).update(`dv2g swarm wallet ${participantId}`).digest())
  return { key, address: encodeAddress(addressOf(publicKeyBytes(key))) }
}
