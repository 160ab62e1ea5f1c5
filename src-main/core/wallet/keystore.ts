// The wallets of a data dir in keystore.json: names, roles and addresses readable by anyone who
// can read the file, mnemonics sealed with AES-256-GCM under a key derived from the operator's
// passphrase by scrypt. Written atomically; private keys never leave this process.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { writeFileAtomic } from './atomicFile'
import { checkMnemonic, keyFromMnemonic, newMnemonic, type WalletKey } from './keys'

export const ROLES = ['operator', 'grid', 'ev'] as const
export type Role = (typeof ROLES)[number]

export interface WalletInfo {
  name: string
  role: Role
  address: string
  /** hex; the issuer field of the transactions this wallet signs */
  publicKey: string
  createdAt: string
}

interface Sealed {
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string }
  cipher: 'aes-256-gcm'
  iv: string
  tag: string
  ciphertext: string
}

interface KeystoreFile {
  version: 1
  wallets: WalletInfo[]
  sealed: Sealed | null
}

/** 2^15 · 8 · 128 B = 32 MiB and ~0.1 s per unlock: costly to guess, quick to type. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1 }

export class KeystoreError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KeystoreError'
  }
}

export class Keystore {
  private loaded: KeystoreFile | undefined
  private unlocked: { key: Buffer; salt: Buffer; mnemonics: Record<string, string> } | null = null

  constructor(readonly path: string) {}

  /** Read on first use: a damaged keystore fails the wallet calls with its reason, not the whole app. */
  private get file(): KeystoreFile {
    this.loaded ??= existsSync(this.path) ? parseKeystore(readFileSync(this.path, 'utf8'), this.path) : { version: 1, wallets: [], sealed: null }
    return this.loaded
  }

  list(): WalletInfo[] {
    return this.file.wallets.map((w) => ({ ...w }))
  }

  get isUnlocked(): boolean {
    return this.unlocked !== null
  }

  get isNew(): boolean {
    return this.file.sealed === null
  }

  /** Opens the keystore; a new one takes the passphrase it is given as its own. */
  unlock(passphrase: string): void {
    if (passphrase.length === 0) throw new KeystoreError('the passphrase is empty')
    const sealed = this.file.sealed
    if (!sealed) {
      if (passphrase.length < 8) throw new KeystoreError('choose a passphrase of at least 8 characters for the new keystore')
      const salt = randomBytes(16)
      this.unlocked = { key: deriveKey(passphrase, salt), salt, mnemonics: {} }
      return
    }
    const salt = Buffer.from(sealed.kdf.salt, 'base64')
    const key = deriveKey(passphrase, salt, sealed.kdf)
    let plain: string
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'))
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'))
      plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8')
    } catch {
      throw new KeystoreError('wrong passphrase: the keystore could not be opened with it')
    }
    this.unlocked = { key, salt, mnemonics: (JSON.parse(plain) as { mnemonics: Record<string, string> }).mnemonics }
  }

  lock(): void {
    this.unlocked = null
  }

  /** A new wallet with a fresh 24-word mnemonic; the mnemonic is returned once for the operator to write down. */
  create(name: string, role: Role): { wallet: WalletInfo; mnemonic: string } {
    const mnemonic = newMnemonic()
    return { wallet: this.import(name, role, mnemonic), mnemonic }
  }

  import(name: string, role: Role, mnemonic: string): WalletInfo {
    const unlocked = this.requireUnlocked()
    const cleanName = name.trim()
    if (!/^[\w .-]{1,64}$/.test(cleanName)) throw new KeystoreError('a wallet name is 1 to 64 letters, digits, spaces, dots, dashes or underscores')
    if (!ROLES.includes(role)) throw new KeystoreError(`role must be one of ${ROLES.join(', ')}`)
    if (this.find(cleanName)) throw new KeystoreError(`a wallet named "${cleanName}" already exists`)
    const normalized = checkMnemonic(mnemonic)
    const { address, publicKey } = keyFromMnemonic(normalized)
    const existing = this.file.wallets.find((w) => w.address === address)
    if (existing) throw new KeystoreError(`this mnemonic is already the wallet "${existing.name}"`)
    const wallet: WalletInfo = { name: cleanName, role, address, publicKey: Buffer.from(publicKey).toString('hex'), createdAt: new Date().toISOString() }
    this.save([...this.file.wallets, wallet], { ...unlocked.mnemonics, [cleanName]: normalized })
    return wallet
  }

  find(name: string): WalletInfo | undefined {
    return this.file.wallets.find((w) => w.name.toLowerCase() === name.trim().toLowerCase())
  }

  /** The signing key of a wallet: only while unlocked, only inside this process. */
  key(name: string): WalletKey {
    const unlocked = this.requireUnlocked()
    const wallet = this.find(name)
    if (!wallet) throw new KeystoreError(`no wallet named "${name}"`)
    return keyFromMnemonic(unlocked.mnemonics[wallet.name]!)
  }

  private requireUnlocked() {
    if (!this.unlocked) throw new KeystoreError('the keystore is locked: unlock it with its passphrase first')
    return this.unlocked
  }

  private save(wallets: WalletInfo[], mnemonics: Record<string, string>): void {
    const unlocked = this.requireUnlocked()
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', unlocked.key, iv)
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ mnemonics }), 'utf8'), cipher.final()])
    const file: KeystoreFile = {
      version: 1,
      wallets,
      sealed: {
        kdf: { name: 'scrypt', ...SCRYPT, salt: unlocked.salt.toString('base64') },
        cipher: 'aes-256-gcm',
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64')
      }
    }
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`)
    this.loaded = file
    this.unlocked = { ...unlocked, mnemonics }
  }
}

function deriveKey(passphrase: string, salt: Buffer, params = SCRYPT): Buffer {
  return scryptSync(passphrase.normalize('NFKC'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r })
}

function parseKeystore(text: string, path: string): KeystoreFile {
  let parsed: KeystoreFile
  try {
    parsed = JSON.parse(text) as KeystoreFile
  } catch {
    throw new KeystoreError(`${path} is not a readable keystore (not JSON)`)
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.wallets)) throw new KeystoreError(`${path} is not a DV2G keystore of version 1`)
  return parsed
}
