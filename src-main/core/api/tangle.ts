// Handlers of the tangle explorer and the load generator.
import { ApiError, type TangleTx, type tangleMethods } from '../../../src-shared/contract'
import type { App } from '../app'
import { spam } from '../ledger/spammer'
import { decodeAddress } from '../wallet/keys'
import { refusedAt, type DomainHandlers } from './handlers'

export function tangleHandlers(app: App): DomainHandlers<typeof tangleMethods> {
  const ledger = () => app.ledger()
  return {
    'tangle.stats': () => ledger().tangle.stats(),
    'tangle.recent': ({ limit }) => ledger().tangle.recent(limit),
    'tangle.transaction': ({ id }) => {
      const detail = ledger().tangle.transaction(id)
      if (!detail) throw new ApiError('not_found', `no transaction ${id} in this tangle`)
      return detail
    },
    'tangle.spam': ({ count, rate }) => {
      const { ledger: tangleLedger, confirmation } = ledger()
      if (tangleLedger.isEmpty) throw new ApiError('invalid_argument', 'the tangle has no genesis yet: create the operator wallet first')
      void spam(tangleLedger, confirmation, { count, ratePerSecond: rate }).catch((error: unknown) =>
        console.error('dv2g: spam stopped:', error)
      )
      return { started: true as const }
    },
    'tangle.search': ({ query }) => {
      const { tangle, wallets } = ledger()
      const publicKeyOf = (address: string) => {
        const wallet = wallets.keystore.list().find((w) => w.address === address)
        return wallet ? Buffer.from(wallet.publicKey, 'hex') : undefined
      }
      return refusedAt('query', () => tangle.search(query, publicKeyOf, decodeAddress)) as TangleTx[]
    }
  }
}
