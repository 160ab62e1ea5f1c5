// What the owner's operations run on, declared here so the owner never imports the composition
// root: the app hands itself over and satisfies this by its shape.
import type { EventBus } from '../events'
import type { ConfirmationTracker } from '../ledger/confirmation'
import type { Ledger } from '../ledger/ledger'
import type { TangleService } from '../ledger/tangleService'
import type { MarketService } from '../market/service'
import type { MarketTangle } from '../market/tangle/marketTangle'
import type { MeterService } from '../meters/service'
import type { NetworkView } from '../network/view'
import type { OcppService } from '../ocpp/service'
import type { Wallets } from '../wallet/wallets'

export interface OwnerServices {
  readonly events: EventBus
  ledger(): {
    readonly ledger: Ledger
    readonly confirmation: ConfirmationTracker
    readonly wallets: Wallets
    readonly tangle: TangleService
  }
  market(): MarketService
  marketTangle(): MarketTangle
  meters(): MeterService
  ocpp(): OcppService
  /** the network node this process runs, where it runs one */
  readonly running: { readonly network: { node(): NetworkView | undefined } | undefined }
}
