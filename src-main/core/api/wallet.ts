// Handlers of the keystore's wallets: each refusal is reported against the field it is about.
import { ApiError, type walletMethods } from '../../../src-shared/contract'
import type { App } from '../app'
import type { IngestOutcome } from '../ledger/ledger'
import { decodeAddress, KeyInputError } from '../wallet/keys'
import type { KeystoreError, WalletInfo } from '../wallet/keystore'
import { AmountError, type Wallets } from '../wallet/wallets'
import { refusedAt, type DomainHandlers } from './handlers'

export function walletHandlers(app: App): DomainHandlers<typeof walletMethods> {
  const ledger = () => app.ledger()
  const walletView = (w: WalletInfo) => ({ ...w, balance: ledger().ledger.balanceOf(decodeAddress(w.address)).toString() })
  const announceWallets = () => app.events.emit('wallet.changed', { unlocked: ledger().wallets.keystore.isUnlocked })
  return {
    'wallet.list': () => {
      const { keystore } = ledger().wallets
      return { unlocked: keystore.isUnlocked, newKeystore: keystore.isNew, wallets: keystore.list().map(walletView) }
    },
    'wallet.unlock': ({ passphrase }) => {
      refusedAt('passphrase', () => ledger().wallets.keystore.unlock(passphrase))
      announceWallets()
      return { unlocked: true as const }
    },
    'wallet.lock': () => {
      ledger().wallets.keystore.lock()
      announceWallets()
      return { unlocked: false as const }
    },
    'wallet.create': ({ name, role }) => {
      const created = refusedAt('name', () => ledger().wallets.create(name, role)) as ReturnType<Wallets['create']>
      announceWallets()
      return { wallet: walletView(created.wallet), mnemonic: created.mnemonic, treasury: created.genesis?.status === 'accepted' }
    },
    'wallet.import': ({ name, role, mnemonic }) => {
      const imported = refusedAt('mnemonic', () => ledger().wallets.import(name, role, mnemonic)) as ReturnType<Wallets['import']>
      announceWallets()
      return { wallet: walletView(imported.wallet), treasury: imported.genesis?.status === 'accepted' }
    },
    'wallet.send': ({ from, to, amount }) => {
      // insufficient funds is about the amount, a bad address about the recipient, anything else (an unknown or locked wallet) about the sender
      const fieldOf = (error: KeystoreError | KeyInputError) =>
        error instanceof AmountError ? 'amount' : error instanceof KeyInputError ? 'to' : 'from'
      const outcome = refusedAt(fieldOf, () => ledger().wallets.send(from, to, BigInt(amount))) as IngestOutcome
      if (outcome.status !== 'accepted') {
        throw new ApiError('invalid_argument', `the transfer was refused: ${'reason' in outcome ? outcome.reason : outcome.status}`)
      }
      return { id: outcome.id }
    },
    'wallet.history': ({ name, limit }) =>
      (refusedAt('name', () => ledger().wallets.history(name, limit ?? 100)) as ReturnType<Wallets['history']>).map((h) => ({
        ...h,
        amount: h.amount.toString()
      }))
  }
}
