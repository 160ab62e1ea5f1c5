// The operator's console issues milestones itself. A single console (the desktop app, or dv2g serve
// without a network) holds the only milestone issuer key its genesis names: without this, nothing
// it stores would ever be final. While the keystore is unlocked and holds that wallet, a milestone
// clock runs with its key; locking the keystore or closing the app stops it. The key is taken only
// from an unlock the operator made in the console ('wallet.changed'), never from a CLI command's
// brief unlock through the local channel.
import type { KeyObject } from 'node:crypto'
import type { EventBus } from '../events'
import type { Ledger } from '../ledger/ledger'
import type { Keystore } from '../wallet/keystore'
import { milestoneIssuerWallet } from '../wallet/wallets'
import { MilestoneClock } from './milestoneClock'

/** Often enough that a transfer is final a few seconds after it is sent; an idle tangle issues none. */
export const LOCAL_MILESTONE_MS = 5_000

export class LocalMilestones {
  private clock: MilestoneClock | undefined
  private readonly unsubscribe: () => void

  constructor(
    private readonly ledger: Ledger,
    private readonly keystore: Keystore,
    events: EventBus,
    private readonly intervalMs: number = LOCAL_MILESTONE_MS,
    private readonly log: (line: string) => void = (line) => console.error(line)
  ) {
    this.unsubscribe = events.on('wallet.changed', () => this.follow())
    this.follow()
  }

  /** Whether milestones are being issued here now. */
  get running(): boolean {
    return this.clock !== undefined
  }

  /** Starts or stops the clock as the keystore now stands (unlocked, and holding the issuer wallet). */
  follow(): void {
    const key = this.issuerKey()
    if (key && !this.clock) {
      this.clock = new MilestoneClock(this.ledger, key, this.intervalMs, this.log)
      // what waited while the keystore was locked is made final now, not an interval later
      this.clock.tick()
    } else if (!key && this.clock) {
      this.clock.stop()
      this.clock = undefined
    }
  }

  stop(): void {
    this.unsubscribe()
    this.clock?.stop()
    this.clock = undefined
  }

  private issuerKey(): KeyObject | undefined {
    if (!this.keystore.isUnlocked || this.ledger.isEmpty) return undefined
    const wallet = milestoneIssuerWallet(this.keystore, this.ledger)
    return wallet && this.keystore.key(wallet.name).privateKey
  }
}
