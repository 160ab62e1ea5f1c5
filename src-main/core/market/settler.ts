// Settling a run's solved slots on the ledger, exactly once each: the wallets every participant
// needs, the grids funded for what they still owe, then each slot in one transaction with its
// settlement recorded in the run store. Shared by every clock that solves slots.
import type { MarketLedger } from './ledgerPort'
import type { RunStore, StoredRun, StoredSlot } from './runStore'
import {
  ensureWallets,
  fundGrids,
  operatorWallet,
  SettlementError,
  settleSlot,
  unpaidNeeds,
  type NetworkPayer,
  type PaymentBook,
  type SlotSettlement
} from './settlement'

/** How one slot's settlement ended: what went on the ledger, or why nothing did. */
export type SlotSettled = { t: number } & (SlotSettlement | { error: string })

export class Settler {
  constructor(
    private readonly store: RunStore,
    private readonly book: PaymentBook,
    private readonly ledger: () => MarketLedger
  ) {}

  /**
   * Settles these slots in order: wallets for every participant, the grids funded for what they
   * still have to pay, then one transaction per slot that writes its transfers, its records, their
   * keys and the slot's settlement together.
   */
  settle(
    run: StoredRun,
    rows: readonly StoredSlot[],
    onSlot: (slot: SlotSettled) => void = () => {},
    network?: NetworkPayer
  ): SlotSettled[] {
    if (rows.length === 0) return []
    const { scenario } = run
    const units = scenario.tokenBaseUnitsPerCurrencyUnit
    const slots = rows.map((r) => r.outcome)
    const failed = (t: number, error: unknown): SlotSettled => {
      const message = (error as Error).message
      this.store.recordSettleError(run.id, t, message)
      return { t, error: message }
    }
    let services: MarketLedger
    let operator: string
    try {
      services = this.ledger()
      const { wallets, ledger } = services
      if (!network && !wallets.keystore.isUnlocked)
        throw new SettlementError('the keystore is locked: unlock it in Wallets, then settle the run')
      operator = operatorWallet(wallets)
      // a network run's participants hold their own wallets: the treasury pays the EVs
      if (!network) {
        ensureWallets(wallets, { evs: scenario.evs.map((ev) => ev.id), grids: scenario.grids.map((g) => g.id) })
        fundGrids(wallets, ledger, unpaidNeeds(this.book, run.id, slots, units), operator)
      }
    } catch (error) {
      return slots.map((slot) => {
        const outcome = failed(slot.t, error)
        onSlot(outcome)
        return outcome
      })
    }
    const { wallets, ledger } = services
    return slots.map((slot) => {
      let outcome: SlotSettled
      try {
        const settlement = ledger.transaction(() => {
          const settled = settleSlot(wallets, ledger, this.book, run.id, slot, units, operator, network)
          this.store.recordSettlement(run.id, slot.t, settled)
          return settled
        })
        outcome = { t: slot.t, ...settlement }
      } catch (error) {
        outcome = failed(slot.t, error)
      }
      onSlot(outcome)
      return outcome
    })
  }
}
