// Settling a slot on the ledger (docs/model.md "Trades and settlement"): one token transfer per
// grid–EV pair that traded (grid wallet -> EV wallet), and the slot's market record as data,
// issued by the operator. Only converged slots are settled, and each payment exactly once: its
// key (run, slot, grid, EV) is written in the same SQLite transaction as its ledger write.
import type { KeyObject } from 'node:crypto'
import type { WritableDB } from '../db/connection'
import { TxKind } from '../ledger/transaction'
import type { IngestOutcome, Ledger } from '../ledger/ledger'
import { KeystoreError } from '../wallet/keystore'
import type { Wallets } from '../wallet/wallets'
import type { SlotOutcome } from '../../../src-shared/market/day'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export const MARKET_TOPIC = 'market.slot'
/** a data body stays well inside the 4 KiB transaction limit */
const MAX_RECORD_BYTES = 3_000

export class SettlementError extends Dv2gError {
  constructor(message: string, options: RefusalOptions = {}) {
    super(options.code ?? 'failed_precondition', message, options)
  }
}

/**
 * How a network run pays: the grids' wallets are their own agents', so the operator's treasury
 * pays each EV at its registered address (the clearing house), with the key the run holds.
 */
export interface NetworkPayer {
  key: KeyObject
  addressOf(participant: string): string | undefined
}

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
  return [...pairs.values()]
    .map((p) => ({ ...p, energyWh: Math.round(p.energyWh), amount: toBaseUnits(p.paid, unitsPerCurrency) }))
    .filter((p) => p.amount > 0n)
}

/** The slot's market record, compact (ids, prices to 1e-6, energy in Wh), split when it is long. */
export function marketRecords(runId: string, slot: SlotOutcome, unitsPerCurrency: number): Uint8Array[] {
  const price = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6)
  const sellers = slot.sellers.map((s) => [
    s.id,
    price(s.price),
    Math.round(s.probability * 1e6) / 1e6,
    Math.round(s.demandKWh * 1000),
    Math.round(s.supplyKWh * 1000)
  ])
  const trades = pairPayments(slot, unitsPerCurrency).map((p) => [p.buyer, p.seller, p.energyWh, p.amount.toString()])
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
  const head = { run: runId, t: slot.t, price: price(slot.clearingPrice) }
  const whole = encode({ ...head, sellers, trades })
  if (whole.length <= MAX_RECORD_BYTES) return [whole]
  // a big market: one record per chunk of sellers and of trades, numbered so they can be joined
  const chunks: unknown[][] = []
  for (const [key, rows] of [
    ['sellers', sellers],
    ['trades', trades]
  ] as const) {
    for (let i = 0; i < rows.length; i += 40) chunks.push([key, rows.slice(i, i + 40)])
  }
  return chunks.map(([key, rows], part) => encode({ ...head, part: part + 1, parts: chunks.length, [key as string]: rows }))
}

function accepted(outcome: IngestOutcome, what: string): string {
  if (outcome.status !== 'accepted')
    throw new SettlementError(`${what} was not attached: ${'reason' in outcome ? outcome.reason : outcome.status}`)
  return outcome.id
}

const pairKey = (grid: string, ev: string) => `${grid}\u0000${ev}`

/** The payments and market records settlement has put on the ledger (migration 005). */
export class PaymentBook {
  private readonly sql

  constructor(
    db: WritableDB,
    private readonly now: () => number = Date.now
  ) {
    this.sql = {
      payments: db
        .prepare<[string, number], { grid: string; ev: string; amount: bigint; tx_id: string }>(
          'SELECT grid, ev, amount, tx_id FROM market_payments WHERE run_id = ? AND t = ?'
        )
        .safeIntegers(true),
      records: db.prepare<[string, number], { part: number; tx_id: string }>(
        'SELECT part, tx_id FROM market_records WHERE run_id = ? AND t = ? ORDER BY part'
      ),
      pay: db.prepare<[string, number, string, string, bigint, string, string]>(
        'INSERT INTO market_payments (run_id, t, grid, ev, amount, tx_id, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?)'
      ),
      publish: db.prepare<[string, number, number, string, string]>(
        'INSERT INTO market_records (run_id, t, part, tx_id, published_at) VALUES (?, ?, ?, ?, ?)'
      )
    }
  }

  /** The slot's pairs already paid: grid–EV key -> amount and ledger transaction. */
  paid(runId: string, t: number): Map<string, { amount: bigint; id: string }> {
    const rows = this.sql.payments.all(runId, t)
    return new Map(rows.map((r) => [pairKey(r.grid, r.ev), { amount: r.amount, id: r.tx_id }]))
  }

  /** The slot's market records already published: part -> ledger transaction. */
  published(runId: string, t: number): Map<number, string> {
    const rows = this.sql.records.all(runId, t)
    return new Map(rows.map((r) => [r.part, r.tx_id]))
  }

  recordPayment(runId: string, t: number, grid: string, ev: string, amount: bigint, txId: string): void {
    this.sql.pay.run(runId, t, grid, ev, amount, txId, new Date(this.now()).toISOString())
  }

  recordPublication(runId: string, t: number, part: number, txId: string): void {
    this.sql.publish.run(runId, t, part, txId, new Date(this.now()).toISOString())
  }
}

/**
 * Settles one slot in one database transaction: its transfers, its market records and their
 * keys in the book commit together or not at all. Pairs and records the book already holds (a
 * slot settled part way by an older release, or by a caller that commits more often) are not
 * paid or published again. Participants pay from, and are paid to, the wallet named by their
 * id, and the operator wallet issues the market record; on a network run the treasury pays.
 */
export function settleSlot(
  wallets: Wallets,
  ledger: Ledger,
  book: PaymentBook,
  runId: string,
  slot: SlotOutcome,
  unitsPerCurrency: number,
  operator: string,
  network?: NetworkPayer
): SlotSettlement {
  if (!slot.converged) throw new SettlementError(`slot ${slot.t} did not converge and is not settled`)
  const keystore = wallets.keystore
  const walletOf = (id: string) => {
    const wallet = keystore.find(id)
    if (!wallet) throw new SettlementError(`no wallet named "${id}" for participant ${id}`)
    return wallet
  }
  const pay = (buyer: string, seller: string, amount: bigint): IngestOutcome => {
    if (!network) return wallets.send(walletOf(buyer).name, walletOf(seller).address, amount)
    const address = network.addressOf(seller)
    if (!address) throw new SettlementError(`${seller} is not a registered participant: its registration was revoked`)
    return wallets.sendWithKey(network.key, address, amount, 'the treasury')
  }
  return ledger.transaction(() => {
    const paid = book.paid(runId, slot.t)
    const transfers = pairPayments(slot, unitsPerCurrency).map((p) => {
      const earlier = paid.get(pairKey(p.buyer, p.seller))
      if (earlier) return { buyer: p.buyer, seller: p.seller, amount: earlier.amount.toString(), id: earlier.id }
      try {
        const id = accepted(pay(p.buyer, p.seller, p.amount), `${p.buyer} -> ${p.seller}`)
        book.recordPayment(runId, slot.t, p.buyer, p.seller, p.amount, id)
        return { buyer: p.buyer, seller: p.seller, amount: p.amount.toString(), id }
      } catch (error) {
        if (error instanceof KeystoreError) throw new SettlementError(`slot ${slot.t}, ${p.buyer} -> ${p.seller}: ${error.message}`)
        throw error
      }
    })
    // a network run's record is its market.result, on the tangle already
    if (network) return { slot: slot.t, transfers, records: [] }
    const published = book.published(runId, slot.t)
    const operatorKey = keystore.key(walletOf(operator).name)
    const records = marketRecords(runId, slot, unitsPerCurrency).map((body, part) => {
      const earlier = published.get(part)
      if (earlier) return earlier
      const id = accepted(
        ledger.attach(operatorKey.privateKey, { kind: TxKind.Data, topic: MARKET_TOPIC, body }),
        `the market record of slot ${slot.t}`
      )
      book.recordPublication(runId, slot.t, part, id)
      return id
    })
    return { slot: slot.t, transfers, records }
  })
}

/** What each grid still has to pay for these slots: the pairs the book does not hold yet. */
export function unpaidNeeds(
  book: PaymentBook,
  runId: string,
  slots: readonly SlotOutcome[],
  unitsPerCurrency: number
): Map<string, bigint> {
  const needs = new Map<string, bigint>()
  for (const slot of slots) {
    const paid = book.paid(runId, slot.t)
    for (const p of pairPayments(slot, unitsPerCurrency)) {
      if (!paid.has(pairKey(p.buyer, p.seller))) needs.set(p.buyer, (needs.get(p.buyer) ?? 0n) + p.amount)
    }
  }
  return needs
}

/** Creates a wallet, with its role, for every participant that has none. Returns the names created. */
export function ensureWallets(wallets: Wallets, participants: { evs: readonly string[]; grids: readonly string[] }): string[] {
  const created: string[] = []
  for (const id of participants.evs) if (!wallets.keystore.find(id)) created.push(wallets.create(id, 'ev').wallet.name)
  for (const id of participants.grids) if (!wallets.keystore.find(id)) created.push(wallets.create(id, 'grid').wallet.name)
  return created
}

/** Tops each grid up to what it will pay, from the operator's treasury, in one transaction. */
export function fundGrids(
  wallets: Wallets,
  ledger: Ledger,
  needs: ReadonlyMap<string, bigint>,
  operator: string
): { grid: string; amount: string }[] {
  return ledger.transaction(() => {
    const funded: { grid: string; amount: string }[] = []
    for (const [grid, need] of needs) {
      const short = need - wallets.balance(grid)
      if (short <= 0n) continue
      try {
        accepted(wallets.send(operator, wallets.keystore.find(grid)!.address, short), `funding ${grid}`)
      } catch (error) {
        if (error instanceof KeystoreError) throw new SettlementError(`funding ${grid}: ${error.message}`)
        throw error
      }
      funded.push({ grid, amount: short.toString() })
    }
    return funded
  })
}

/** The operator wallet that issues records and funds grids: the first one in the keystore. */
export function operatorWallet(wallets: Wallets): string {
  const operator = wallets.keystore.list().find((w) => w.role === 'operator')
  if (!operator)
    throw new SettlementError('no operator wallet to settle with: create one first (dv2g wallet create --name treasury --role operator)')
  return operator.name
}
