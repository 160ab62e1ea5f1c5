// The wallets of a data dir in keystore.json: names, roles and addresses readable by anyone who
// can read the file, mnemonics sealed with AES-256-GCM under a key derived from the operator's
// passphrase by scrypt. The wallet list and the KDF parameters are the cipher's associated data,
// so a changed address, role or parameter fails the tag, and every listed address is checked
// against its sealed mnemonic on unlock. Written atomically; private keys never leave this process.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { z } from 'zod'
import { nameProblem } from '../../../src-shared/names'
import { writeFileAtomic } from '../files/atomicFile'
import { checkMnemonic, keyFromMnemonic, newMnemonic, type WalletKey } from './keys'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

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

/** The cost of scrypt: N (a power of two) sets time and memory, r the block size, p the parallel lanes. */
export interface KdfCost {
  N: number
  r: number
  p: number
}

/** 2^17 · 8 · 128 B = 128 MiB and ~0.5 s per unlock: what OWASP advises for scrypt, quick enough to type. */
export const DEFAULT_KDF: KdfCost = { N: 1 << 17, r: 8, p: 1 }

/**
 * Bounds on the parameters a file may ask for, checked before deriving: a file that asks for 2^30
 * blocks would hang or exhaust the machine before the passphrase could be refused. The floor keeps
 * a file from being weakened below what any DV2G version wrote (version 1 used 2^15).
 */
export const KDF_BOUNDS = {
  N: { min: 1 << 14, max: 1 << 20 },
  r: { min: 1, max: 32 },
  p: { min: 1, max: 16 },
  saltBytes: { min: 16, max: 64 },
  /** scrypt holds 128·N·r bytes: 1 GiB at most (2^20 with r = 8) */
  memoryBytes: 1 << 30,
  /** time grows with N·r·p: at most 16 times the default's work (~10 s) */
  work: 16 * DEFAULT_KDF.N * DEFAULT_KDF.r * DEFAULT_KDF.p
}

const VERSION = 2 as const
const SALT_BYTES = 16
/** A fixed message whose MAC under the derived check key tells a wrong passphrase from a changed file. */
const KEY_CHECK_LABEL = 'dv2g keystore key check'

const base64 = (bytes: { min: number; max: number }) =>
  z
    .string()
    .refine(
      (s) =>
        /^[A-Za-z0-9+/]*={0,2}$/.test(s) && Buffer.from(s, 'base64').length >= bytes.min && Buffer.from(s, 'base64').length <= bytes.max,
      {
        message: bytes.min === bytes.max ? `expected ${bytes.min} bytes in base64` : `expected ${bytes.min} to ${bytes.max} bytes in base64`
      }
    )

const walletSchema = z.strictObject({
  name: z.string().min(1).max(64),
  role: z.enum(ROLES),
  address: z.string().min(1),
  publicKey: z.string().regex(/^[0-9a-f]{64}$/, 'expected 32 bytes in hex'),
  createdAt: z.string()
})

const kdfSchema = z.strictObject({
  name: z.literal('scrypt'),
  N: z.number().int(),
  r: z.number().int(),
  p: z.number().int(),
  salt: base64(KDF_BOUNDS.saltBytes)
})

const cipherFields = {
  cipher: z.literal('aes-256-gcm'),
  iv: base64({ min: 12, max: 12 }),
  tag: base64({ min: 16, max: 16 }),
  ciphertext: base64({ min: 0, max: Number.MAX_SAFE_INTEGER })
}

/** What DV2G wrote before the wallet list was authenticated: kdf inside sealed, no associated data. */
const fileV1Schema = z.strictObject({
  version: z.literal(1),
  wallets: z.array(walletSchema),
  sealed: z.strictObject({ kdf: kdfSchema, ...cipherFields }).nullable()
})

const fileV2Schema = z.strictObject({
  version: z.literal(VERSION),
  /** the parameters this file's key was derived with, kept on every save */
  kdf: kdfSchema,
  wallets: z.array(walletSchema),
  sealed: z.strictObject({ ...cipherFields, check: base64({ min: 32, max: 32 }) })
})

type KdfParams = z.infer<typeof kdfSchema>
type KeystoreFileV1 = z.infer<typeof fileV1Schema>
type KeystoreFileV2 = z.infer<typeof fileV2Schema>
type KeystoreFile = KeystoreFileV1 | KeystoreFileV2

export class KeystoreError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'invalid_argument', message, options)
    this.name = 'KeystoreError'
  }
}

export interface KeystoreOptions {
  /** The scrypt cost of new keystores and of upgrades; within KDF_BOUNDS. Tests lower it to stay fast. */
  kdf?: KdfCost
}

/** A key derived from the passphrase, with the parameters that derived it and its key check value. */
interface Sealing {
  kdf: KdfParams
  sealKey: Buffer
  check: Buffer
}

/**
 * The mnemonics by wallet name, in a Map: a name is never a key of a plain object, where a wallet
 * that an earlier release let be named "__proto__" would read Object.prototype as its mnemonic.
 */
type Mnemonics = Map<string, string>

/** The mnemonics of an opened file, and its sealing when the next save may keep it (version 2 only). */
interface Opened {
  mnemonics: Mnemonics
  sealing?: Sealing
}

/** The sealing is what the next save writes: the file's own parameters, or fresh ones when it is upgraded. */
interface Unlocked extends Sealing {
  mnemonics: Mnemonics
  /** derived once on unlock, when every listed address is checked against its mnemonic */
  keys: Map<string, WalletKey>
}

export class Keystore {
  private loaded: KeystoreFile | undefined
  private unlocked: Unlocked | null = null
  private readonly kdfCost: KdfCost

  constructor(
    readonly path: string,
    options: KeystoreOptions = {}
  ) {
    this.kdfCost = options.kdf ?? DEFAULT_KDF
    const outOfBounds = kdfBoundsProblem(this.kdfCost)
    if (outOfBounds) throw new KeystoreError(`keystore option kdf: ${outOfBounds}`)
  }

  /** Read on first use: a damaged keystore fails the wallet calls with its reason, not the whole app. */
  private get file(): KeystoreFile {
    this.loaded ??= existsSync(this.path)
      ? parseKeystore(readFileSync(this.path, 'utf8'), this.fileName)
      : { version: 1, wallets: [], sealed: null }
    return this.loaded
  }

  private get fileName(): string {
    return basename(this.path)
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

  /**
   * Opens the keystore; a new one takes the passphrase it is given as its own. A version 1 file,
   * or one derived with less work than this keystore's parameters, gets a key under fresh
   * parameters here, while the passphrase is at hand: its next save writes the new format with it.
   */
  unlock(passphrase: string): void {
    if (passphrase.length === 0) throw new KeystoreError('the passphrase is empty')
    const file = this.file
    if (file.sealed === null) {
      if (passphrase.length < 8) throw new KeystoreError('choose a passphrase of at least 8 characters for the new keystore')
      this.unlocked = { ...this.freshKeys(passphrase), mnemonics: new Map(), keys: new Map() }
      return
    }
    const opened = file.version === 1 ? this.openV1(file, passphrase) : this.openV2(file, passphrase)
    const keys = this.verifiedKeys(file.wallets, opened.mnemonics)
    const current = opened.sealing && work(opened.sealing.kdf) >= work(this.kdfCost) ? opened.sealing : this.freshKeys(passphrase)
    this.unlocked = { ...current, mnemonics: opened.mnemonics, keys }
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
    // wallets an earlier release let through under such names still open; no new one is made
    const problem = nameProblem('wallet name', cleanName)
    if (problem) throw new KeystoreError(problem)
    if (!/^[\w .-]{1,64}$/.test(cleanName))
      throw new KeystoreError('a wallet name is 1 to 64 letters, digits, spaces, dots, dashes or underscores')
    if (!ROLES.includes(role)) throw new KeystoreError(`role must be one of ${ROLES.join(', ')}`)
    if (this.find(cleanName)) throw new KeystoreError(`a wallet named "${cleanName}" already exists`)
    const normalized = checkMnemonic(mnemonic)
    const key = keyFromMnemonic(normalized)
    const existing = this.file.wallets.find((w) => w.address === key.address)
    if (existing) throw new KeystoreError(`this mnemonic is already the wallet "${existing.name}"`)
    const wallet: WalletInfo = {
      name: cleanName,
      role,
      address: key.address,
      publicKey: Buffer.from(key.publicKey).toString('hex'),
      createdAt: new Date().toISOString()
    }
    this.save([...this.file.wallets, wallet], new Map([...unlocked.mnemonics, [cleanName, normalized]]))
    unlocked.keys.set(cleanName, key)
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
    return unlocked.keys.get(wallet.name)!
  }

  private requireUnlocked(): Unlocked {
    if (!this.unlocked) throw new KeystoreError('the keystore is locked: unlock it with its passphrase first')
    return this.unlocked
  }

  private freshKeys(passphrase: string): Sealing {
    const kdf: KdfParams = { name: 'scrypt', ...this.kdfCost, salt: randomBytes(SALT_BYTES).toString('base64') }
    return { kdf, ...deriveKeys(passphrase, kdf) }
  }

  private openV1(file: KeystoreFileV1, passphrase: string): Opened {
    const sealed = file.sealed!
    const key = scrypt(passphrase, sealed.kdf, 32)
    const plain = openSealed(key, sealed, undefined)
    // v1 has nothing to tell a wrong passphrase from a changed ciphertext: its only check is the tag
    if (plain === undefined) throw new KeystoreError('wrong passphrase: the keystore could not be opened with it')
    return { mnemonics: parseMnemonics(plain, this.fileName) }
  }

  /**
   * With the wallet list as associated data, a failed tag alone cannot say whether the passphrase
   * or the file is wrong. So the derived key is checked first against a MAC of a fixed label under
   * its own subkey: a key that passes it is the right one, and a tag that still fails means the
   * wallet list was changed. Changed KDF parameters derive another key and so fail the key check,
   * the same as a wrong passphrase: no stored value could tell the two apart without the key.
   */
  private openV2(file: KeystoreFileV2, passphrase: string): Opened {
    const { sealKey, check } = deriveKeys(passphrase, file.kdf)
    if (!timingSafeEqual(check, Buffer.from(file.sealed.check, 'base64'))) {
      throw new KeystoreError(
        `wrong passphrase: the keystore could not be opened with it (or the key parameters in ${this.fileName} were changed outside DV2G)`
      )
    }
    const plain = openSealed(sealKey, file.sealed, associatedData(file))
    // the key check passed, so the parameters are those the key was derived with: the list changed
    if (plain === undefined) throw new KeystoreError(`${this.fileName}: the wallet list was changed outside DV2G (authentication failed)`)
    return { mnemonics: parseMnemonics(plain, this.fileName), sealing: { kdf: file.kdf, sealKey, check } }
  }

  /** Every listed wallet's address and public key must be those of its sealed mnemonic: settlement pays the listed address. */
  private verifiedKeys(wallets: WalletInfo[], mnemonics: Mnemonics): Map<string, WalletKey> {
    const keys = new Map<string, WalletKey>()
    for (const wallet of wallets) {
      const mnemonic = mnemonics.get(wallet.name)
      if (mnemonic === undefined)
        throw new KeystoreError(`${this.fileName}: wallet "${wallet.name}" has no sealed key; the wallet list was changed outside DV2G`)
      const key = keyFromMnemonic(mnemonic)
      if (key.address !== wallet.address || Buffer.from(key.publicKey).toString('hex') !== wallet.publicKey) {
        throw new KeystoreError(
          `${this.fileName}: wallet "${wallet.name}" lists address ${wallet.address}, but its sealed key is ${key.address}; the wallet list was changed outside DV2G`
        )
      }
      keys.set(wallet.name, key)
    }
    return keys
  }

  private save(wallets: WalletInfo[], mnemonics: Mnemonics): void {
    const unlocked = this.requireUnlocked()
    const header = { version: VERSION, kdf: unlocked.kdf, wallets }
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', unlocked.sealKey, iv)
    cipher.setAAD(associatedData(header))
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ mnemonics: Object.fromEntries(mnemonics) }), 'utf8'), cipher.final()])
    const file: KeystoreFileV2 = {
      ...header,
      sealed: {
        cipher: 'aes-256-gcm',
        check: unlocked.check.toString('base64'),
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64')
      }
    }
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`)
    this.loaded = file
    unlocked.mnemonics = mnemonics
  }
}

/** The part of the file the seal authenticates, as canonical JSON: a change to any byte of it fails the tag. */
function associatedData(header: Pick<KeystoreFileV2, 'version' | 'kdf' | 'wallets'>): Buffer {
  return Buffer.from(canonicalJson({ version: header.version, kdf: header.kdf, wallets: header.wallets }), 'utf8')
}

/** JSON with object keys sorted at every level, so the same values always give the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

const work = (cost: KdfCost) => cost.N * cost.r * cost.p

/** What is out of bounds in a set of scrypt parameters, or undefined when they are fine. */
export function kdfBoundsProblem(cost: KdfCost): string | undefined {
  const { N, r, p } = cost
  const b = KDF_BOUNDS
  if (!Number.isInteger(N) || N < b.N.min || N > b.N.max || (N & (N - 1)) !== 0) return `N = ${N} is not a power of two from 2^14 to 2^20`
  if (!Number.isInteger(r) || r < b.r.min || r > b.r.max) return `r = ${r} is not from ${b.r.min} to ${b.r.max}`
  if (!Number.isInteger(p) || p < b.p.min || p > b.p.max) return `p = ${p} is not from ${b.p.min} to ${b.p.max}`
  if (128 * N * r > b.memoryBytes)
    return `N = ${N} with r = ${r} needs ${(128 * N * r) / 2 ** 20} MiB, more than ${b.memoryBytes / 2 ** 20} MiB`
  if (work(cost) > b.work) return `N·r·p = ${work(cost)} is more than ${b.work} (16 times the default's work)`
  return undefined
}

function scrypt(passphrase: string, kdf: KdfCost & { salt: string }, bytes: number): Buffer {
  // OpenSSL counts a little more than its 128·N·r table (its B and XY buffers), and Node's
  // default maxmem is 32 MiB: twice the table is a cap that never refuses parameters in bounds.
  return scryptSync(passphrase.normalize('NFKC'), Buffer.from(kdf.salt, 'base64'), bytes, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.N * kdf.r
  })
}

/**
 * One scrypt run, then HKDF for two independent keys: one seals, one checks the passphrase. Neither
 * is the raw scrypt output that version 1 sealed with, so the formats never share a key.
 */
function deriveKeys(passphrase: string, kdf: KdfParams): { sealKey: Buffer; check: Buffer } {
  const master = scrypt(passphrase, kdf, 32)
  const subkey = (purpose: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `dv2g keystore ${purpose} v2`, 32))
  return { sealKey: subkey('seal'), check: createHmac('sha256', subkey('check')).update(KEY_CHECK_LABEL).digest() }
}

/** The plaintext, or undefined when the tag fails. */
function openSealed(key: Buffer, sealed: { iv: string; tag: string; ciphertext: string }, aad: Buffer | undefined): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'))
    if (aad) decipher.setAAD(aad)
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'))
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}

/**
 * Read entry by entry from JSON.parse's own properties, not through a zod record: a record drops
 * an own "__proto__" key, and the wallet of that name would then have no mnemonic.
 */
function parseMnemonics(plain: string, fileName: string): Mnemonics {
  let json: unknown
  try {
    json = JSON.parse(plain)
  } catch {
    json = undefined
  }
  const sealed = isJsonObject(json) ? json.mnemonics : undefined
  const entries = isJsonObject(sealed) ? Object.entries(sealed) : undefined
  if (!entries || entries.some(([, mnemonic]) => typeof mnemonic !== 'string'))
    throw new KeystoreError(`${fileName}: the sealed mnemonics are not in the expected form`)
  return new Map(entries as [string, string][])
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

function parseKeystore(text: string, fileName: string): KeystoreFile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new KeystoreError(`${fileName} is not a readable keystore (not JSON)`)
  }
  const version = (json as { version?: unknown } | null)?.version
  if (version !== 1 && version !== VERSION) throw new KeystoreError(`${fileName} is not a DV2G keystore of version 1 or ${VERSION}`)
  const parsed = (version === 1 ? fileV1Schema : fileV2Schema).safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new KeystoreError(`${fileName}: ${issue.path.map(String).join('.') || 'the file'}: ${issue.message}`)
  }
  if (parsed.data.sealed === null && parsed.data.wallets.length > 0)
    throw new KeystoreError(`${fileName}: lists wallets but holds no sealed keys`)
  const kdf = parsed.data.version === 1 ? parsed.data.sealed?.kdf : parsed.data.kdf
  const outOfBounds = kdf && kdfBoundsProblem(kdf)
  if (outOfBounds)
    throw new KeystoreError(`${fileName}: the key parameters are out of bounds (${outOfBounds}); the file was changed outside DV2G`)
  return parsed.data
}
