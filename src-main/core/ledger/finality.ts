// What a transaction's state means to an operator (docs/model.md "What confirmed means"), in one
// place: the explorer, the wallets' histories and balances, and settlement (through the balances
// and spendable outputs it pays from) all read it here, so their meanings cannot drift apart.
// On a ledger whose genesis names milestone issuers, confirmed is final: a milestone referenced
// the transaction and White Flag applied it; referenced but not applied is conflicting (it lost a
// double spend); anything else is pending, pre-confirmed while this node's weighted walk is at or
// above its threshold. A ledger whose genesis names no issuers (data dirs from before milestones)
// keeps the walk's meaning: confirmed and rejected are the walk's verdicts.
import type { Db } from '../db/connection'
import { decodeTransaction } from './codec'
import { TxStatus } from './graph'
import { TxKind } from './transaction'

export const TX_STATES = ['pending', 'preconfirmed', 'confirmed', 'conflicting', 'rejected'] as const
export type TxState = (typeof TX_STATES)[number]

export interface Finality {
  state: TxState
  /** the milestone that referenced the transaction (confirmed or conflicting), else null */
  milestone: number | null
}

const WALK_STATES: Record<TxStatus, TxState> = {
  [TxStatus.Pending]: 'pending',
  [TxStatus.Confirmed]: 'confirmed',
  [TxStatus.Rejected]: 'rejected'
}

/** What a transaction's state is read from: the ledger answers it, without this module importing it. */
export interface FinalitySource {
  readonly finalByMilestones: boolean
  /** the weighted walk's verdict on the transaction at graph index `at` */
  walkStatusAt(at: number): TxStatus
  /** the milestone that referenced it, 0 for none */
  milestoneReferencing(at: number): number
  /** whether White Flag applied it; undefined when no milestone referenced it */
  appliedByMilestone(at: number): boolean | undefined
}

/** The state of the transaction at graph index `at`. */
export function finalityOf(ledger: FinalitySource, at: number): Finality {
  const walk = ledger.walkStatusAt(at)
  if (!ledger.finalByMilestones) return { state: WALK_STATES[walk], milestone: null }
  const milestone = ledger.milestoneReferencing(at)
  if (milestone !== 0) return { state: ledger.appliedByMilestone(at) === false ? 'conflicting' : 'confirmed', milestone }
  // the walk's rejection is this node's own view: White Flag may still apply the transaction
  return { state: walk === TxStatus.Confirmed ? 'preconfirmed' : 'pending', milestone: null }
}

/**
 * SQL, true when the transaction row aliased `t` changed nothing on the ledger: its outputs are no
 * one's and what it spends stays unspent. The balances and the spendable outputs use it, so a
 * wallet counts exactly what finalityOf does not call rejected or conflicting.
 */
export function changedNothingSql(finalByMilestones: boolean, t: string): string {
  return finalByMilestones
    ? `EXISTS (SELECT 1 FROM milestone_refs r WHERE r.seq = ${t}.seq AND r.applied = 0)`
    : `${t}.status = ${TxStatus.Rejected}`
}

/** Whether the stored genesis names milestone issuers, read from the database alone (read-only commands). */
export function genesisNamesIssuers(db: Db): boolean {
  const bytes = db.prepare<[], Buffer>('SELECT bytes FROM transaction_bodies WHERE seq = 1').pluck().get()
  if (!bytes) return false
  const { payload } = decodeTransaction(bytes).tx
  return payload.kind === TxKind.Genesis && (payload.milestoneIssuers?.length ?? 0) > 0
}

export type StateCounts = Record<TxState, number> & { transactions: number }

/** How many transactions are in each state, from the database alone. */
export function stateCounts(db: Db): StateCounts {
  const walk = db.prepare<[], { status: TxStatus; n: number }>('SELECT status, count(*) AS n FROM transactions GROUP BY status').all()
  const transactions = walk.reduce((sum, c) => sum + c.n, 0)
  const counts: StateCounts = { transactions, pending: 0, preconfirmed: 0, confirmed: 0, conflicting: 0, rejected: 0 }
  if (!genesisNamesIssuers(db)) {
    for (const c of walk) counts[WALK_STATES[c.status]] += c.n
    return counts
  }
  const refs = db.prepare<[], { applied: number; n: number }>('SELECT applied, count(*) AS n FROM milestone_refs GROUP BY applied').all()
  counts.confirmed = refs.find((r) => r.applied === 1)?.n ?? 0
  counts.conflicting = refs.find((r) => r.applied === 0)?.n ?? 0
  counts.preconfirmed = db
    .prepare<[TxStatus], number>(
      'SELECT count(*) FROM transactions t WHERE t.status = ? AND NOT EXISTS (SELECT 1 FROM milestone_refs r WHERE r.seq = t.seq)'
    )
    .pluck()
    .get(TxStatus.Confirmed)!
  counts.pending = transactions - counts.confirmed - counts.conflicting - counts.preconfirmed
  return counts
}

/**
 * Milliseconds from arrival to confirmed for the newest confirmed transactions (up to 1,000): to
 * the milestone that applied them on a milestone ledger, to the walk's verdict otherwise.
 */
export function confirmationLatenciesMs(db: Db, finalByMilestones: boolean): number[] {
  const sql = finalByMilestones
    ? `SELECT m.applied_ms - t.received_ms FROM milestone_refs r JOIN milestones m ON m.idx = r.milestone JOIN transactions t ON t.seq = r.seq
        WHERE r.applied = 1 AND r.position IS NOT NULL ORDER BY r.seq DESC LIMIT 1000`
    : `SELECT status_ms - received_ms FROM transactions WHERE status = ${TxStatus.Confirmed} AND status_ms IS NOT NULL ORDER BY seq DESC LIMIT 1000`
  return db.prepare<[], number>(sql).pluck().all()
}
