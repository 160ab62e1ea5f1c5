import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../../../src-main/core/db/connection'
import type { Db } from '../../../../../src-main/core/db/connection'
import { Ledger, type IngestOutcome } from '../../../../../src-main/core/ledger/ledger'
import { KeyInputError, keyFromMnemonic, newMnemonic } from '../../../../../src-main/core/wallet/keys'
import { Keystore, KeystoreError } from '../../../../../src-main/core/wallet/keystore'
import { AmountError, TOTAL_SUPPLY, Wallets } from '../../../../../src-main/core/wallet/wallets'
import { useTempDirs } from '../../../../support/tempDir'

const tempDir = useTempDirs()
const opened: Db[] = []
afterEach(() => {
  for (const db of opened.splice(0)) db.close()
})

/** Wallets over a real ledger file and keystore in a fresh data dir, unlocked; cheap scrypt parameters. */
function openWallets() {
  const dir = tempDir()
  const db = openDatabase(join(dir, 'dv2g.sqlite'))
  opened.push(db)
  const ledger = new Ledger(db, { powBits: 2 })
  const keystore = new Keystore(join(dir, 'keystore.json'), { kdf: { N: 1 << 14, r: 1, p: 1 } })
  keystore.unlock('a long passphrase')
  return { dir, ledger, wallets: new Wallets(keystore, ledger) }
}

function accepted(outcome: IngestOutcome | undefined): Extract<IngestOutcome, { status: 'accepted' }> {
  if (outcome?.status !== 'accepted') throw new Error(`expected accepted, got ${JSON.stringify(outcome)}`)
  return outcome
}

function refusal(work: () => unknown): Error {
  try {
    work()
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a refusal')
}

describe('wallets', () => {
  it('mints the whole supply to the first operator wallet of an empty tangle, and only to it', () => {
    const { wallets } = openWallets()
    const treasury = wallets.create('treasury', 'operator')
    expect(accepted(treasury.genesis).id).toMatch(/^[0-9a-f]{64}$/)
    expect(treasury.mnemonic.split(' ')).toHaveLength(24)
    expect(wallets.create('second operator', 'operator').genesis).toBeUndefined()
    expect(wallets.create('bus', 'ev').genesis).toBeUndefined()
    expect(wallets.list().map((w) => [w.name, w.role, w.balance])).toEqual([
      ['treasury', 'operator', TOTAL_SUPPLY],
      ['second operator', 'operator', 0n],
      ['bus', 'ev', 0n]
    ])
  })

  it('names the first operator wallet as the milestone issuer in the genesis, and no other wallet', () => {
    const { wallets, ledger } = openWallets()
    wallets.create('treasury', 'operator')
    wallets.create('second operator', 'operator')
    expect(ledger.issueMilestone(wallets.keystore.key('second operator').privateKey)).toMatchObject({
      status: 'refused',
      reason: expect.stringMatching(/is not a milestone issuer named in the genesis/)
    })
    accepted(ledger.issueMilestone(wallets.keystore.key('treasury').privateKey))
    expect(ledger.latestMilestone()?.index).toBe(1)
  })

  it('sends from one wallet to an address, change back to the sender, and shows both sides in balances and history', () => {
    const { wallets } = openWallets()
    wallets.create('treasury', 'operator')
    const bus = wallets.create('bus', 'ev').wallet
    const first = accepted(wallets.send('treasury', bus.address, 1_500n))
    const tram = wallets.create('tram', 'ev').wallet
    accepted(wallets.send('bus', tram.address, 400n))

    expect(wallets.balance('TREASURY')).toBe(TOTAL_SUPPLY - 1_500n)
    expect(wallets.balance('bus')).toBe(1_100n)
    expect(wallets.balance('tram')).toBe(400n)
    expect(wallets.list().reduce((sum, w) => sum + w.balance, 0n)).toBe(TOTAL_SUPPLY)
    expect(wallets.history('bus', 10).map((h) => [h.direction, h.amount])).toEqual([
      ['out', 400n],
      ['in', 1_500n]
    ])
    expect(wallets.history('treasury', 10)[0]).toMatchObject({ id: first.id, direction: 'out', amount: 1_500n })
  })

  it('refuses a send beyond the balance, naming what is available against the amount, and moves nothing', () => {
    const { wallets } = openWallets()
    wallets.create('treasury', 'operator')
    const bus = wallets.create('bus', 'ev').wallet
    accepted(wallets.send('treasury', bus.address, 100n))
    const tram = wallets.create('tram', 'ev').wallet

    const error = refusal(() => wallets.send('bus', tram.address, 101n))
    expect(error).toBeInstanceOf(AmountError)
    expect(error.message).toBe('bus has 100 base units available, 101 needed')
    expect(wallets.balance('bus')).toBe(100n)
    expect(wallets.balance('tram')).toBe(0n)
    expect(refusal(() => wallets.send('tram', bus.address, 1n)).message).toBe('tram has 0 base units available, 1 needed')
  })

  it('refuses a zero amount, an unknown sender and a bad address with their reasons', () => {
    const { wallets } = openWallets()
    const treasury = wallets.create('treasury', 'operator').wallet
    expect(refusal(() => wallets.send('treasury', treasury.address, 0n))).toEqual(
      new AmountError('the amount must be a positive whole number of base units')
    )
    const unknown = refusal(() => wallets.send('nobody', treasury.address, 1n))
    expect(unknown).toBeInstanceOf(KeystoreError)
    expect(unknown).not.toBeInstanceOf(AmountError)
    expect(unknown.message).toBe('no wallet named "nobody"')
    expect(refusal(() => wallets.balance('nobody')).message).toBe('no wallet named "nobody"')
    const badAddress = refusal(() => wallets.send('treasury', 'dv2g1notanaddress', 1n))
    expect(badAddress).toBeInstanceOf(KeyInputError)
    expect(badAddress.message).toMatch(/^not a valid address/)
  })

  it('imports a wallet from its mnemonic with the same address in any data dir; an imported first operator mints', () => {
    const mnemonic = newMnemonic()
    const { wallets } = openWallets()
    const restored = wallets.import('treasury', 'operator', mnemonic)
    expect(restored.wallet.address).toBe(keyFromMnemonic(mnemonic).address)
    accepted(restored.genesis)
    expect(wallets.balance('treasury')).toBe(TOTAL_SUPPLY)

    const elsewhere = openWallets()
    expect(elsewhere.wallets.import('old treasury', 'operator', mnemonic).wallet.address).toBe(restored.wallet.address)
  })
})
