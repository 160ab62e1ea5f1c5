// The ledger's milestones (docs/model.md "Milestones and White Flag"): checks a milestone against
// the genesis's issuers and the chain of indexes, computes its White Flag application and state
// hash, and stores the result. The Ledger calls it inside the SQLite transaction that stores the
// milestone, so a milestone and what it applied commit together.
import type { Db } from '../db/connection'
import { sameBytes } from './address'
import { decodeTransaction, tokenPayloadOf } from './codec'
import { NONE, type TangleGraph } from './graph'
import { fromHex, toHex } from './hash'
import { MilestoneStore } from './milestoneStore'
import type { TangleStore } from './store'
import { ID_BYTES, TxKind, type Payload, type Transaction } from './transaction'
import {
  applyInOrder,
  mergeUnspent,
  stateHash,
  whiteFlagOrder,
  ZERO_STATE_HASH,
  type UnspentOutput,
  type WhiteFlagResult
} from './whiteFlag'
import type { RefusalCode } from './ingestOutcome'
import { Dv2gError, type RefusalOptions } from '../../../src-shared/errors'

export class MilestoneRefusal extends Dv2gError {
  constructor(
    readonly refusal: RefusalCode,
    message: string,
    options: RefusalOptions = {}
  ) {
    super(options.code ?? 'malformed', message, options)
  }
}

export interface MilestoneInfo {
  index: number
  id: Uint8Array
  stateHash: Uint8Array
}

/** What applying a milestone with given parents does, computed before anything is written. */
export interface MilestoneEvaluation {
  index: number
  previous: Uint8Array
  parents: readonly [number, number]
  result: WhiteFlagResult
  stateHash: Uint8Array
}

const ZERO_ID = new Uint8Array(ID_BYTES)
const short = (bytes: Uint8Array) => `${toHex(bytes).slice(0, 16)}…`

export class Milestones {
  private readonly sql: MilestoneStore
  private loaded = false
  /** graph index -> index of the milestone that referenced it (0: none yet) */
  private referenced = new Uint32Array(0)
  private latestMilestone: MilestoneInfo | null = null
  private issuers: Uint8Array[] | null = null
  /** the evaluation issue() just made, reused when the milestone it built is stored */
  private lastEvaluation: { key: string; evaluation: MilestoneEvaluation } | null = null

  constructor(
    db: Db,
    private readonly graph: TangleGraph,
    private readonly store: TangleStore
  ) {
    this.sql = new MilestoneStore(db)
  }

  /** Forgets what memory holds; the next use reads it again (after a rollback). */
  reset(): void {
    this.loaded = false
    this.referenced = new Uint32Array(0)
    this.latestMilestone = null
    this.issuers = null
    this.lastEvaluation = null
  }

  /** Read on first use, not on open: a ledger that never sees a milestone pays nothing. */
  private load(): void {
    if (this.loaded) return
    this.referenced = new Uint32Array(Math.max(1024, this.graph.size * 2))
    for (const [seq, milestone] of this.sql.refs()) this.referenced[seq - 1] = milestone
    const row = this.sql.latest()
    this.latestMilestone = row ? { index: row.idx, id: new Uint8Array(row.id), stateHash: new Uint8Array(row.state_hash) } : null
    this.loaded = true
  }

  latest(): MilestoneInfo | null {
    this.load()
    return this.latestMilestone
  }

  /** Index of the milestone that referenced the transaction at graph index `at`, 0 if none. */
  referencedBy(at: number): number {
    this.load()
    return at < this.referenced.length ? this.referenced[at]! : 0
  }

  /** How a milestone treated a transaction: applied or conflicting, or not referenced yet. */
  outcomeOf(at: number): { milestone: number; applied: boolean; isMilestone: boolean } | undefined {
    const row = this.sql.refOf(at + 1)
    return row && { milestone: row.milestone, applied: row.applied === 1, isMilestone: row.position === null }
  }

  /** The public keys the genesis allows to sign milestones (none in a genesis from before milestones). */
  genesisIssuers(): Uint8Array[] {
    if (this.issuers) return this.issuers
    const bytes = this.graph.size > 0 ? this.store.bodyAt(0) : undefined
    if (!bytes) return []
    const { payload } = decodeTransaction(bytes).tx
    this.issuers = payload.kind === TxKind.Genesis ? (payload.milestoneIssuers ?? []) : []
    return this.issuers
  }

  /** The White Flag application of a milestone that would approve these parents next. */
  evaluate(parents: readonly [number, number]): MilestoneEvaluation {
    this.load()
    const key = this.evaluationKey(parents)
    if (this.lastEvaluation?.key === key) return this.lastEvaluation.evaluation
    const order = whiteFlagOrder(this.graph, parents, (at) => this.referencedBy(at) !== 0)
    const result = applyInOrder(
      order,
      (at) => this.graph.idAt(at).slice(),
      (at) => this.tokenPayloadAt(at),
      (txId, index) => this.sql.isUnspent(txId, index)
    )
    const latest = this.latestMilestone
    const hash = stateHash(latest?.stateHash ?? ZERO_STATE_HASH, result.entries, mergeUnspent(this.sortedUnspent(), result))
    const evaluation = { index: (latest?.index ?? 0) + 1, previous: latest?.id ?? ZERO_ID, parents, result, stateHash: hash }
    this.lastEvaluation = { key, evaluation }
    return evaluation
  }

  /**
   * Checks a received milestone whose parents are stored: named issuer, next index, previous
   * milestone, and the state hash this node computes. Asks to wait when its previous milestone
   * has not arrived yet.
   */
  check(tx: Transaction, parents: readonly [number, number]): MilestoneEvaluation | { missing: Uint8Array } {
    const payload = tx.payload
    if (payload.kind !== TxKind.Milestone) throw new Error('not a milestone')
    this.load()
    const name = `milestone ${payload.index}`
    const issuers = this.genesisIssuers()
    if (issuers.length === 0) throw new MilestoneRefusal('no_milestone_issuers', `${name}: the genesis names no milestone issuers`)
    if (!issuers.some((key) => sameBytes(key, tx.issuer)))
      throw new MilestoneRefusal(
        'not_milestone_issuer',
        `${name}: issuer ${short(tx.issuer)} is not a milestone issuer named in the genesis`
      )
    const latest = this.latestMilestone
    const expected = (latest?.index ?? 0) + 1
    if (payload.index < expected)
      throw new MilestoneRefusal('milestone_applied', `${name} is already applied: the next milestone is ${expected}`)
    if (payload.index > expected) {
      // its previous milestone may still be on its way: wait for it rather than refuse
      if (!sameBytes(payload.previous, ZERO_ID) && this.graph.indexOf(payload.previous) === NONE) return { missing: payload.previous }
      throw new MilestoneRefusal('milestone_gap', `${name} leaves a gap: the next milestone is ${expected}`)
    }
    const expectedPrevious = latest?.id ?? ZERO_ID
    if (!sameBytes(payload.previous, expectedPrevious)) {
      throw new MilestoneRefusal(
        'wrong_previous_milestone',
        `${name} names ${short(payload.previous)} as its previous milestone, but milestone ${expected - 1} is ${short(expectedPrevious)}`
      )
    }
    const evaluation = this.evaluate(parents)
    if (!sameBytes(evaluation.stateHash, payload.stateHash)) {
      throw new MilestoneRefusal(
        'wrong_state_hash',
        `${name} states state hash ${toHex(payload.stateHash)}, but this node computes ${toHex(evaluation.stateHash)}`
      )
    }
    return evaluation
  }

  /** Stores an evaluated milestone, now at graph index `at`, and what it applied. */
  record(evaluation: MilestoneEvaluation, at: number, nowMs: number): void {
    const { index, result } = evaluation
    const id = this.graph.idAt(at).slice()
    this.sql.insertMilestone(index, at + 1, id, evaluation.stateHash, nowMs)
    this.growReferenced(this.graph.size)
    result.entries.forEach((entry, position) => {
      this.sql.insertRef(entry.at + 1, index, position, entry.applied)
      this.referenced[entry.at] = index
    })
    this.sql.insertRef(at + 1, index, null, true)
    this.referenced[at] = index
    for (const key of result.spent) {
      const [txId, outputIndex] = key.split(':')
      this.sql.deleteOutput(fromHex(txId!), Number(outputIndex))
    }
    for (const o of result.created) this.sql.insertOutput(o.txId, o.index, o.address, o.amount)
    this.latestMilestone = { index, id, stateHash: evaluation.stateHash }
    this.lastEvaluation = null
  }

  /** The milestone-confirmed unspent outputs in state-hash order. */
  *sortedUnspent(): Generator<UnspentOutput> {
    for (const [txId, index, address, amount] of this.sql.sortedUnspent()) {
      // the row's own buffers, not copies: hashing 100,000 outputs per milestone must stay cheap
      yield { txId, index: Number(index), address, amount }
    }
  }

  private tokenPayloadAt(at: number): Payload | null {
    const bytes = this.store.bodyAt(at)
    if (!bytes) throw new Error(`transaction ${at + 1} has no stored content: the database is damaged`)
    return tokenPayloadOf(bytes)
  }

  private growReferenced(size: number): void {
    if (size <= this.referenced.length) return
    const grown = new Uint32Array(Math.max(size, this.referenced.length * 2))
    grown.set(this.referenced)
    this.referenced = grown
  }

  /** Same parents, same graph, same latest milestone: the same evaluation. */
  private evaluationKey(parents: readonly [number, number]): string {
    return `${parents[0]}:${parents[1]}:${this.graph.size}:${this.latestMilestone?.index ?? 0}`
  }
}
