import { createCipheriv, randomBytes, scryptSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { keyFromMnemonic, newMnemonic } from '../../../../../src-main/core/wallet/keys'
import { canonicalJson, DEFAULT_KDF, Keystore, KeystoreError, type KdfCost, type Role } from '../../../../../src-main/core/wallet/keystore'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const PASSPHRASE = 'correct horse battery'
/** The cheapest parameters in bounds (2 MiB): the tests that are not about the defaults stay fast. */
const FAST: KdfCost = { N: 1 << 14, r: 1, p: 1 }
const TAMPERED = 'keystore.json: the wallet list was changed outside DV2G (authentication failed)'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const keystorePath = () => join(tempDir(), 'keystore.json')
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json
function editJson(path: string, edit: (file: Json) => void): void {
  const file = readJson(path)
  edit(file)
  writeFileSync(path, JSON.stringify(file, null, 2))
}

/** A keystore with two wallets on disk, and a fresh Keystore on the same file, still locked. */
function twoWallets(kdf: KdfCost = FAST) {
  const path = keystorePath()
  const writer = new Keystore(path, { kdf })
  writer.unlock(PASSPHRASE)
  const treasury = writer.create('treasury', 'operator')
  const bus = writer.create('bus', 'ev')
  return { path, treasury, bus, reopened: new Keystore(path, { kdf }) }
}

/** A keystore exactly as version 1 of DV2G wrote it: scrypt 2^15, no associated data, kdf inside sealed. */
function writeVersion1(
  path: string,
  passphrase: string,
  wallets: { name: string; role: Role; mnemonic: string }[],
  kdf: KdfCost = { N: 1 << 15, r: 8, p: 1 }
) {
  const salt = randomBytes(16)
  const key = scryptSync(passphrase.normalize('NFKC'), salt, 32, { ...kdf, maxmem: 256 * kdf.N * kdf.r })
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const mnemonics = Object.fromEntries(wallets.map((w) => [w.name, w.mnemonic]))
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ mnemonics }), 'utf8'), cipher.final()])
  const file = {
    version: 1,
    wallets: wallets.map(({ name, role, mnemonic }) => {
      const walletKey = keyFromMnemonic(mnemonic)
      return {
        name,
        role,
        address: walletKey.address,
        publicKey: Buffer.from(walletKey.publicKey).toString('hex'),
        createdAt: new Date(0).toISOString()
      }
    }),
    sealed: {
      kdf: { name: 'scrypt', ...kdf, salt: salt.toString('base64') },
      cipher: 'aes-256-gcm',
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64')
    }
  }
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`)
}

function refusal(work: () => unknown): string {
  try {
    work()
  } catch (error) {
    expect(error).toBeInstanceOf(KeystoreError)
    return (error as Error).message
  }
  throw new Error('expected a KeystoreError')
}

describe('keystore', () => {
  it('seals new keystores with scrypt 2^17, r 8, p 1 and reopens them with the same passphrase', () => {
    const path = keystorePath()
    const keystore = new Keystore(path)
    expect(keystore.isNew).toBe(true)
    keystore.unlock(PASSPHRASE)
    const { wallet, mnemonic } = keystore.create('treasury', 'operator')

    const file = readJson(path)
    expect(file.version).toBe(2)
    expect(file.kdf).toMatchObject({ name: 'scrypt', N: 2 ** 17, r: 8, p: 1 })
    expect(DEFAULT_KDF).toEqual({ N: 2 ** 17, r: 8, p: 1 })
    expect(Buffer.from(file.kdf.salt, 'base64')).toHaveLength(16)
    expect(readFileSync(path, 'utf8')).not.toContain(mnemonic)

    const reopened = new Keystore(path)
    expect(reopened.isNew).toBe(false)
    expect(reopened.list()).toEqual([wallet])
    reopened.unlock(PASSPHRASE)
    expect(reopened.key('treasury').address).toBe(wallet.address)
    expect(readJson(path).kdf).toEqual(file.kdf)
  })

  it('creates, imports, locks, unlocks and keeps every wallet across reopening', () => {
    const path = keystorePath()
    const keystore = new Keystore(path, { kdf: FAST })
    expect(refusal(() => keystore.create('treasury', 'operator'))).toBe('the keystore is locked: unlock it with its passphrase first')
    expect(refusal(() => keystore.unlock('short'))).toMatch(/at least 8 characters/)
    keystore.unlock(PASSPHRASE)
    const treasury = keystore.create('treasury', 'operator')
    const mnemonic = newMnemonic()
    const imported = keystore.import('  grid a ', 'grid', `  ${mnemonic.toUpperCase()} `)
    expect(imported).toMatchObject({ name: 'grid a', role: 'grid', address: keyFromMnemonic(mnemonic).address })
    expect(refusal(() => keystore.import('GRID A', 'ev', newMnemonic()))).toBe('a wallet named "GRID A" already exists')
    expect(refusal(() => keystore.import('again', 'ev', mnemonic))).toBe('this mnemonic is already the wallet "grid a"')
    expect(refusal(() => keystore.import('bad/name', 'ev', newMnemonic()))).toMatch(/a wallet name is 1 to 64/)

    keystore.lock()
    expect(keystore.isUnlocked).toBe(false)
    expect(refusal(() => keystore.key('treasury'))).toMatch(/locked/)
    expect(keystore.list().map((w) => w.name)).toEqual(['treasury', 'grid a'])

    const reopened = new Keystore(path, { kdf: FAST })
    reopened.unlock(PASSPHRASE)
    expect(reopened.key('TREASURY').address).toBe(treasury.wallet.address)
    expect(reopened.key('treasury').address).toBe(keyFromMnemonic(treasury.mnemonic).address)
    expect(reopened.key('grid a').address).toBe(imported.address)
    reopened.create('bus', 'ev')
    expect(new Keystore(path, { kdf: FAST }).list().map((w) => w.name)).toEqual(['treasury', 'grid a', 'bus'])
  })

  it('keeps the parameters and salt the key was derived with on every save', () => {
    const { path, reopened } = twoWallets({ N: 1 << 15, r: 2, p: 2 })
    const kdf = readJson(path).kdf
    // a Keystore configured for less work must not weaken the file, nor re-derive it
    const cheaper = new Keystore(path, { kdf: FAST })
    cheaper.unlock(PASSPHRASE)
    cheaper.create('tram', 'ev')
    expect(readJson(path).kdf).toEqual(kdf)
    reopened.unlock(PASSPHRASE)
    expect(reopened.list()).toHaveLength(3)
  })

  it('says "wrong passphrase" for a wrong passphrase and stays locked', () => {
    const { reopened } = twoWallets()
    expect(refusal(() => reopened.unlock('not the passphrase'))).toMatch(/^wrong passphrase: the keystore could not be opened with it/)
    expect(reopened.isUnlocked).toBe(false)
  })

  it('refuses a keystore whose wallet list was edited, naming the file', () => {
    const { path, treasury, bus, reopened } = twoWallets()
    editJson(path, (file) => {
      file.wallets[1].address = treasury.wallet.address
      file.wallets[0].address = bus.wallet.address
    })
    expect(refusal(() => reopened.unlock(PASSPHRASE))).toBe(TAMPERED)
    expect(reopened.isUnlocked).toBe(false)

    for (const edit of [
      (f: Json) => (f.wallets[1].role = 'grid'),
      (f: Json) => f.wallets.pop(),
      (f: Json) => (f.wallets[0].createdAt = new Date(0).toISOString())
    ]) {
      const { path: other } = twoWallets()
      editJson(other, edit)
      expect(refusal(() => new Keystore(other, { kdf: FAST }).unlock(PASSPHRASE))).toBe(TAMPERED)
    }
  })

  it('refuses edited key parameters: they derive another key, so the key check fails', () => {
    for (const edit of [(f: Json) => (f.kdf.N = 1 << 15), (f: Json) => (f.kdf.salt = randomBytes(16).toString('base64'))]) {
      const { path, reopened } = twoWallets()
      editJson(path, edit)
      expect(refusal(() => reopened.unlock(PASSPHRASE))).toBe(
        'wrong passphrase: the keystore could not be opened with it (or the key parameters in keystore.json were changed outside DV2G)'
      )
    }
  })

  it('refuses out-of-bounds parameters when reading the file, before any key is derived', () => {
    const cases: [(f: Json) => void, RegExp][] = [
      [(f) => (f.kdf.N = 2 ** 30), /N = 1073741824 is not a power of two from 2\^14 to 2\^20/],
      [(f) => (f.kdf.N = 3000), /N = 3000 is not a power of two/],
      [(f) => (f.kdf.N = 2 ** 10), /N = 1024 is not a power of two/],
      [(f) => (f.kdf.r = 64), /r = 64 is not from 1 to 32/],
      [(f) => (f.kdf.p = 1000), /p = 1000 is not from 1 to 16/],
      [(f) => Object.assign(f.kdf, { N: 2 ** 20, r: 16 }), /needs 2048 MiB, more than 1024 MiB/],
      [(f) => Object.assign(f.kdf, { N: 2 ** 18, r: 8, p: 16 }), /N·r·p = 33554432 is more than 16777216/],
      [(f) => Object.assign(f.kdf, { N: 2 ** 20, r: 8, p: 16 }), /N·r·p = 134217728 is more than/],
      [(f) => (f.kdf.salt = randomBytes(8).toString('base64')), /kdf\.salt: expected 16 to 64 bytes in base64/]
    ]
    for (const [edit, reason] of cases) {
      const { path, reopened } = twoWallets()
      editJson(path, edit)
      // list() needs no passphrase and derives nothing: the file is refused as it is read
      expect(refusal(() => reopened.list())).toMatch(reason)
      expect(refusal(() => reopened.unlock(PASSPHRASE))).toMatch(/^keystore\.json: /)
    }
  })

  it('refuses files that are not keystores with one line naming the file and the field', () => {
    const path = keystorePath()
    const cases: [string, RegExp][] = [
      ['{ nope', /^keystore\.json is not a readable keystore \(not JSON\)$/],
      ['{"version": 3}', /^keystore\.json is not a DV2G keystore of version 1 or 2$/],
      ['null', /not a DV2G keystore/]
    ]
    for (const [text, reason] of cases) {
      writeFileSync(path, text)
      expect(refusal(() => new Keystore(path).list())).toMatch(reason)
    }
    const { path: extraField } = twoWallets()
    editJson(extraField, (f) => (f.wallets[0].balance = 5))
    expect(refusal(() => new Keystore(extraField).list())).toMatch(/^keystore\.json: wallets\.0: /)
    const { path: badKey } = twoWallets()
    editJson(badKey, (f) => (f.wallets[1].publicKey = 'zz'))
    expect(refusal(() => new Keystore(badKey).list())).toBe('keystore.json: wallets.1.publicKey: expected 32 bytes in hex')
  })

  it('authenticates the values, not their layout: a file re-indented with its keys reordered still opens', () => {
    const { path, reopened } = twoWallets()
    const reorder = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reorder)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reorder(v)])
            )
          : value
    writeFileSync(path, JSON.stringify(reorder(readJson(path))))
    reopened.unlock(PASSPHRASE)
    expect(reopened.list().map((w) => w.name)).toEqual(['treasury', 'bus'])
    expect(canonicalJson({ b: [1, { d: 'x', c: null }], a: 'é' })).toBe('{"a":"é","b":[1,{"c":null,"d":"x"}]}')
  })

  it('opens a version 1 keystore, upgrades it to version 2 at 2^17 with a fresh salt on its next save, and reopens it', () => {
    const path = keystorePath()
    const treasury = newMnemonic()
    const bus = newMnemonic()
    writeVersion1(path, PASSPHRASE, [
      { name: 'treasury', role: 'operator', mnemonic: treasury },
      { name: 'bus', role: 'ev', mnemonic: bus }
    ])
    const oldSalt = readJson(path).sealed.kdf.salt

    const keystore = new Keystore(path)
    expect(keystore.list().map((w) => w.name)).toEqual(['treasury', 'bus'])
    expect(refusal(() => keystore.unlock('not the passphrase'))).toMatch(/^wrong passphrase/)
    keystore.unlock(PASSPHRASE)
    expect(keystore.key('bus').address).toBe(keyFromMnemonic(bus).address)
    expect(readJson(path).version).toBe(1) // unlocking writes nothing

    const tram = keystore.create('tram', 'ev')
    const upgraded = readJson(path)
    expect(upgraded.version).toBe(2)
    expect(upgraded.kdf).toMatchObject({ name: 'scrypt', N: 2 ** 17, r: 8, p: 1 })
    expect(upgraded.kdf.salt).not.toBe(oldSalt)
    expect(upgraded.sealed.kdf).toBeUndefined()

    const reopened = new Keystore(path)
    reopened.unlock(PASSPHRASE)
    expect(reopened.key('treasury').address).toBe(keyFromMnemonic(treasury).address)
    expect(reopened.key('tram').address).toBe(tram.wallet.address)
  })

  it('upgrades a version 2 keystore derived with less work than its own parameters', () => {
    const { path, reopened } = twoWallets(FAST)
    const stronger = new Keystore(path, { kdf: { N: 1 << 15, r: 1, p: 1 } })
    stronger.unlock(PASSPHRASE)
    stronger.create('tram', 'ev')
    expect(readJson(path).kdf).toMatchObject({ N: 1 << 15, r: 1, p: 1 })
    reopened.unlock(PASSPHRASE)
    expect(reopened.list()).toHaveLength(3)
  })

  it('refuses a listed address that is not its sealed key, even where nothing else authenticates the list (version 1)', () => {
    const path = keystorePath()
    const treasury = newMnemonic()
    const bus = newMnemonic()
    writeVersion1(
      path,
      PASSPHRASE,
      [
        { name: 'treasury', role: 'operator', mnemonic: treasury },
        { name: 'bus', role: 'ev', mnemonic: bus }
      ],
      FAST
    )
    const attacker = keyFromMnemonic(newMnemonic())
    editJson(path, (f) =>
      Object.assign(f.wallets[1], { address: attacker.address, publicKey: Buffer.from(attacker.publicKey).toString('hex') })
    )
    const keystore = new Keystore(path, { kdf: FAST })
    expect(refusal(() => keystore.unlock(PASSPHRASE))).toBe(
      `keystore.json: wallet "bus" lists address ${attacker.address}, but its sealed key is ${keyFromMnemonic(bus).address}; the wallet list was changed outside DV2G`
    )
    expect(keystore.isUnlocked).toBe(false)
  })

  it('refuses parameters out of bounds as an option too', () => {
    expect(refusal(() => new Keystore(keystorePath(), { kdf: { N: 1000, r: 8, p: 1 } }))).toMatch(/^keystore option kdf: N = 1000/)
  })
})

describe('keystore wallet names', () => {
  it('refuses reserved names and control characters with one line naming the name, and stores nothing', () => {
    const { path, reopened } = twoWallets()
    reopened.unlock(PASSPHRASE)
    const before = readFileSync(path, 'utf8')
    expect(refusal(() => reopened.create('__proto__', 'ev'))).toBe('wallet name "__proto__" is reserved')
    expect(refusal(() => reopened.import(' constructor ', 'ev', newMnemonic()))).toBe('wallet name "constructor" is reserved')
    expect(refusal(() => reopened.create('bus\x1b[8m', 'ev'))).toBe('wallet name "bus\\x1b[8m" holds a control character (U+001B)')
    expect(readFileSync(path, 'utf8')).toBe(before)
    const again = new Keystore(path, { kdf: FAST })
    again.unlock(PASSPHRASE)
    expect(again.list().map((w) => w.name)).toEqual(['treasury', 'bus'])
  })

  it('opens and unlocks a keystore an earlier release wrote with a wallet named "__proto__", and keeps every wallet in it', () => {
    // written by the release that accepted the name: wallets treasury, __proto__ and bus
    const path = keystorePath()
    writeFileSync(path, readFileSync('test/fixtures/keystore/proto-wallet.json'))
    const listed = new Keystore(path, { kdf: FAST }).list()
    expect(listed.map((w) => w.name)).toEqual(['treasury', '__proto__', 'bus'])

    const keystore = new Keystore(path, { kdf: FAST })
    keystore.unlock(PASSPHRASE)
    for (const wallet of listed) expect(keystore.key(wallet.name).address).toBe(wallet.address)
    expect(Object.getPrototypeOf({})).toBe(Object.prototype)

    // the treasury still signs, new wallets are added beside the old one, and the file reopens
    const tram = keystore.create('tram', 'ev')
    expect(refusal(() => keystore.create('__proto__', 'ev'))).toMatch(/already exists|is reserved/)
    const reopened = new Keystore(path, { kdf: FAST })
    reopened.unlock(PASSPHRASE)
    expect(reopened.list().map((w) => w.name)).toEqual(['treasury', '__proto__', 'bus', 'tram'])
    expect(reopened.key('__proto__').address).toBe(listed[1]!.address)
    expect(reopened.key('tram').address).toBe(keyFromMnemonic(tram.mnemonic).address)
  })
})
