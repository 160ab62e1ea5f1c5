// Settling a slot on the ledger (docs/model.md "Trades and settlement"): one token transfer per
// grid–EV pair that traded (grid wallet -> EV wallet), and the slot's market record as data,
// issued by the operator. Only converged slots are settled.
import { TxKind } from '../ledger/transaction'
import type { IngestOutcome, Ledger } from '../ledger/ledger'
import { KeystoreError } from '../wallet/keystore'
import type { Wallets } from '../wallet/wallets'
import type { SlotOutcome } from '../../../src-shared/market/day'

export const MARKET_TOPIC = 'market.slot'
/** a data body stays well inside the 4 KiB transaction limit */
const MAX_RECORD_BYTES = 3_000

export class SettlementError extends Error {}

export interface SlotSettlement {
  slot: number
  transfers: { buyer: string; seller: string; amount: string; id: string }[]
  records: string[]
}

/** Base units for a payment: rounded to the nearest unit, never a float on the ledger. */
export const toBaseUnits = (paid: number, unitsPerCurrency: number) => BigInt(Math.round(paid * unitsPerCurrency))

/** What each grid pays in the slot, in base units, summed per grid–EV pair. */
export function pairPayments(slot: SlotOutcome, unitsPerCurrency: number) {
  const pairs = new Map<string, { buyer: string; seller: string; energyWh: number; paid: number }>()
  for (const t of slot.trades) {
    const key = `${t.buyer}\u0000${t.seller}`
    const pair = pairs.get(key) ?? { buyer: t.buyer, seller: t.seller, energyWh: 0, paid: 0 }
    pair.energyWh += t.energyKWh * 1000
    pair.paid += t.paid
    pairs.set(key, pair)
  }
  return [...pairs.values()].map((p) => ({ ...p, energyWh: Math.round(p.energyWh), amount: toBaseUnits(p.paid, unitsPerCurrency) })).filter((p) => p.amount > 0n)
}

/** The slot's market record, compact (ids, prices to 1e-6, energy in Wh), split when it is long. */
export function marketRecords(runId: string, slot: SlotOutcome, unitsPerCurrency: number): Uint8Array[] {
  const price = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6)
  const sellers = slot.sellers.map((s) => [s.id, price(s.price), Math.round(s.probability * 1e6) / 1e6, Math.round(s.demandKWh * 1000), Math.round(s.supplyKWh * 1000)])
  const trades = pairPayments(slot, unitsPerCurrency).map((p) => [p.buyer, p.seller, p.energyWh, p.amount.toString()])
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
  const head = { run: runId, t: slot.t, price: price(slot.clearingPrice) }
  const whole = encode({ ...head, sellers, trades })
  if (whole.length <= MAX_RECORD_BYTES) return [whole]
  // a big market: one record per chunk of sellers and of trades, numbered so they can be joined
  const chunks: unknown[][] = []
  for (const [key, rows] of [['sellers', sellers], ['trades', trades]] as const) {
    for (let i = 0; i < rows.length; i += 40) chunks.push([key, rows.slice(i, i + 40)])
  }
  return chunks.map(([key, rows], part) => encode({ ...head, part: part + 1, parts: chunks.length, [key as string]: rows }))
}

function accepted(outcome: IngestOutcome, what: string): string {
  if (outcome.status !== 'accepted') throw new SettlementError(`${what} was not attached: ${'reason' in outcome ? outcome.reason : outcome.status}`)
  return outcome.id
}

/**
 * Settles one slot. Participants pay from, and are paid to, the wallet named by their id; the
 * operator wallet issues the market record.
 */
export function settleSlot(wallets: Wallets, ledger: Ledger, runId: string, slot: SlotOutcome, unitsPerCurrency: number, operator: string): SlotSettlement {
  if (!slot.converged) throw new SettlementError(`slot ${slot.t} did not converge and is not settled`)
  const keystore = wallets.keystore
  const walletOf = (id: string) => {
    const wallet = keystore.find(id)
    if (!wallet) throw new SettlementError(`no wallet named "${id}" for participant ${id}`)
    return wallet
  }
  const transfers = pairPayments(slot, unitsPerCurrency).map((p) => {
    try {
      const id = accepted(wallets.send(walletOf(p.buyer).name, walletOf(p.seller).address, p.amount), `${p.buyer} -> ${p.seller}`)
      return { buyer: p.buyer, seller: p.seller, amount: p.amount.toString(), id }
    } catch (error) {
      if (error instanceof KeystoreError) throw new SettlementError(`slot ${slot.t}, ${p.buyer} -> ${p.seller}: ${error.message}`)
      throw error
    }
  })
  const operatorKey = keystore.key(walletOf(operator).name)
  const records = marketRecords(runId, slot, unitsPerCurrency).map((body) =>
    accepted(ledger.attach(operatorKey.privateKey, { kind: TxKind.Data, topic: MARKET_TOPIC, body }), `the market record of slot ${slot.t}`)
  )
  return { slot: slot.t, transfers, records }
}

/**
 * Makes sure every participant has a wallet (created with its role when missing) and that each
 * grid holds what it will pay, topping it up from the operator's treasury.
 */
export function prepareParticipants(wallets: Wallets, participants: { evs: string[]; grids: { id: string; needs: bigint }[] }, operator: string) {
  const created: string[] = []
  const funded: { grid: string; amount: string }[] = []
  for (const id of participants.evs) if (!wallets.keystore.find(id)) created.push(wallets.create(id, 'ev').wallet.name)
  for (const { id, needs } of participants.grids) {
    if (!wallets.keystore.find(id)) created.push(wallets.create(id, 'grid').wallet.name)
    const short = needs - wallets.balance(id)
    if (short > 0n) {
      accepted(wallets.send(operator, wallets.keystore.find(id)!.address, short), `funding ${id}`)
      funded.push({ grid: id, amount: short.toString() })
    }
  }
  return { created, funded }
}

/** The operator wallet that issues records and funds grids: the first one in the keystore. */
export function operatorWallet(wallets: Wallets): string {
  const operator = wallets.keystore.list().find((w) => w.role === 'operator')
  if (!operator) throw new SettlementError('no operator wallet to settle with: create one first (dv2g wallet create --name treasury --role operator)')
  return operator.name
}
