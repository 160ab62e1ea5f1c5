// What the market needs of the ledger, declared here so the market never imports the composition
// root that hands it over: the tangle to settle and publish on, the wallets that sign.
import type { Ledger } from '../ledger/ledger'
import type { Wallets } from '../wallet/wallets'

export interface MarketLedger {
  readonly ledger: Ledger
  readonly wallets: Wallets
}
