import { bech32 } from '@scure/base'
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { HDKey } from 'micro-key-producer/slip10.js'
import type { KeyObject } from 'node:crypto'
import { ADDRESS_PREFIX, addressOf, encodeAddress } from '../ledger/address'
import { privateKeyFromSeed, publicKeyBytes } from '../ledger/signing'
import { Dv2gError } from '../../../src-shared/errors'

export { ADDRESS_PREFIX, encodeAddress } from '../ledger/address'

/** An address or mnemonic as typed by someone, and what is wrong with it. */
export class KeyInputError extends Dv2gError {
  declare readonly field: 'address' | 'mnemonic'
  constructor(field: 'address' | 'mnemonic', message: string) {
    super('invalid_argument', message, { field })
    this.name = 'KeyInputError'
  }
}
/** SLIP-10 ed25519 path of a DV2G wallet's one key: every level hardened, as ed25519 requires. */
export const DERIVATION_PATH = "m/44'/1'/0'/0'/0'"

export function newMnemonic(): string {
  return generateMnemonic(wordlist, 256)
}

export function checkMnemonic(mnemonic: string): string {
  const normalized = mnemonic.trim().toLowerCase().split(/\s+/).join(' ')
  if (!validateMnemonic(normalized, wordlist))
    throw new KeyInputError('mnemonic', 'not a valid BIP39 mnemonic (wrong word, word count or checksum)')
  return normalized
}

export interface WalletKey {
  privateKey: KeyObject
  publicKey: Uint8Array
  address: string
}

export function keyFromMnemonic(mnemonic: string): WalletKey {
  const seed = mnemonicToSeedSync(checkMnemonic(mnemonic))
  const derived = HDKey.fromMasterSeed(seed).derive(DERIVATION_PATH)
  const privateKey = privateKeyFromSeed(derived.privateKey)
  const publicKey = publicKeyBytes(privateKey)
  return { privateKey, publicKey, address: encodeAddress(addressOf(publicKey)) }
}

/** Parses a bech32 dv2g address, saying what is wrong with a bad one. */
export function decodeAddress(address: string): Uint8Array {
  let decoded
  try {
    decoded = bech32.decode(address.trim().toLowerCase() as `${string}1${string}`)
  } catch (error) {
    throw new KeyInputError('address', `not a valid address: ${(error as Error).message}`)
  }
  if (decoded.prefix !== ADDRESS_PREFIX)
    throw new KeyInputError('address', `not a DV2G address: prefix is "${decoded.prefix}", expected "${ADDRESS_PREFIX}"`)
  const bytes = bech32.fromWords(decoded.words)
  if (bytes.length !== 32) throw new KeyInputError('address', `not a valid address: ${bytes.length} bytes, expected 32`)
  return bytes
}
