// The node's peer identity: an Ed25519 key kept in the data dir, so the peer id other nodes know
// (and score, and ban) stays the same across restarts. Readable by its user only, like the keystore.
import { chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { writeFileAtomic } from '../files/atomicFile'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export const PEER_KEY_FILE_NAME = 'peer.key'

export class PeerKeyError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'malformed', message, options)
  }
}

/** Loads the data dir's peer key, creating it (mode 0600) on first use. */
export async function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, PEER_KEY_FILE_NAME)
  let text: string | undefined
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (text !== undefined) {
    try {
      return privateKeyFromProtobuf(Buffer.from(text.trim(), 'base64'))
    } catch (error) {
      // never replaced silently: peers know this node by the key, and the operator should know why it changed
      throw new PeerKeyError(
        `${path} is not a libp2p private key (${error instanceof Error ? error.message : String(error)}); move it away to make a new identity`
      )
    }
  }
  const key = await generateKeyPair('Ed25519')
  // base64 text: the wallet files' atomic writer (temp file, fsync, rename) takes text, created 0600
  writeFileAtomic(path, `${Buffer.from(privateKeyToProtobuf(key)).toString('base64')}\n`)
  chmodSync(path, 0o600)
  return key
}
