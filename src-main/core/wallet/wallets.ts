// Wallets on the ledger: the keystore's identities with their balances, transfers between them,
// and the genesis that mints the fixed supply to the first operator wallet, the treasury.
import type { KeyObject } from 'node:crypto'
import { addressOf } from '../ledger/address'
import { finalityOf, type TxState } from '../ledger/finality'
import type { IngestOutcome, Ledger } from '../ledger/ledger'
import { publicKeyBytes } from '../ledger/signing'
import { TxKind } from '../ledger/transaction'
import { decodeAddress } from './keys'
import { KeystoreError, type Keystore, type Role, type WalletInfo } from './keystore'

/** A transfer refused for its amount: not positive, or more than the sender has available. */
export class AmountError extends KeystoreError {}

/** The keystore's wallet that the genesis names as milestone issuer (the operator's), if this data dir holds it. */
export function milestoneIssuerWallet(keystore: Keystore, ledger: Ledger): WalletInfo | undefined {
  const issuers = new Set(ledger.genesisIssuers().map((key) => Buffer.from(key).toString('hex')))
  return keystore.list().find((w) => issuers.has(w.publicKey))
}

/** Base units minted once, at genesis. Integers only: no token is ever a float. */
export const TOTAL_SUPPLY = 10n ** 15n

export class Wallets {
  constructor(
    readonly keystore: Keystore,
    private readonly ledger: Ledger
  ) {}

  create(name: string, role: Role): { wallet: WalletInfo; mnemonic: string; genesis?: IngestOutcome } {
    const created = this.keystore.create(name, role)
    return { ...created, ...this.mintIfTreasury(created.wallet) }
  }

  import(name: string, role: Role, mnemonic: string): { wallet: WalletInfo; genesis?: IngestOutcome } {
    const wallet = this.keystore.import(name, role, mnemonic)
    return { wallet, ...this.mintIfTreasury(wallet) }
  }

  /**
   * The first operator wallet of an empty tangle receives the whole supply in the genesis, which
   * names its key as the milestone issuer.
   */
  private mintIfTreasury(wallet: WalletInfo): { genesis?: IngestOutcome } {
    if (wallet.role !== 'operator' || !this.ledger.isEmpty) return {}
    const key = this.keystore.key(wallet.name)
    return {
      genesis: this.ledger.createGenesis(key.privateKey, [{ address: addressOf(key.publicKey), amount: TOTAL_SUPPLY }], [key.publicKey])
    }
  }

  list(): (WalletInfo & { balance: bigint })[] {
    return this.keystore.list().map((w) => ({ ...w, balance: this.ledger.balanceOf(decodeAddress(w.address)) }))
  }

  balance(name: string): bigint {
    return this.ledger.balanceOf(decodeAddress(this.walletNamed(name).address))
  }

  /** Spends the sender's unspent outputs, oldest first, with the change back to the sender. */
  send(from: string, toAddress: string, amount: bigint): IngestOutcome {
    return this.sendWithKey(this.keystore.key(this.walletNamed(from).name).privateKey, toAddress, amount, from)
  }

  /** As send, signed by a key held elsewhere (a network run keeps the operator's for its whole day). */
  sendWithKey(privateKey: KeyObject, toAddress: string, amount: bigint, from = 'the wallet'): IngestOutcome {
    if (amount <= 0n) throw new AmountError('the amount must be a positive whole number of base units')
    const to = decodeAddress(toAddress)
    const key = { privateKey, publicKey: publicKeyBytes(privateKey) }
    const own = addressOf(key.publicKey)
    const inputs: { txId: Uint8Array; index: number }[] = []
    let gathered = 0n
    for (const output of this.ledger.unspentOutputs(own)) {
      if (gathered >= amount) break
      inputs.push({ txId: output.txId, index: output.index })
      gathered += output.amount
    }
    if (gathered < amount) throw new AmountError(`${from} has ${gathered} base units available, ${amount} needed`)
    const outputs = [{ address: to, amount }]
    if (gathered > amount) outputs.push({ address: own, amount: gathered - amount })
    return this.ledger.attach(key.privateKey, { kind: TxKind.Transfer, inputs, outputs })
  }

  /** Transfers paying this wallet (in) and issued by it (out, change left out), newest first, each with its state. */
  history(name: string, limit: number): { id: string; direction: 'in' | 'out'; amount: bigint; status: TxState; receivedAt: number }[] {
    const wallet = this.walletNamed(name)
    return this.ledger
      .transfersOf(decodeAddress(wallet.address), Buffer.from(wallet.publicKey, 'hex'), limit)
      .map(({ at, ...transfer }) => ({ ...transfer, status: finalityOf(this.ledger, at).state }))
  }

  private walletNamed(name: string): WalletInfo {
    const wallet = this.keystore.find(name)
    if (!wallet) throw new KeystoreError(`no wallet named "${name}"`)
    return wallet
  }
}
