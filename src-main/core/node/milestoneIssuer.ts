// The signing key of the keystore wallet the genesis names as milestone issuer, unlocked once at
// start. Only the operator's data dir holds that wallet; any other node is refused with one line
// before the network starts.
import type { KeyObject } from 'node:crypto'
import type { Ledger } from '../ledger/ledger'
import { KeystoreError } from '../wallet/keystore'
import { milestoneIssuerWallet, type Wallets } from '../wallet/wallets'
import { NodeStartError } from './errors'

/** the option that asks for milestones, as the refusals name it */
const OPTION = '--milestone-seconds'

/** The issuer's private key; the keystore is locked again after, whatever happens. */
export async function milestoneIssuerKey(
  { ledger, wallets }: { ledger: Ledger; wallets: Wallets },
  passphrase: () => Promise<string>
): Promise<KeyObject> {
  const refuse = (why: string) => new NodeStartError(`${OPTION}: ${why}`)
  if (ledger.isEmpty)
    throw refuse('this data dir has no tangle yet; milestones are issued by the node that holds the operator wallet the genesis names')
  const issuers = ledger.genesisIssuers().map((key) => Buffer.from(key).toString('hex'))
  if (issuers.length === 0) throw refuse('the genesis of this tangle names no milestone issuer')
  const wallet = milestoneIssuerWallet(wallets.keystore, ledger)
  if (!wallet)
    throw refuse(
      `this data dir holds no milestone issuer key (the genesis names ${issuers.map((k) => `${k.slice(0, 16)}…`).join(', ')}); run it on the operator's data dir`
    )
  try {
    wallets.keystore.unlock(await passphrase())
    return wallets.keystore.key(wallet.name).privateKey
  } catch (error) {
    if (error instanceof KeystoreError) throw refuse(error.message)
    throw error
  } finally {
    // the key object stays in this process; the keystore is as locked as before for forwarded sends
    wallets.keystore.lock()
  }
}
