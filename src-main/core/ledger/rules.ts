// The ledger's rules for a transaction that passed its own checks (validation.ts): its parents
// are known and acceptable, its inputs exist, belong to its issuer and add up to its outputs,
// and its past cone holds no double spend. It also keeps the open double spends, which these
// rules and tip selection consult.
import { addressOf, sameBytes } from './address'
import { NONE, TxStatus, type TangleGraph } from './graph'
import { toHex } from './hash'
import type { Milestones } from './milestones'
import type { Spend, TangleStore } from './store'
import { ID_BYTES, TxKind, type Transaction } from './transaction'
import type { RefusalCode } from './ingestOutcome'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

/** Amounts are stored as SQLite integers (signed 64-bit). */
const MAX_AMOUNT = (1n << 63n) - 1n
export const ZERO_ID = new Uint8Array(ID_BYTES)

/** A transaction against the ledger's rules: it is refused with this code and message. */
export class Refused extends Dv2gError {
  constructor(
    readonly refusal: RefusalCode,
    message: string,
    options: RefusalOptions = {}
  ) {
    super(options.code ?? 'invalid_argument', message, options)
  }
}

export class LedgerRules {
  /** unresolved double spends: output key -> graph indexes of its spenders */
  openConflicts = new Map<string, number[]>()

  constructor(
    private readonly graph: TangleGraph,
    private readonly store: TangleStore,
    private readonly milestones: Milestones
  ) {}

  /**
   * With milestone issuers in the genesis, milestones decide conflicts, the same on every node; the
   * weighted walk's rejections and confirmations are this node's own view and must not refuse what
   * peers send (a node that refused a transaction another applied could never apply that milestone).
   */
  get finalByMilestones(): boolean {
    return this.milestones.genesisIssuers().length > 0
  }

  /** The parents' graph indexes, or the first parent this node does not hold yet. */
  parentsOf(tx: Transaction): { trunk: number; branch: number } | { missing: Uint8Array } {
    if (tx.payload.kind === TxKind.Genesis) {
      if (this.graph.size > 0) throw new Refused('second_genesis', 'a genesis is only accepted into an empty tangle')
      if (!sameBytes(tx.trunk, ZERO_ID) || !sameBytes(tx.branch, ZERO_ID))
        throw new Refused('genesis_parents', 'a genesis approves nothing: its parents must be zero')
      return { trunk: NONE, branch: NONE }
    }
    const trunk = this.graph.indexOf(tx.trunk)
    if (trunk === NONE) return { missing: tx.trunk }
    const branch = this.graph.indexOf(tx.branch)
    if (branch === NONE) return { missing: tx.branch }
    // a milestone may approve what this node's walk rejected: White Flag decides, the same on every node
    if (tx.payload.kind === TxKind.Milestone || this.finalByMilestones) return { trunk, branch }
    for (const parent of [trunk, branch]) {
      if (this.graph.invalid[parent] === 1)
        throw new Refused(
          'approves_rejected',
          `approves ${toHex(this.graph.idAt(parent))}, which is rejected or approves a rejected transaction`
        )
    }
    return { trunk, branch }
  }

  /** Outputs exist, belong to the issuer, add up, and the new transaction keeps its cone consistent. */
  spendsOf(tx: Transaction, trunk: number, branch: number): Spend[] {
    const payload = tx.payload
    // White Flag, not this check, decides between the sides of a double spend a milestone approves
    if (payload.kind === TxKind.Milestone) return []
    if (payload.kind !== TxKind.Data) {
      for (const [i, output] of payload.outputs.entries()) {
        if (output.amount > MAX_AMOUNT) throw new Refused('amount_too_large', `output ${i} amount exceeds ${MAX_AMOUNT}`)
      }
    }
    if (payload.kind !== TxKind.Transfer) {
      this.checkConsistency(trunk, branch, [])
      return []
    }
    const owner = addressOf(tx.issuer)
    const spends: Spend[] = []
    let totalIn = 0n
    for (const [i, input] of payload.inputs.entries()) {
      const source = this.graph.indexOf(input.txId)
      if (source === NONE) throw new Refused('unknown_input', `input ${i} spends an output of unknown transaction ${toHex(input.txId)}`)
      if (this.graph.invalid[source] === 1 && !this.finalByMilestones)
        throw new Refused('spends_rejected', `input ${i} spends an output of a rejected transaction`)
      const txSeq = source + 1
      const key = `${txSeq}:${input.index}`
      if (spends.some((s) => s.key === key)) throw new Refused('input_twice', `input ${i} spends the same output twice`)
      const output = this.store.output(txSeq, input.index)
      if (!output) throw new Refused('no_such_output', `input ${i}: transaction ${toHex(input.txId)} has no output ${input.index}`)
      if (!sameBytes(output.address, owner)) throw new Refused('not_owner', `input ${i} is not owned by the issuer`)
      for (const spender of this.store.spenders(txSeq, input.index)) {
        if (this.graph.status[spender - 1] === TxStatus.Confirmed && !this.finalByMilestones)
          throw new Refused('spent_by_confirmed', `input ${i} was already spent by a confirmed transaction`)
        if (this.approvesEither(trunk, branch, spender - 1))
          throw new Refused('spent_in_cone', `input ${i} is already spent in this transaction's own past cone`)
      }
      totalIn += output.amount
      spends.push({ txSeq, idx: input.index, key })
    }
    const totalOut = payload.outputs.reduce((sum, o) => sum + o.amount, 0n)
    if (totalIn !== totalOut)
      throw new Refused('unbalanced', `inputs total ${totalIn} but outputs total ${totalOut}: a transfer neither mints nor burns`)
    this.checkConsistency(
      trunk,
      branch,
      spends.map((s) => s.key)
    )
    return spends
  }

  /** Whether a payload its issuer issues on these parents would keep to the rules: for picking a tip pair. */
  wouldAccept(issuer: Uint8Array, payload: Transaction['payload'], trunk: number, branch: number): boolean {
    if (this.openConflicts.size === 0 && payload.kind !== TxKind.Transfer) return true
    try {
      this.spendsOf({ issuer, payload } as Transaction, trunk, branch)
      return true
    } catch (error) {
      if (error instanceof Refused) return false
      throw error
    }
  }

  /** A stored transaction spent outputs others spend too: each is now an open double spend. */
  opened(doubleSpent: Map<string, number[]>, index: number): void {
    for (const [key, earlierSeqs] of doubleSpent) this.openConflicts.set(key, [...earlierSeqs.map((s) => s - 1), index])
  }

  /** The highest index below every parent of an open double spend's sides: tip selection enters below it. */
  belowOpenConflicts(): number {
    let ceiling = Number.POSITIVE_INFINITY
    for (const spenders of this.openConflicts.values()) {
      for (const s of spenders) ceiling = Math.min(ceiling, this.graph.trunk[s]!, this.graph.branch[s]!)
    }
    return ceiling
  }

  /**
   * Refuses a transaction whose past cone, with its own spends, holds two spends of one output.
   * A spend a milestone referenced no longer counts: White Flag has decided it, the same on every
   * node, and a cone that approves a milestone over both sides is consistent.
   */
  private checkConsistency(trunk: number, branch: number, ownSpendKeys: string[]): void {
    for (const [key, spenders] of this.openConflicts) {
      const approved = spenders.filter((s) => this.milestones.referencedBy(s) === 0 && this.approvesEither(trunk, branch, s)).length
      if (approved + (ownSpendKeys.includes(key) ? 1 : 0) > 1)
        throw new Refused('inconsistent', 'inconsistent: its past cone holds both sides of a double spend')
    }
  }

  private approvesEither(trunk: number, branch: number, x: number): boolean {
    return (trunk !== NONE && this.graph.approves(trunk, x)) || (branch !== NONE && this.graph.approves(branch, x))
  }
}
